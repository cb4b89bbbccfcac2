"""Rules the code keeps that no linter checks for us."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["cdop", "core", "home", "accounts", "panels", "cases", "agency_forms", "rapid_response",
        "meetings", "reporting"]  # fmt: skip

# Bulk writes skip django-simple-history: no history row, no actor.
BULK_WRITE = re.compile(r"\.(bulk_update|bulk_create)\(|\)\.update\(|\.objects\.update\(")


# Models that keep no change history by design: the append-only access log, the outbox and
# the reminders sent are their own record (each row is written once).
UNTRACKED = (
    "AccessEventObject.objects.bulk_create(",
    "created = OutboxEmail.objects.bulk_create(",
    "FormReminder.objects.bulk_create(",
    "NationalExport.objects.bulk_create(",
)


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
        if BULK_WRITE.search(line) and not line.strip().startswith(UNTRACKED)
    ]
    assert offenders == []


def test_the_rule_finds_a_queryset_update():
    assert BULK_WRITE.search('Case.objects.filter(pk=1).update(state="closed")')
    assert BULK_WRITE.search("Case.objects.bulk_update(cases, ['state'])")
    assert not BULK_WRITE.search("Heartbeat.objects.update_or_create(name='beat')")


def test_no_app_imports_another_apps_private_names(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "check_private_imports", ROOT / "scripts" / "check_private_imports.py"
    )
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    assert checker.problems() == []
    # The check finds what the importer used to do.
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "importer.py").write_text("from panels.services import _event, ok\n")
    (tmp_path / "panels").mkdir()
    (tmp_path / "panels" / "services.py").write_text("from panels.models import _mine\n")
    assert checker.problems(tmp_path) == [
        "cases/importer.py:1: imports _event from panels.services"
    ]
