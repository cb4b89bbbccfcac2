"""Panel meetings (issue 12): the agenda moves cases between ready and scheduled; members read
pseudonymised papers only for their meetings, inside the window and never for a declared
interest; the chair records the analysis and closes (refused when incomplete) or defers."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import PanelRole
from accounts.services import panel_membership_add, panel_membership_remove
from cases.models import CaseEvent, CaseState
from cases.services import case_record_analysis
from core.models import AccessEvent
from meetings import services
from meetings.models import Attendance, MeetingStatus, Outcome
from tests.cases.factories import make_case
from tests.conftest import make_user, signed_in_client
from tests.meetings.factories import (
    MEETING_AT,
    complete_analysis,
    panel_person,
    ready_case,
    started,
)

pytestmark = pytest.mark.django_db


def test_putting_a_case_on_the_agenda_schedules_it_and_taking_it_off_makes_it_ready(
    meeting, case, administrator
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator, minutes=30)
    case.refresh_from_db()
    assert case.state == CaseState.SCHEDULED
    assert (item.position, item.minutes) == (1, 30)
    services.agenda_remove(item=item, by=administrator)
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    assert CaseEvent.objects.filter(case=case, detail="Taken off the agenda").exists()


def test_only_a_case_ready_for_panel_and_of_the_meetings_panel_goes_on_the_agenda(
    meeting, panel, administrator, system
):
    gathering = make_case(panel, administrator)
    with pytest.raises(ValidationError, match="notified cannot be"):
        services.agenda_add(meeting=meeting, case=gathering, by=administrator)
    from panels.services import panel_setup

    other = panel_setup(code="HERTS", name="Hertfordshire CDOP", areas=["Watford"], by=system)
    theirs = make_user("them@example.org", by=system)
    panel_membership_add(user=theirs, panel=other.panel, role=PanelRole.ADMINISTRATOR, by=system)
    foreign = ready_case(other.panel, theirs, area=other.panel.areas.get())
    with pytest.raises(ValidationError, match="another panel"):
        services.agenda_add(meeting=meeting, case=foreign, by=administrator)


def test_the_agenda_keeps_its_order_when_cases_move_and_leave(meeting, panel, administrator):
    cases = [ready_case(panel, administrator, family_name=n) for n in ("Ash", "Birch", "Cedar")]
    items = [services.agenda_add(meeting=meeting, case=c, by=administrator) for c in cases]
    services.agenda_move(item=items[2], up=True, by=administrator)
    assert [i.case.family_name for i in meeting.items.order_by("position")] == [
        "Ash",
        "Cedar",
        "Birch",
    ]
    services.agenda_remove(item=items[0], by=administrator)
    assert [(i.position, i.case.family_name) for i in meeting.items.order_by("position")] == [
        (1, "Cedar"),
        (2, "Birch"),
    ]


def test_cancelling_the_meeting_makes_its_cases_ready_again(meeting, case, administrator):
    services.agenda_add(meeting=meeting, case=case, by=administrator)
    services.meeting_cancel(meeting=meeting, by=administrator)
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    assert not meeting.items.exists()


def test_closing_refuses_an_incomplete_analysis_and_names_what_is_missing(
    meeting, case, administrator, chair
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    case_record_analysis(case=case, by=chair, summary="Discussed at length.")
    with pytest.raises(ValidationError) as refused:
        services.item_close(item=item, by=chair)
    assert "the primary category of death" in str(refused.value)
    assert "the decision on modifiable factors" in str(refused.value)
    case.refresh_from_db()
    assert case.state == CaseState.SCHEDULED

    complete_analysis(case, chair, factors=[])  # yes, but no factor marked modifiable
    with pytest.raises(ValidationError, match="a factor marked modifiable"):
        services.item_close(item=item, by=chair)


def test_closing_a_complete_analysis_closes_the_case_on_the_meetings_date(
    meeting, case, administrator, chair
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    complete_analysis(case, chair)
    services.item_close(item=item, by=chair)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.closed_on == MEETING_AT.date()
    item.refresh_from_db()
    assert item.outcome == Outcome.CLOSED
    services.meeting_finish(meeting=meeting, by=chair)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_deferring_keeps_the_analysis_so_far_and_the_case_is_ready_for_the_next_meeting(
    meeting, case, administrator, chair
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    case_record_analysis(case=case, by=chair, primary_category=5)
    with pytest.raises(ValidationError, match="Enter why"):
        services.item_defer(item=item, reason=" ", by=chair)
    services.item_defer(item=item, reason="Post-mortem report awaited", by=chair)
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    assert case.analysis.primary_category_id == 5
    item.refresh_from_db()
    assert (item.outcome, item.reason) == (Outcome.DEFERRED, "Post-mortem report awaited")


def test_the_meeting_does_not_finish_with_a_case_still_to_decide(
    meeting, case, administrator, chair
):
    services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    with pytest.raises(ValidationError, match=f"still to decide {case.number}"):
        services.meeting_finish(meeting=meeting, by=chair)


# --- Papers: who reads them, and when -------------------------------------------------------


def papers_url(item):
    return f"/meetings/agenda/{item.pk}/"


def test_an_invited_member_reads_pseudonymised_papers_inside_the_window_only(
    meeting, case, administrator, member
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    with time_machine.travel(MEETING_AT - timedelta(days=8)):  # before the release
        assert signed_in_client(member).get(papers_url(item)).status_code == 404
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        response = signed_in_client(member).get(papers_url(item))
        assert response.status_code == 200
        page = response.content.decode()
        assert case.number in page
        for identifying in ("Zephyr", "Ada", "943 476 5919", "9434765919", "1 February 2020"):
            assert identifying not in page
        assert "1–4 years" in page  # born February 2020, died March 2024
    assert AccessEvent.objects.filter(
        user=member, object_id=str(case.pk), detail="meeting papers"
    ).exists()
    with time_machine.travel(meeting.papers_close_at + timedelta(minutes=1)):  # the window closed
        client = signed_in_client(member)
        assert client.get(papers_url(item)).status_code == 404
        assert client.get(f"/meetings/{meeting.pk}/").status_code == 200  # the meeting stays


def test_papers_are_for_the_invited_and_end_with_the_role_or_an_interest(
    meeting, case, panel, administrator, member, system
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    uninvited = panel_person(panel, system, "ursula", PanelRole.MEMBER)
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        assert signed_in_client(uninvited).get(papers_url(item)).status_code == 404
        assert signed_in_client(uninvited).get(f"/meetings/{meeting.pk}/").status_code == 404
        client = signed_in_client(member)
        assert client.get(papers_url(item)).status_code == 200
        services.interest_declare(item=item, user=member, note="Knows the family", by=administrator)
        assert client.get(papers_url(item)).status_code == 404
        assert "you declared an interest" in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_a_member_removed_from_the_panel_loses_the_papers_on_the_next_request(
    meeting, case, panel, administrator, member, system
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        client = signed_in_client(member)
        assert client.get(papers_url(item)).status_code == 200
        membership = member.panel_memberships.get(panel=panel)
        panel_membership_remove(membership=membership, by=system)
        assert client.get(papers_url(item)).status_code == 404


def test_the_chair_reveals_identifying_details_only_with_a_reason_during_the_meeting(
    meeting, case, administrator, chair
):
    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    client = signed_in_client(chair)
    with time_machine.travel(MEETING_AT - timedelta(days=1)):
        assert (
            client.post(f"/meetings/agenda/{item.pk}/reveal/", {"reason": "x"}).status_code == 403
        )
    started(meeting, chair)
    with time_machine.travel(MEETING_AT + timedelta(minutes=30)):
        client = signed_in_client(chair)
        assert "Zephyr" not in client.get(papers_url(item)).content.decode()
        response = client.post(f"/meetings/agenda/{item.pk}/reveal/", {"reason": ""})
        assert "Enter the reason" in response.content.decode()
        client.post(
            f"/meetings/agenda/{item.pk}/reveal/",
            {"reason": "To match the hospital's records"},
        )
        assert "Zephyr" in client.get(papers_url(item)).content.decode()
    assert AccessEvent.objects.filter(
        user=chair, detail="identifying details revealed to the chair"
    ).exists()


def test_attendance_is_recorded_by_invitation(meeting, chair, member):
    started(meeting, chair)
    invitations = {i.user_id: i for i in meeting.invitations.all()}
    services.attendance_record(
        meeting=meeting,
        attendance={
            invitations[chair.pk].pk: Attendance.PRESENT,
            invitations[member.pk].pk: Attendance.APOLOGIES,
        },
        by=chair,
    )
    assert dict(meeting.invitations.values_list("user_id", "attendance")) == {
        chair.pk: Attendance.PRESENT,
        member.pk: Attendance.APOLOGIES,
    }


def test_only_the_panels_chairs_and_members_are_invited(meeting, panel, administrator, system):
    outsider = make_user("olive@example.org", by=system)
    with pytest.raises(ValidationError, match="not Olive"):
        services.meeting_invite(meeting=meeting, users=[outsider], by=administrator)


def test_a_closed_case_refuses_every_change_until_re_opened(meeting, case, administrator, chair):
    from cases import services as case_services

    item = services.agenda_add(meeting=meeting, case=case, by=administrator)
    started(meeting, chair)
    complete_analysis(case, chair)
    services.item_close(item=item, by=chair)
    case.refresh_from_db()
    writes = [
        lambda: case_record_analysis(case=case, by=chair, primary_category=3),
        lambda: case_services.case_update_details(case=case, by=administrator, key_worker=None),
        lambda: case_services.related_process_add(
            case=case, by=administrator, kind="inquest", notes="Opened"
        ),
        lambda: case_services.case_note_add(
            case=case,
            kind="call",
            occurred_on=timezone.localdate(),
            text="Called the GP",
            by=administrator,
        ),
        lambda: case_services.case_pause(case=case, reason="Inquest", by=administrator),
    ]
    for write in writes:
        with pytest.raises(ValidationError):
            write()
    case_services.case_reopen(case=case, reason="New evidence", by=administrator)
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    assert case.closed_on is None


def test_closure_locks_the_forms_and_the_rapid_response_too(
    meeting, case, administrator, chair, system
):
    from datetime import timedelta

    from accounts.models import AgencyRole, AgencyType
    from accounts.services import agency_create, agency_membership_add
    from agency_forms.services import form_request_return, form_request_save, form_requests_send
    from rapid_response.models import RapidResponseCriterion
    from rapid_response.services import episode_open, stage_record
    from tests.agency_forms.factories import answer_everything

    police = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[case.panel], by=system
    )
    officer = make_user("dc.smith@example.org", by=system)
    agency_membership_add(user=officer, agency=police, role=AgencyRole.USER, by=system)
    gathering = make_case(case.panel, administrator, death_type="unexpected")
    submitted, draft = form_requests_send(
        case=gathering, agencies=[police], supplementary=["sudi"], by=administrator
    )
    answer_everything(submitted, officer)
    from agency_forms.services import form_request_submit

    submitted.refresh_from_db()
    form_request_submit(form_request=submitted, version=submitted.version, by=officer)
    from agency_forms.services import form_request_waive

    form_request_waive(form_request=draft, reason="Not involved", by=administrator)
    episode = episode_open(
        case=gathering,
        criteria=list(RapidResponseCriterion.objects.all()[:1]),
        started_at=timezone.now(),
        by=administrator,
    )
    gathering.refresh_from_db()
    item = services.agenda_add(meeting=meeting, case=gathering, by=administrator)
    started(meeting, chair)
    complete_analysis(gathering, chair)
    services.item_close(item=item, by=chair)
    submitted.refresh_from_db()
    writes = [
        lambda: form_requests_send(
            case=gathering, agencies=[police], supplementary=[], by=administrator
        ),
        lambda: form_request_return(
            form_request=submitted,
            reason="More detail",
            due_on=timezone.localdate() + timedelta(days=10),
            by=administrator,
        ),
        lambda: form_request_save(
            form_request=submitted,
            section_key="A",
            answers={},
            version=submitted.version,
            by=officer,
        ),
        lambda: stage_record(
            episode=episode,
            kind="planning",
            held_at=timezone.now(),
            attendees="Dr Patel",
            notes="",
            decisions="",
            by=administrator,
        ),
        lambda: services.redactions_save(form_request=submitted, texts={}, by=administrator),
    ]
    for write in writes:
        with pytest.raises(ValidationError):
            write()
