"""Meetings for tests: BEDS's next meeting on 17 June 2026, papers open a week before."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from accounts.services import panel_membership_add
from cases.services import FactorRecord, case_mark_ready_for_panel, case_record_analysis
from meetings import services
from panels.models import Factor, ModifiableDecision
from tests.cases.factories import make_case
from tests.conftest import make_user

LONDON = ZoneInfo("Europe/London")
MEETING_AT = datetime(2026, 6, 17, 10, 0, tzinfo=LONDON)
BEFORE = datetime(2026, 6, 10, 9, 0, tzinfo=LONDON)


def panel_person(panel, system, name, role):
    user = make_user(f"{name}@example.org", by=system)
    panel_membership_add(user=user, panel=panel, role=role, by=system)
    return user


def ready_case(panel, administrator, **fields):
    case = make_case(panel, administrator, **fields)
    return case_mark_ready_for_panel(case=case, by=administrator)


def complete_analysis(case, by, **changes):
    consanguinity = Factor.objects.get(code="consanguinity")
    fields = {
        "primary_category": 7,
        "modifiable": ModifiableDecision.YES,
        "factors": [FactorRecord(consanguinity, "B", contributed=True, modifiable=True)],
        "summary": "Born with a rare recessive condition.",
        "learning": "Offer genetic counselling to related parents.",
        **changes,
    }
    return case_record_analysis(case=case, by=by, **fields)


def started(meeting, chair):
    with time_machine.travel(MEETING_AT, tick=False):
        return services.meeting_start(meeting=meeting, by=chair)
