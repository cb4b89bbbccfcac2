"""The learning digest (issue 12, item 7): the learning and actions of the cases closed in a
period, grouped by theme, pseudonymised, edited by the administrator and exported as a PDF."""

from datetime import date

import pytest

from cases.services import ActionRecord, case_close, case_mark_ready_for_panel
from meetings import services
from meetings.models import LearningDigest
from tests.cases.factories import make_case
from tests.conftest import signed_in_client
from tests.meetings.factories import complete_analysis
from tests.meetings.test_follow_ups_and_pdfs import pdf_text

pytestmark = pytest.mark.django_db


def closed(panel, administrator, reviewed, **analysis):
    case = case_mark_ready_for_panel(
        case=make_case(panel, administrator, family_name="Zephyr"), by=administrator
    )
    complete_analysis(case, administrator, **analysis)
    return case_close(case=case, review_date=reviewed, by=administrator)


def test_the_draft_groups_learning_by_category_and_names_no_child(panel, administrator):
    case = closed(
        panel,
        administrator,
        date(2026, 5, 1),
        actions=[ActionRecord("Share the learning with health visitors", level="regional")],
    )
    closed(panel, administrator, date(2026, 11, 1), learning="Outside the period.")
    body = services.digest_draft(panel=panel, start=date(2026, 4, 1), end=date(2026, 9, 30))
    assert "## Chromosomal, genetic and congenital anomalies" in body
    assert "A child aged 1–4 years in Luton: Offer genetic counselling" in body
    assert "Action (regional): Share the learning with health visitors" in body
    assert "Consanguinity: 1 review" in body
    assert "Outside the period." not in body
    for identifying in (case.number, "Zephyr", "2020"):
        assert identifying not in body


def test_the_administrator_drafts_edits_and_downloads_it(panel, administrator):
    closed(panel, administrator, date(2026, 5, 1))
    client = signed_in_client(administrator)
    response = client.post(
        "/meetings/digests/",
        {"title": "Information sheet, spring 2026", "start_0": "1", "start_1": "4",
         "start_2": "2026", "end_0": "30", "end_1": "9", "end_2": "2026"},
    )  # fmt: skip
    digest = LearningDigest.objects.get()
    assert response["Location"] == f"/meetings/digests/{digest.pk}/"
    client.post(
        f"/meetings/digests/{digest.pk}/",
        {"title": digest.title, "body": "## Safer sleep\n\nEdited by the administrator."},
    )
    text = pdf_text(client.get(f"/meetings/digests/{digest.pk}/digest.pdf").content)
    assert "Safer sleep" in text
    assert "Edited by the administrator." in text
