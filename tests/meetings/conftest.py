"""The meeting tests' people and meeting: BEDS's next meeting, its chair and a member invited."""

from datetime import timedelta

import pytest
import time_machine

from accounts.models import PanelRole
from meetings import services
from tests.meetings.factories import BEFORE, MEETING_AT, panel_person, ready_case


@pytest.fixture
def chair(panel, system):
    return panel_person(panel, system, "chloe", PanelRole.CHAIR)


@pytest.fixture
def member(panel, system):
    return panel_person(panel, system, "milo", PanelRole.MEMBER)


@pytest.fixture
def meeting(panel, administrator, chair, member):
    with time_machine.travel(BEFORE, tick=False):
        meeting = services.meeting_schedule(
            panel=panel, starts_at=MEETING_AT, place="Room 4, Borough Hall", by=administrator
        )
        services.meeting_invite(meeting=meeting, users=[chair, member], by=administrator)
        return services.meeting_update(
            meeting=meeting, papers_from=MEETING_AT - timedelta(days=7), by=administrator
        )


@pytest.fixture
def case(panel, administrator):
    return ready_case(panel, administrator, family_name="Zephyr", given_names="Ada")
