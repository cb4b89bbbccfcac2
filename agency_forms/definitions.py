"""Loading the form definition files (`definitions/<kind>-v<version>.json`) into the database.

Each file is checked against the schema below before anything is saved; a file for a version
already loaded must be byte for byte the file it was loaded from, because answers refer to it.
To change a form, add the next version's file: requests sent afterwards ask the new version,
and forms already answered keep theirs.
"""

import hashlib
import json
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from agency_forms.models import FormDefinition, FormKind

FOLDER = Path(__file__).resolve().parent / "definitions"
FILE_NAME = re.compile(r"^(?P<kind>[a-z_]+)-v(?P<version>\d+)\.json$")
TYPES = {"yes_no", "text", "narrative", "number", "date", "choice"}
PREFILLS = {
    "family_name",
    "given_names",
    "date_of_birth",
    "date_of_death",
    "sex",
    "nhs_number",
    "place_of_death",
    "address",
}
CORE_SECTIONS = ["A", "B", "C", "D", "E", "F"]


def problems_of(definition: dict, kind: str, version: int) -> list[str]:
    """What is wrong with one definition, in words a maintainer can act on; none if valid."""
    found = []
    if definition.get("kind") != kind or definition.get("version") != version:
        found.append("kind and version differ from the file name")
    if kind not in FormKind.values:
        found.append(f"unknown kind {kind!r}")
    if not str(definition.get("title", "")).strip():
        found.append("no title")
    sections = definition.get("sections") or []
    if not sections:
        found.append("no sections")
    if kind == FormKind.CORE and [s.get("key") for s in sections] != CORE_SECTIONS:
        found.append("the reporting form's sections must be A to F")
    keys: set[str] = set()
    for section in sections:
        if not section.get("questions"):
            found.append(f"section {section.get('key')} has no questions")
        for question in section.get("questions", []):
            found += _question_problems(question, keys)
    return found


def _question_problems(question: dict, keys: set[str]) -> list[str]:
    key = question.get("key", "")
    found = []
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key) or key in keys:
        found.append(f"question key {key!r} is missing, malformed or used twice")
    keys.add(key)
    kind = question.get("type")
    if kind not in TYPES:
        found.append(f"{key}: unknown type {kind!r}")
    if not str(question.get("text", "")).strip():
        found.append(f"{key}: no text")
    if not isinstance(question.get("identifying"), bool):
        found.append(f"{key}: says not whether its answer can identify a person")
    if kind == "number" and not all(k in question for k in ("unit", "min", "max")):
        found.append(f"{key}: a number needs a unit, a minimum and a maximum")
    if kind == "choice":
        values = [o.get("value") for o in question.get("options", [])]
        if len(values) < 2 or len(set(values)) != len(values):
            found.append(f"{key}: a choice needs two or more distinct options")
    if "prefill" in question and question["prefill"] not in PREFILLS:
        found.append(f"{key}: cannot be filled in from {question['prefill']!r}")
    return found


def definition_files() -> list[tuple[str, int, Path]]:
    files = []
    for path in sorted(FOLDER.glob("*.json")):
        match = FILE_NAME.match(path.name)
        if match is None:
            raise ImproperlyConfigured(f"{path.name}: not named <kind>-v<version>.json")
        files.append((match["kind"], int(match["version"]), path))
    return files


@transaction.atomic
def form_definitions_load() -> list[FormDefinition]:
    """Load every definition file not loaded yet; refuse a changed or invalid one (and then
    load nothing). Returns the definitions it added."""
    added = []
    for kind, version, path in definition_files():
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        loaded = FormDefinition.objects.filter(kind=kind, version=version).first()
        if loaded is not None:
            if loaded.digest != digest:
                raise ImproperlyConfigured(
                    f"{path.name} has changed since it was loaded; a version never changes "
                    f"once forms may have answered it: add {kind}-v{version + 1}.json instead"
                )
            continue
        try:
            definition = json.loads(raw)
        except ValueError as error:
            raise ImproperlyConfigured(f"{path.name}: not valid JSON ({error})") from error
        problems = problems_of(definition, kind, version)
        if problems:
            raise ImproperlyConfigured(f"{path.name}: " + "; ".join(problems))
        added.append(
            FormDefinition.objects.create(
                kind=kind,
                version=version,
                title=definition["title"],
                summary=definition.get("summary", ""),
                sections=definition["sections"],
                digest=digest,
            )
        )
    return added


def load_after_migrate(sender, using="default", **kwargs) -> None:
    if using == "default":
        form_definitions_load()
