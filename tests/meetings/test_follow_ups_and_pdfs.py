"""Follow-ups triggered by factors (issue 12, item 6) and the meeting's PDFs: the papers pack
(pseudonymised, inside the window), the minutes and the follow-up letter."""

from datetime import timedelta

import pytest
import time_machine

from cases.services import case_reopen
from core.models import AccessEvent
from meetings import services
from meetings.models import FollowUp
from panels.models import ModifiableDecision
from tests.conftest import signed_in_client
from tests.meetings.factories import MEETING_AT, complete_analysis, started

pytestmark = pytest.mark.django_db


def closed_at_the_meeting(meeting, case, administrator, chair, **analysis):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    complete_analysis(case, chair, **analysis)
    return services.item_close(item=item, by=chair)


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_closing_with_consanguinity_modifiable_drafts_the_gp_letter_once(
    meeting, case, administrator, chair
):
    closed_at_the_meeting(meeting, case, administrator, chair)
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.rule.title == "Genetic counselling"
    assert "Ada Zephyr, born 1 February 2020" in follow_up.letter
    assert case.number in follow_up.letter
    assert "$" not in follow_up.letter  # every placeholder filled

    # Re-opened and closed again: no second letter.
    case_reopen(case=case, reason="A late report", by=administrator)
    from cases.services import case_close

    case_close(case=case, review_date=MEETING_AT.date(), by=administrator)
    services.follow_ups_draft(case=case, by=administrator)
    assert FollowUp.objects.filter(case=case).count() == 1


def test_a_closure_without_the_factor_modifiable_drafts_nothing(
    meeting, case, administrator, chair
):
    closed_at_the_meeting(
        meeting, case, administrator, chair, modifiable=ModifiableDecision.NO, factors=[]
    )
    assert not FollowUp.objects.exists()


def test_the_administrator_downloads_the_letter_and_marks_it_sent(
    meeting, case, administrator, chair, member
):
    closed_at_the_meeting(meeting, case, administrator, chair)
    follow_up = FollowUp.objects.get()
    client = signed_in_client(administrator)
    assert "Genetic counselling" in client.get("/meetings/follow-ups/").content.decode()
    letter = client.get(f"/meetings/follow-ups/{follow_up.pk}/letter.pdf")
    assert letter["Content-Type"] == "application/pdf"
    text = pdf_text(letter.content)
    assert "genetic counselling" in text
    assert "Ada Zephyr" in text
    assert AccessEvent.objects.filter(detail="follow-up letter", user=administrator).exists()
    client.post(f"/meetings/follow-ups/{follow_up.pk}/sent/")
    follow_up.refresh_from_db()
    assert follow_up.sent_by == administrator
    assert (
        signed_in_client(member).get(f"/meetings/follow-ups/{follow_up.pk}/letter.pdf").status_code
        == 404
    )


def test_the_papers_pack_is_pseudonymised_and_only_inside_the_window(
    meeting, case, administrator, member
):
    services.agenda_add(meeting=meeting, case=case, by=administrator)
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        response = signed_in_client(member).get(f"/meetings/{meeting.pk}/papers.pdf")
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert f"Case {case.number}" in text
        for identifying in ("Zephyr", "Ada", "9434765919"):
            assert identifying not in text
    assert AccessEvent.objects.filter(detail="meeting papers pack", user=member).exists()
    with time_machine.travel(meeting.papers_close_at + timedelta(hours=1)):
        assert signed_in_client(member).get(f"/meetings/{meeting.pk}/papers.pdf").status_code == 404


def test_the_minutes_pdf_records_the_outcome(meeting, case, administrator, chair):
    closed_at_the_meeting(meeting, case, administrator, chair)
    response = signed_in_client(chair).get(f"/meetings/{meeting.pk}/minutes.pdf")
    text = pdf_text(response.content)
    assert f"Case {case.number}" in text
    assert "Consanguinity" in text
    assert "Zephyr" not in text
