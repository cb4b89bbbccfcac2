"""The national submission (issue 12, item 10): each closed case's national data set record,
per case and per period, as JSON and CSV; each export recorded and shown on the case; a case
changed after its export listed for re-submission."""

import csv
import io
import json
from datetime import date

import pytest

from cases.services import (
    FactorRecord,
    case_close,
    case_mark_ready_for_panel,
    case_record_analysis,
    case_reopen,
)
from panels.models import Factor
from reporting.models import NationalExport
from tests.cases.factories import make_case
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def closed(panel, administrator, reviewed: date, **fields):
    case = case_mark_ready_for_panel(
        case=make_case(panel, administrator, **fields), by=administrator
    )
    case_record_analysis(
        case=case,
        by=administrator,
        primary_category=7,
        contributing_categories=[8],
        modifiable="yes",
        factors=[
            FactorRecord(Factor.objects.get(code="consanguinity"), "B", True, True),
            FactorRecord(Factor.objects.get(code="smoking"), "B", True, False),
        ],
    )
    return case_close(case=case, review_date=reviewed, by=administrator)


def period(client, start: date, end: date, file_format: str):
    return client.post(
        f"/national/export.{file_format}",
        {f"{name}_{n}": v for name, d in (("start", start), ("end", end))
         for n, v in enumerate((d.day, d.month, d.year))},
    )  # fmt: skip


def test_a_closed_cases_record_holds_its_notification_forms_and_analysis(panel, administrator):
    case = closed(panel, administrator, date(2024, 9, 1), family_name="Zephyr")
    client = signed_in_client(administrator)
    response = client.post(f"/national/cases/{case.pk}.json")
    [record] = json.loads(response.content)["records"]
    assert record["case_number"] == case.number
    assert record["notification"]["nhs_number"] == "9434765919"
    assert record["analysis"] == {
        "review_date": "2024-09-01",
        "primary_category": 7,
        "contributing_categories": [8],
        "modifiable": "yes",
        "factors": [
            {"code": "consanguinity", "domain": "B", "contributed": True, "modifiable": True,
             "description": ""},
            {"code": "smoking", "domain": "B", "contributed": True, "modifiable": False,
             "description": ""},
        ],
    }  # fmt: skip
    assert NationalExport.objects.filter(case=case, exported_by=administrator).count() == 1
    assert "Exported " in client.get(f"/cases/{case.pk}/").content.decode()


def test_the_period_csv_holds_the_cases_reviewed_in_it_and_only_those(panel, administrator):
    inside = closed(panel, administrator, date(2024, 9, 1), family_name="Inside")
    closed(panel, administrator, date(2025, 4, 1), family_name="After")
    response = period(signed_in_client(administrator), date(2024, 4, 1), date(2025, 3, 31), "csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["case_number"] for r in rows] == [inside.number]
    assert rows[0]["modifiable_factors"] == "consanguinity"
    assert rows[0]["factors"] == "consanguinity:B; smoking:B"


def test_a_case_changed_after_its_export_is_listed_to_send_again(panel, administrator):
    case = closed(panel, administrator, date(2024, 9, 1))
    client = signed_in_client(administrator)
    client.post(f"/national/cases/{case.pk}.json")
    assert case.number not in client.get("/national/").content.decode()
    case_reopen(case=case, reason="A late post-mortem report", by=administrator)
    assert case.number in client.get("/national/").content.decode()


def test_a_spreadsheet_cell_never_runs_as_a_formula():
    from reporting.national import _no_formula

    assert _no_formula("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _no_formula("Luton") == "Luton"


def test_an_open_case_has_no_record_and_others_cannot_export(panel, administrator, agency_a_user):
    case = make_case(panel, administrator)
    assert (
        signed_in_client(administrator).post(f"/national/cases/{case.pk}.json").status_code == 404
    )
    assert signed_in_client(agency_a_user).get("/national/").status_code == 404
