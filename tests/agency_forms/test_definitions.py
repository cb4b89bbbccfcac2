"""The forms' questions are data: versioned files loaded by `migrate`, never changed once
loaded, each question saying whether its answer can identify a person (issue 10)."""

import csv
import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from agency_forms import definitions
from agency_forms.definitions import form_definitions_load, problems_of
from agency_forms.models import FormDefinition, FormKind
from tests.conftest import sign_in


@pytest.mark.django_db
def test_migrate_has_loaded_every_form_in_the_repository():
    loaded = set(FormDefinition.objects.values_list("kind", "version"))
    assert {kind for kind, _ in loaded} == set(FormKind.values)
    assert loaded == {(kind, version) for kind, version, _ in definitions.definition_files()}
    core = FormDefinition.objects.get(kind=FormKind.CORE, version=1)
    assert [s["key"] for s in core.sections] == ["A", "B", "C", "D", "E", "F"]
    assert form_definitions_load() == []  # loading again adds nothing


@pytest.mark.django_db
def test_every_question_says_whether_it_identifies_and_the_child_is_prefilled():
    for definition in FormDefinition.objects.all():
        assert problems_of(
            {"kind": definition.kind, "version": definition.version, "title": definition.title,
             "sections": definition.sections},
            definition.kind,
            definition.version,
        ) == []  # fmt: skip
    core = FormDefinition.objects.get(kind=FormKind.CORE, version=1)
    prefilled = {q.get("prefill"): q["identifying"] for _, q in core.questions() if "prefill" in q}
    assert prefilled["family_name"]
    assert prefilled["date_of_birth"]
    assert prefilled["nhs_number"]
    assert prefilled["date_of_death"] is False


@pytest.mark.django_db
def test_a_loaded_version_never_changes_and_a_bad_file_loads_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(definitions, "FOLDER", tmp_path)
    core = FormDefinition.objects.get(kind=FormKind.CORE, version=1)
    changed = {"kind": "core", "version": 1, "title": "Changed", "sections": core.sections}
    (tmp_path / "core-v1.json").write_text(json.dumps(changed))
    with pytest.raises(ImproperlyConfigured, match=r"add core-v2\.json instead"):
        form_definitions_load()

    (tmp_path / "core-v1.json").unlink()
    good = {"kind": "core", "version": 2, "title": "Reporting form", "sections": core.sections}
    (tmp_path / "core-v2.json").write_text(json.dumps(good))
    broken = json.loads(json.dumps(good).replace('"yes_no"', '"maybe"', 1))
    broken["version"] = 3
    (tmp_path / "core-v3.json").write_text(json.dumps(broken))
    with pytest.raises(ImproperlyConfigured, match=r"core-v3\.json: .*unknown type 'maybe'"):
        form_definitions_load()
    assert not FormDefinition.objects.filter(kind="core", version=2).exists()  # all or nothing

    (tmp_path / "core-v3.json").unlink()
    [added] = form_definitions_load()
    assert (added.kind, added.version) == ("core", 2)
    assert FormDefinition.objects.get(kind="core", version=1).title == core.title  # kept


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ({"key": "x", "text": "?", "type": "number", "identifying": False}, "a unit"),
        ({"key": "x", "text": "?", "type": "text"}, "identify a person"),
        ({"key": "x", "text": "?", "type": "choice", "identifying": False,
          "options": [{"value": "a"}]}, "two or more"),
        ({"key": "X y", "text": "?", "type": "text", "identifying": False}, "malformed"),
        ({"key": "x", "text": "?", "type": "text", "identifying": True, "prefill": "postcode"},
         "cannot be filled in"),
    ],
)  # fmt: skip
def test_a_malformed_question_is_named(question, problem):
    definition = {"kind": "asthma", "version": 1, "title": "Asthma",
                  "sections": [{"key": "S1", "title": "S", "questions": [question]}]}  # fmt: skip
    found = problems_of(definition, "asthma", 1)
    assert any(problem in p for p in found), found


@pytest.mark.django_db
def test_the_data_dictionary_lists_every_question_as_a_page_and_a_csv(client, administrator):
    sign_in(client, administrator)
    page = client.get("/forms/dictionary/").content.decode()
    core = FormDefinition.objects.get(kind=FormKind.CORE, version=1)
    for _, question in core.questions():
        assert question["key"] in page
    assert "Reporting form, version 1" in page
    response = client.get("/forms/dictionary.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    total = sum(len(list(d.questions())) for d in FormDefinition.objects.all())
    assert len(rows) == total
    nhs = next(r for r in rows if r["form"] == "core" and r["prefilled_from"] == "nhs_number")
    assert nhs["identifying"] == "yes"
