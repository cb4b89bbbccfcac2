"""The 12-month review target (issue 12, item 8): warnings at 6 and 9 months for cases not yet
on an agenda, a breach at 12 months to administrators and managers, each once, and only the
latest after a late run."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.review_target import review_target_watch
from cases.services import case_mark_ready_for_panel, case_pause, case_schedule
from core.models import OutboxEmail
from core.months import months_later, months_since
from tests.cases.factories import make_case
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

DIED = date(2025, 1, 31)


@pytest.fixture
def manager(panel, system):
    user = make_user("mani@example.org", by=system)
    panel_membership_add(user=user, panel=panel, role=PanelRole.MANAGER, by=system)
    return user


@pytest.fixture
def case(panel, administrator):
    with time_machine.travel(date(2025, 2, 3), tick=False):
        return make_case(
            panel,
            administrator,
            family_name="Zephyr",
            date_of_death=DIED,
            notified_on=date(2025, 2, 1),
        )


def watch(day: date, **options):
    with time_machine.travel(day, tick=False):
        return review_target_watch(**options)


def test_months_are_calendar_months_with_short_months_clamped():
    assert months_later(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert months_later(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert months_since(date(2025, 1, 31), date(2025, 2, 27)) == 0
    assert months_since(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert months_since(date(2024, 2, 29), date(2025, 2, 28)) == 12


def test_it_warns_at_6_and_9_months_and_flags_the_breach_at_12_to_the_manager_too(
    case, administrator, manager
):
    assert watch(date(2025, 7, 30)).lines == []  # 5 months
    six = watch(date(2025, 7, 31))
    assert six.lines == [(case.number, "review_warning_6_months", administrator.email)]
    assert watch(date(2025, 8, 1)).lines == []  # the same threshold: nothing again
    nine = watch(date(2025, 10, 31))
    assert nine.lines == [(case.number, "review_warning_9_months", administrator.email)]
    breach = watch(date(2026, 1, 31))
    assert set(breach.lines) == {
        (case.number, "review_breach_12_months", administrator.email),
        (case.number, "review_breach_12_months", manager.email),
    }
    assert watch(date(2026, 2, 2)).lines == []
    to_manager = OutboxEmail.objects.get(to=manager.email)
    assert f"Case {case.number}" in to_manager.body
    assert "12 months since the death" in to_manager.body
    for child in ("Zephyr", "Sam", "9434765919", "2020"):
        assert child not in to_manager.body + to_manager.subject


def test_a_late_run_sends_only_the_latest_threshold_reached(case, administrator):
    late = watch(date(2025, 12, 1))  # 10 months, never run before
    assert late.lines == [(case.number, "review_warning_9_months", administrator.email)]
    assert watch(date(2025, 12, 2)).already_sent == 1


def test_a_scheduled_case_gets_no_warning_but_still_its_breach(case, administrator):
    case_mark_ready_for_panel(case=case, by=administrator)
    case_schedule(case=case, by=administrator)
    assert watch(date(2025, 8, 1)).lines == []
    assert [line[1] for line in watch(date(2026, 2, 1)).lines] == ["review_breach_12_months"]


def test_a_paused_case_keeps_its_clock_and_the_warning_says_why(case, administrator):
    case_pause(case=case, reason="Inquest opened and adjourned", by=administrator)
    assert len(watch(date(2025, 8, 1)).lines) == 1
    email = OutboxEmail.objects.get(kind="review_warning_6_months")
    assert "Inquest opened and adjourned" in email.body


def test_it_runs_as_run_job_and_a_second_run_sends_nothing(case, administrator):
    out = StringIO()
    with time_machine.travel(date(2025, 8, 1), tick=False):
        call_command("run_job", "review_target_watch", "--dry-run", stdout=out)
        assert out.getvalue().splitlines() == [
            f"review_target_watch\t{case.number}\treview_warning_6_months\t{administrator.email}",
            "1 sent, 0 already sent before",
        ]
        assert not OutboxEmail.objects.filter(kind__startswith="review_").exists()
        call_command("run_job", "review_target_watch", stdout=StringIO())
        again = StringIO()
        call_command("run_job", "review_target_watch", stdout=again)
        assert again.getvalue().splitlines()[-1] == "0 sent, 1 already sent before"
