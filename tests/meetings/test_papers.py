"""The papers' agency forms (issue 12, item 2): identifying answers withheld, narrative shown
only as the administrator redacted it (the original kept for administrators); the minutes,
pseudonymised; the actions tracker."""

from datetime import timedelta

import pytest
import time_machine

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from agency_forms.services import form_request_save, form_request_submit, form_requests_send
from cases.models import CaseState
from cases.services import ActionRecord, case_record_analysis
from meetings import services
from meetings.models import Redaction
from tests.agency_forms.factories import answer_everything
from tests.conftest import make_user, signed_in_client
from tests.meetings.factories import MEETING_AT, complete_analysis, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(panel, system):
    agency = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )
    officer = make_user("dc.smith@example.org", by=system)
    agency_membership_add(user=officer, agency=agency, role=AgencyRole.USER, by=system)
    return agency, officer


@pytest.fixture
def submitted(case, police, administrator):
    """The police's reporting form on the case, answered with a name in section A and a
    story naming the neighbour in the narrative of section F."""
    agency, officer = police
    [request] = form_requests_send(case=case, agencies=[agency], supplementary=[], by=administrator)
    request = answer_everything(request, officer)
    narrative = next(
        q
        for _s, q in request.definition.questions()
        if q["type"] == "text" and not q["identifying"]
    )
    request = form_request_save(
        form_request=request,
        section_key=next(
            s["key"] for s, q in request.definition.questions() if q["key"] == narrative["key"]
        ),
        answers={narrative["key"]: "Mrs Quill next door called 999 at 03:10."},
        version=request.version,
        by=officer,
    )
    request = form_request_submit(form_request=request, version=request.version, by=officer)
    request.narrative_key = narrative["key"]
    return request


def papers_of(user, item) -> str:
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        return signed_in_client(user).get(f"/meetings/agenda/{item.pk}/").content.decode()


def test_narrative_enters_the_papers_only_as_redacted_and_the_original_stays(
    meeting, case, submitted, administrator, member
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    page = papers_of(member, item)
    assert "Mrs Quill" not in page
    assert "Not shown until the administrator has redacted it" in page
    assert "Withheld: identifies a person" in page  # section A's names
    assert "Zephyr" not in page

    client = signed_in_client(administrator)
    form_page = client.get(f"/meetings/forms/{submitted.pk}/redact/").content.decode()
    assert "Mrs Quill next door called 999" in form_page
    client.post(
        f"/meetings/forms/{submitted.pk}/redact/",
        {submitted.narrative_key: "A neighbour called 999 at 03:10."},
    )
    assert Redaction.objects.get(question_key=submitted.narrative_key).text == (
        "A neighbour called 999 at 03:10."
    )
    page = papers_of(member, item)
    assert "A neighbour called 999 at 03:10." in page
    assert "Mrs Quill" not in page
    submitted.refresh_from_db()
    assert "Mrs Quill" in str(submitted.answers)  # the agency's words are kept
    assert "Mrs Quill" in papers_of(administrator, item)  # and shown to administrators


def test_an_agency_user_cannot_reach_the_redaction(submitted, police):
    _agency, officer = police
    assert (
        signed_in_client(officer).get(f"/meetings/forms/{submitted.pk}/redact/").status_code == 404
    )


def test_the_minutes_record_attendance_and_each_outcome_without_the_childs_details(
    meeting, case, administrator, chair, member
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    complete_analysis(case, chair)
    services.item_close(item=item, by=chair)
    invitation = meeting.invitations.get(user=member)
    services.attendance_record(meeting=meeting, attendance={invitation.pk: "apologies"}, by=chair)
    page = signed_in_client(member).get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert f"Case {case.number}" in page
    assert "Consanguinity" in page
    assert "Offer genetic counselling to related parents." in page
    assert "Milo" in page  # apologies
    for identifying in ("Zephyr", "Ada", "9434765919"):
        assert identifying not in page


def test_the_actions_tracker_lists_open_actions_and_marks_them_done_after_closure(
    meeting, case, administrator, chair
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    complete_analysis(
        case,
        chair,
        actions=[
            ActionRecord("Write to the GP", owner="CDOP administrator", due_date=MEETING_AT.date()),
            ActionRecord("Share the learning with midwives", level="regional"),
        ],
    )
    services.item_close(item=item, by=chair)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    client = signed_in_client(administrator)
    page = client.get("/meetings/actions/").content.decode()
    assert "Write to the GP" in page
    assert "Overdue" in page
    action = case.analysis.actions.get(description="Write to the GP")
    client.post(f"/meetings/actions/{action.pk}/done/")
    action.refresh_from_db()
    assert action.done
    row = '<td class="govuk-table__cell">Write to the GP</td>'
    assert row not in client.get("/meetings/actions/").content.decode()
    assert row in client.get("/meetings/actions/?show=all").content.decode()
    assert signed_in_client(chair).get("/meetings/actions/").status_code == 404


def test_an_action_kept_in_place_keeps_whether_it_is_done(case, administrator):
    analysis = case_record_analysis(
        case=case, by=administrator, actions=[ActionRecord("First"), ActionRecord("Second")]
    )
    first = analysis.actions.get(description="First")
    from cases.services import analysis_action_done

    analysis_action_done(action=first, done=True, by=administrator)
    case_record_analysis(case=case, by=administrator, actions=[ActionRecord("First, reworded")])
    assert list(analysis.actions.values_list("description", "done")) == [("First, reworded", True)]
