"""Rapid response episodes (issue 11): the team sees the episode and the minimum of the case;
stages and actions; the planning clock of every unexpected death."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from cases.models import CaseEvent
from core.models import AccessEvent, OutboxEmail
from rapid_response.clock import planning_due_on, rapid_response_clock
from rapid_response.models import PlanningMissed, RapidResponseCriterion, StageKind, TeamRole
from rapid_response.services import (
    action_add,
    action_mark_done,
    episode_close,
    episode_open,
    stage_record,
    team_member_add,
    team_member_remove,
)
from tests.cases.factories import make_case
from tests.conftest import make_user, sign_in, signed_in_client

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def police(panel, system):
    return agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )


def officer_of(agency, name, system):
    user = make_user(f"{name}@example.org", by=system)
    agency_membership_add(user=user, agency=agency, role=AgencyRole.USER, by=system)
    return user


client_of = signed_in_client


@pytest.fixture
def case(panel, administrator):
    return make_case(panel, administrator, family_name="Zephyr", death_type="unexpected")


@pytest.fixture
def episode(case, administrator):
    return episode_open(
        case=case,
        criteria=[RapidResponseCriterion.objects.get(code="sudden_unexplained")],
        started_at=timezone.now(),
        by=administrator,
    )


def test_the_team_sees_the_episode_and_the_minimum_of_the_case_and_nothing_else(
    episode, case, police, administrator, system
):
    on_team, off_team = officer_of(police, "on", system), officer_of(police, "off", system)
    member = team_member_add(episode=episode, role=TeamRole.POLICE, user=on_team, by=administrator)
    url = f"/rapid-response/{episode.pk}/"
    page = client_of(on_team).get(url).content.decode()
    assert "Zephyr" in page
    assert "Sudden death with no immediately apparent cause" in page
    assert AccessEvent.objects.filter(path=url, user=on_team).count() == 1
    assert client_of(on_team).get(f"/cases/{case.pk}/").status_code == 404  # not the case
    assert client_of(off_team).get(url).status_code == 404  # same agency, not on the team
    # Off the team: no access from the next request.
    team_member_remove(member=member, by=administrator)
    assert client_of(on_team).get(url).status_code == 404


def test_the_stages_and_actions_are_recorded_and_an_action_is_done_by_its_owner(
    episode, case, police, administrator, system
):
    officer = officer_of(police, "officer", system)
    team_member_add(episode=episode, role=TeamRole.POLICE, user=officer, by=administrator)
    stage_record(
        episode=episode,
        kind=StageKind.PLANNING,
        held_at=timezone.now(),
        attendees="Paediatrician, DC Smith, duty social worker",
        notes="",
        decisions="Visit the home tomorrow",
        by=administrator,
    )
    action = action_add(
        episode=episode,
        description="Check the siblings are safe",
        owner=officer,
        due_on=timezone.localdate(),
        by=administrator,
    )
    with pytest.raises(ValidationError, match="someone on the team"):
        action_add(
            episode=episode,
            description="By an outsider",
            owner=officer_of(police, "outsider", system),
            due_on=timezone.localdate(),
            by=administrator,
        )
    home = client_of(officer).get("/").content.decode()
    assert "Check the siblings are safe" in home  # on the owner's home page
    response = client_of(officer).post(f"/rapid-response/actions/{action.pk}/done/")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None
    assert action.done_by == officer
    assert action_mark_done(action=action, by=administrator).done_by == officer  # once
    with pytest.raises(ValidationError, match="final case discussion"):
        episode_close(episode=episode, outcome="Natural causes", by=administrator)
    stage_record(
        episode=episode,
        kind=StageKind.FINAL_DISCUSSION,
        held_at=timezone.now(),
        attendees="The team",
        notes="Post-mortem: bronchopneumonia",
        decisions="",
        by=administrator,
    )
    episode_close(episode=episode, outcome="Natural causes; family supported", by=administrator)
    timeline = CaseEvent.objects.filter(case=case).values_list("kind", "detail")
    assert ("rapid_response_closed", "Natural causes; family supported") in list(timeline)
    page = client_of(administrator).get(f"/cases/{case.pk}/").content.decode()
    assert "Natural causes; family supported" in page
    assert "Check the siblings are safe: Officer, done" in page  # its actions, on the case


def test_an_expected_death_has_no_rapid_response(panel, administrator):
    expected = make_case(panel, administrator, death_type="expected")
    with pytest.raises(ValidationError, match="unexpected"):
        episode_open(
            case=expected,
            criteria=list(RapidResponseCriterion.objects.all()[:1]),
            started_at=timezone.now(),
            by=administrator,
        )


@pytest.mark.parametrize(
    ("notified", "due"),
    [
        (date(2026, 4, 1), date(2026, 4, 2)),  # Wednesday → Thursday
        (date(2026, 4, 2), date(2026, 4, 7)),  # Thursday → past Good Friday and Easter Monday
        (date(2026, 5, 1), date(2026, 5, 5)),  # Friday → past the May bank holiday
        (date(2026, 12, 24), date(2026, 12, 29)),  # Christmas Eve → past Christmas and Boxing Day
    ],
)
def test_the_planning_discussion_is_due_the_next_working_day(notified, due):
    assert planning_due_on(notified) == due


def test_the_clock_flags_a_missed_planning_discussion_once_and_catches_up_late(
    panel, administrator, system
):
    missed = make_case(panel, administrator, death_type="unexpected", notified_on=date(2026, 4, 2))
    held = make_case(panel, administrator, death_type="not_determined", family_name="Held",
                     notified_on=date(2026, 4, 2))  # fmt: skip
    make_case(panel, administrator, death_type="expected", notified_on=date(2026, 4, 2))
    episode = episode_open(
        case=held,
        criteria=list(RapidResponseCriterion.objects.all()[:1]),
        started_at=datetime(2026, 4, 2, 15, 0, tzinfo=LONDON),
        by=administrator,
    )
    with time_machine.travel(datetime(2026, 4, 7, 9, 0, tzinfo=LONDON), tick=False):
        stage_record(episode=episode, kind=StageKind.PLANNING,
                     held_at=datetime(2026, 4, 7, 8, 0, tzinfo=LONDON),
                     attendees="The team", notes="", decisions="", by=administrator)  # fmt: skip
        # Due on Tuesday 7 April (after Easter): not missed on the day itself.
        assert rapid_response_clock(today=date(2026, 4, 7)).lines == []
    # The beat was down for days: the next run flags the one that was missed, once.
    first = rapid_response_clock(today=date(2026, 4, 13))
    assert first.lines == [(missed.number, "planning_missed", administrator.email)]
    assert rapid_response_clock(today=date(2026, 4, 14)).lines == []
    assert PlanningMissed.objects.get().case == missed
    email = OutboxEmail.objects.get(kind="planning_missed")
    assert missed.number in email.subject
    assert "Example" not in email.body  # no child details
    out = StringIO()
    call_command("run_job", "rapid_response_clock", stdout=out)
    assert out.getvalue().splitlines()[-1] == "0 sent, 1 already sent before"


def test_the_administrators_dashboard_lists_a_missed_planning_discussion(
    client, panel, administrator
):
    late = make_case(panel, administrator, death_type="unexpected", notified_on=date(2026, 1, 5))
    sign_in(client, administrator)
    page = client.get("/").content.decode()
    assert "planning discussion missed for 1 unexpected death" in page
    assert late.number in page


@pytest.mark.parametrize("kind", StageKind.values)
def test_each_stage_is_recorded_then_corrected_and_refused_in_the_future(
    episode, administrator, kind
):
    from datetime import timedelta

    stage = stage_record(episode=episode, kind=kind, held_at=timezone.now(), attendees="Team",
                         notes="First", decisions="", by=administrator)  # fmt: skip
    again = stage_record(episode=episode, kind=kind, held_at=timezone.now(), attendees="Team",
                         notes="Corrected", decisions="", by=administrator)  # fmt: skip
    assert again.pk == stage.pk
    assert episode.stages.get(kind=kind).notes == "Corrected"
    with pytest.raises(ValidationError, match="once it has happened"):
        stage_record(episode=episode, kind=kind, held_at=timezone.now() + timedelta(hours=2),
                     attendees="Team", notes="", decisions="", by=administrator)  # fmt: skip
    with pytest.raises(ValidationError, match="who took part"):
        stage_record(episode=episode, kind=kind, held_at=timezone.now(), attendees=" ",
                     notes="", decisions="", by=administrator)  # fmt: skip
