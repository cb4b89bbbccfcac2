"""Notifications become cases; cases move through the review one allowed step at a time."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseEvent, CaseState, TriageStatus
from cases.services import (
    TransitionError,
    case_close,
    case_defer,
    case_mark_ready_for_panel,
    case_open,
    case_pause,
    case_reopen,
    case_resume,
    case_schedule,
    case_start_information_gathering,
    notification_merge,
)
from cases.validators import nhs_number_is_valid
from tests.cases.factories import make_case, make_notification


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("9434765918", False),
        ("123", False),
        ("943476591X", False),
        ("0000000000", True),
        ("1000000001", True),
        ("1000000000", False),
    ],
)
def test_it_checks_nhs_numbers_with_the_modulus_11_digit(number, valid):
    assert nhs_number_is_valid(number) is valid


@pytest.mark.django_db
def test_opening_a_case_numbers_it_by_panel_and_year_of_notification(panel, administrator):
    first = make_case(panel, administrator)
    second = make_case(panel, administrator, nhs_number="4010232137")
    assert first.number == "BEDS-2024-0001"
    assert second.number == "BEDS-2024-0002"
    assert first.state == CaseState.NOTIFIED
    assert first.notifications.get().triage_status == TriageStatus.CASE_OPENED
    event = CaseEvent.objects.get(case=first)
    assert event.by == administrator
    assert first.history.latest().history_user == administrator


@pytest.mark.django_db
def test_a_notification_opens_one_case_only(panel, administrator):
    notification = make_notification(panel, administrator)
    case_open(notification=notification, by=administrator)
    with pytest.raises(TransitionError):
        case_open(notification=notification, by=administrator)


@pytest.mark.django_db
def test_a_case_moves_through_review_to_closure(panel, administrator):
    from datetime import date

    from panels.models import Analysis

    case = make_case(panel, administrator)
    case = case_start_information_gathering(case=case, by=administrator)
    case = case_mark_ready_for_panel(case=case, by=administrator)
    case = case_schedule(case=case, by=administrator)
    case = case_defer(case=case, reason="Post-mortem report awaited", by=administrator)
    assert case.state == CaseState.READY_FOR_PANEL
    case = case_schedule(case=case, by=administrator)
    with pytest.raises(ValidationError, match="analysis"):
        case_close(case=case, review_date=date(2024, 9, 1), by=administrator)
    Analysis.objects.create(case=case, primary_category_id=10, modifiable="no")
    case = case_close(case=case, review_date=date(2024, 9, 1), by=administrator)
    assert case.state == CaseState.CLOSED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "opened",
        "state_changed",
        "state_changed",
        "state_changed",
        "deferred",
        "state_changed",
        "closed",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (case_schedule, {}),
        (case_defer, {"reason": "x"}),
        (case_resume, {}),
        (case_reopen, {"reason": "x"}),
    ],
)
def test_it_refuses_a_step_the_case_cannot_take_from_where_it_is(
    panel, administrator, service, kwargs
):
    case = make_case(panel, administrator)
    with pytest.raises(TransitionError):
        service(case=case, by=administrator, **kwargs)
    case.refresh_from_db()
    assert case.state == CaseState.NOTIFIED
    assert case.events.count() == 1


@pytest.mark.django_db
def test_a_paused_case_shows_why_and_resumes_where_it_was(panel, administrator):
    case = make_case(panel, administrator)
    case = case_start_information_gathering(case=case, by=administrator)
    with pytest.raises(ValidationError):
        case_pause(case=case, reason="  ", by=administrator)
    case = case_pause(case=case, reason="Inquest", by=administrator)
    assert case.state == CaseState.PAUSED
    assert case.pause_reason == "Inquest"
    case = case_resume(case=case, by=administrator)
    assert case.state == CaseState.INFORMATION_GATHERING
    assert case.pause_reason == ""


@pytest.mark.django_db
def test_a_second_notification_of_the_same_death_joins_the_case(panel, administrator):
    case = make_case(panel, administrator)
    police = make_notification(panel, administrator, notifier_organisation="Police")
    notification_merge(notification=police, case=case, by=administrator)
    assert sorted(case.notifications.values_list("triage_status", flat=True)) == [
        "case_opened",
        "merged",
    ]
    assert case.events.filter(kind="notification_merged").exists()
