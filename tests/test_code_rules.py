"""Rules the code keeps that no linter checks for us."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["cdop", "core", "accounts", "panels", "cases", "rapid_response", "reporting"]

# Bulk writes skip django-simple-history: no history row, no actor.
BULK_WRITE = re.compile(r"\.(bulk_update|bulk_create)\(|\)\.update\(|\.objects\.update\(")


def source_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_bulk_writes_bypass_the_change_history():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BULK_WRITE.search(line)
    ]
    assert offenders == []


def test_the_rule_finds_a_queryset_update():
    assert BULK_WRITE.search('Case.objects.filter(pk=1).update(state="closed")')
    assert BULK_WRITE.search("Case.objects.bulk_update(cases, ['state'])")
    assert not BULK_WRITE.search("Heartbeat.objects.update_or_create(name='beat')")
