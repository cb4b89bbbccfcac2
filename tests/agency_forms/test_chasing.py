"""The chase of reporting form requests (issue 10, item 5): a ladder of reminders in working
days, escalations from the second overdue reminder, each sent once however often and however
late the job runs."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from agency_forms.chasing import form_requests_chase
from agency_forms.models import FormReminder, FormRequest, RequestStatus
from agency_forms.services import (
    form_request_extend,
    form_request_waive,
    form_requests_send,
    request_link,
)
from cases.models import CaseState
from core.history import save_with_actor
from core.models import OutboxEmail, OutboxStatus
from core.working_days import is_working_day
from panels.services import panel_setup, panel_update
from tests.cases.factories import make_case
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 17)  # a Wednesday, with no bank holiday near
ALLOWED = 15  # working days a panel gives an agency, by default


def working_days_before(day: date, days: int) -> date:
    while days:
        day -= timedelta(days=1)
        days -= is_working_day(day)
    return day


@pytest.fixture
def police(panel, system):
    """An agency with a lead and two users."""
    agency = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )
    for email, role in [
        ("lena@example.org", AgencyRole.LEAD),
        ("mo@example.org", AgencyRole.USER),
        ("nia@example.org", AgencyRole.USER),
    ]:
        agency_membership_add(user=make_user(email, by=system), agency=agency, role=role, by=system)
    return agency


@pytest.fixture
def trust(panel, system):
    """An agency with no lead: its escalations go to the panel's administrators."""
    agency = agency_create(
        name="Luton and Dunstable Hospital",
        agency_type=AgencyType.ACUTE_TRUST,
        panels=[panel],
        by=system,
    )
    user = make_user("tom@example.org", by=system)
    agency_membership_add(user=user, agency=agency, role=AgencyRole.USER, by=system)
    return agency


POLICE = ["lena@example.org", "mo@example.org", "nia@example.org"]  # by name
LEAD = "lena@example.org"


@pytest.fixture
def ask(panel, administrator):
    """A new case's reporting form asked of `agency`, sent so that it is due on `due`."""

    def ask(agency, due: date, **options) -> FormRequest:
        with time_machine.travel(working_days_before(due, ALLOWED), tick=False):
            case = make_case(panel, administrator, family_name="Zephyr", given_names="Ada")
            (request,) = form_requests_send(
                case=case, agencies=[agency], supplementary=[], by=administrator, **options
            )
        assert request.due_on == due
        return request

    return ask


def chase(day: date, **options):
    with time_machine.travel(day, tick=False):
        return form_requests_chase(**options)


def lines_of(request: FormRequest, kind: str, *emails: str) -> set[tuple[str, str, str]]:
    return {(request.case.number, kind, email) for email in emails}


def chased_emails():
    return OutboxEmail.objects.exclude(kind="form_requested")


def test_it_sends_each_request_the_latest_reminder_due_and_escalates_from_the_second_overdue(
    ask, police, trust, administrator
):
    from accounts.models import User

    mo = User.objects.get(email="mo@example.org")
    not_yet = ask(police, date(2026, 6, 23))  # 4 working days to go
    before_due = ask(police, date(2026, 6, 22))  # 3 working days to go
    due_today = ask(police, TODAY)
    late_1 = ask(police, date(2026, 6, 16))
    late_5 = ask(police, date(2026, 6, 10))
    late_10 = ask(police, date(2026, 6, 3))
    late_15 = ask(police, date(2026, 5, 27))
    named = ask(police, date(2026, 6, 10), named=mo)
    no_lead = ask(trust, date(2026, 6, 3))
    waived = ask(police, TODAY)
    submitted = ask(police, TODAY)
    closed = ask(police, TODAY)
    with time_machine.travel(TODAY, tick=False):
        form_request_waive(form_request=waived, reason="No involvement", by=administrator)
    submitted.status = RequestStatus.SUBMITTED  # as form_request_submit leaves it
    save_with_actor(submitted, by=administrator)
    closed.case.state = CaseState.CLOSED
    save_with_actor(closed.case, by=administrator)

    result = chase(TODAY)

    assert len(result.lines) == len(set(result.lines))
    assert set(result.lines) == (
        lines_of(before_due, "reminder_before_due", *POLICE)
        | lines_of(due_today, "reminder_due", *POLICE)
        | lines_of(late_1, "reminder_due", *POLICE)  # the latest step due: not a stale one
        | lines_of(late_5, "reminder_overdue_1", *POLICE)
        | lines_of(late_10, "reminder_overdue_2", *POLICE)
        | lines_of(late_10, "escalation", LEAD)
        | lines_of(late_15, "reminder_overdue_3", *POLICE)
        | lines_of(late_15, "escalation", LEAD)
        | lines_of(named, "reminder_overdue_1", "mo@example.org")
        | lines_of(no_lead, "reminder_overdue_2", "tom@example.org")
        | lines_of(no_lead, "escalation", administrator.email)
    )
    assert {(e.case_number, e.kind, e.to) for e in chased_emails()} == set(result.lines)
    assert not FormReminder.objects.filter(request__in=[not_yet, waived, submitted, closed])
    assert set(FormReminder.objects.values_list("request", "number", "escalated")) == {
        (before_due.pk, 0, False),
        (due_today.pk, 1, False),
        (late_1.pk, 1, False),
        (late_5.pk, 2, False),
        (late_10.pk, 3, True),
        (late_15.pk, 4, True),
        (named.pk, 2, False),
        (no_lead.pk, 3, True),
    }

    again = chase(TODAY)
    assert (again.lines, again.already_sent) == ([], 8)
    assert chased_emails().count() == len(result.lines)


def test_it_tells_what_is_asked_when_and_nothing_of_the_child(ask, police, trust):
    soon, late, escalated = (
        ask(police, date(2026, 6, 22)),
        ask(police, date(2026, 6, 10)),
        ask(trust, date(2026, 6, 3)),
    )
    chase(TODAY)
    emails = chased_emails()
    assert all("Zephyr" not in e.body + e.subject and "Ada" not in e.body for e in emails)
    reminder = emails.get(kind="reminder_before_due", to=LEAD)
    assert soon.case.number in reminder.subject
    assert "due on 22 June 2026, in 3 working days" in reminder.body
    assert request_link(soon) in reminder.body
    overdue = emails.get(kind="reminder_overdue_1", to=LEAD)
    assert "was due on 10 June 2026 and is now 5 working days overdue" in overdue.body
    assert (overdue.case_number, overdue.panel) == (late.case.number, late.case.panel)
    escalation = emails.get(kind="escalation")
    assert "10 working days overdue" in escalation.body
    assert "Luton and Dunstable Hospital has no active lead" in escalation.body
    assert request_link(escalated) in escalation.body


def test_it_sends_a_request_first_seen_7_working_days_late_only_its_first_overdue_reminder(
    ask, police
):
    request = ask(police, date(2026, 6, 8))
    assert {kind for _, kind, _ in chase(TODAY).lines} == {"reminder_overdue_1"}
    assert list(FormReminder.objects.values_list("number", flat=True)) == [2]
    assert chase(date(2026, 6, 19)).lines == []  # 9 working days: nothing new
    assert set(chase(date(2026, 6, 22)).lines) == lines_of(
        request, "reminder_overdue_2", *POLICE
    ) | lines_of(request, "escalation", LEAD)


def test_it_starts_a_new_ladder_when_the_request_is_extended(ask, police, administrator):
    request = ask(police, TODAY)
    assert set(chase(TODAY).lines) == lines_of(request, "reminder_due", *POLICE)
    with time_machine.travel(TODAY, tick=False):
        form_request_extend(
            form_request=request, due_on=date(2026, 7, 1), reason="Agreed", by=administrator
        )
    assert chase(date(2026, 6, 25)).lines == []  # 4 working days before the new date
    assert set(chase(date(2026, 6, 26)).lines) == lines_of(request, "reminder_before_due", *POLICE)
    assert list(FormReminder.objects.values_list("ladder", "number", "due_on")) == [
        (1, 1, TODAY),
        (2, 0, date(2026, 7, 1)),
    ]
    assert chased_emails().count() == 2 * len(POLICE)


def test_it_writes_nothing_on_a_dry_run(ask, police, trust):
    ask(police, date(2026, 6, 3))
    ask(trust, TODAY)
    emails = OutboxEmail.objects.count()
    dry = chase(TODAY, dry_run=True)
    assert len(dry.lines) == len(POLICE) + 1 + 1  # with the lead's escalation
    assert not FormReminder.objects.exists()
    assert OutboxEmail.objects.count() == emails
    assert chase(TODAY).lines == dry.lines


def test_it_reads_the_requests_already_reminded_in_one_query(
    ask, police, administrator, django_assert_num_queries
):
    for due in [TODAY, TODAY, date(2026, 6, 10), date(2026, 5, 27)]:
        ask(police, due)
    submitted = ask(police, date(2026, 6, 10))
    submitted.status = RequestStatus.SUBMITTED
    save_with_actor(submitted, by=administrator)
    chase(TODAY)
    with django_assert_num_queries(1):
        assert chase(TODAY).already_sent == 4


def test_its_queries_do_not_grow_with_the_reminders_it_sends(ask, police, trust):
    """A day's chase at national scale sends thousands of reminders: it reads and writes them
    a chunk at a time, not one request at a time."""

    def queries_to_send(requests: int) -> int:
        FormRequest.objects.all().delete()
        OutboxEmail.objects.all().delete()
        for n in range(requests):  # due today, overdue, escalated, to a lead and to none
            ask(police if n % 2 else trust, [TODAY, date(2026, 6, 3), date(2026, 5, 27)][n % 3])
        with CaptureQueriesContext(connection) as queries:
            sent = chase(TODAY)
        assert len({line[0] for line in sent.lines}) == requests
        return len(queries)

    assert queries_to_send(6) == queries_to_send(18)
    assert FormReminder.objects.count() == 18


def test_it_chases_one_panel_only_when_asked(ask, panel, police, system):
    other = panel_setup(code="HERTS", name="Hertfordshire CDOP", areas=["Watford"], by=system)
    ask(police, TODAY)
    assert chase(TODAY, panel=other.panel).lines == []
    assert len(chase(TODAY, panel=panel).lines) == len(POLICE)


def test_it_runs_as_run_job_chase_form_requests_printing_each_message(ask, trust, administrator):
    soon = ask(trust, date(2026, 6, 22))
    late = ask(trust, date(2026, 6, 3))

    def run_job(*args: str) -> str:
        out = StringIO()
        with time_machine.travel(TODAY, tick=False):
            call_command("run_job", "chase_form_requests", *args, stdout=out)
        return out.getvalue()

    first, second = sorted([soon, late], key=lambda r: r.case.number)
    expected = {
        soon.pk: ["reminder_before_due\ttom@example.org"],
        late.pk: ["reminder_overdue_2\ttom@example.org", f"escalation\t{administrator.email}"],
    }
    lines = [
        f"chase_form_requests\t{r.case.number}\t{line}\n"
        for r in (first, second)
        for line in expected[r.pk]
    ]
    assert run_job("--dry-run") == "".join(lines) + "3 sent, 0 already sent before\n"
    assert run_job() == "".join(lines) + "3 sent, 0 already sent before\n"
    assert run_job() == "0 sent, 2 already sent before\n"


def test_it_counts_working_days_across_the_easter_weekend(ask, police):
    """Good Friday (3 April 2026) and Easter Monday (6 April) are not working days."""
    before_easter = ask(police, date(2026, 4, 2))  # a Thursday
    after_easter = ask(police, date(2026, 4, 9))
    sent = {}
    day = date(2026, 4, 1)
    while day <= date(2026, 4, 20):
        lines = chase(day).lines
        if lines:
            sent[day] = sorted({(number, kind) for number, kind, _ in lines})
        day += timedelta(days=1)
    a, b = before_easter.case.number, after_easter.case.number
    assert sent == {
        date(2026, 4, 1): [(a, "reminder_before_due")],
        date(2026, 4, 2): sorted([(a, "reminder_due"), (b, "reminder_before_due")]),
        date(2026, 4, 9): [(b, "reminder_due")],
        date(2026, 4, 13): [(a, "reminder_overdue_1")],  # Tue 7 to Mon 13: 5 working days
        date(2026, 4, 16): [(b, "reminder_overdue_1")],
        date(2026, 4, 20): sorted([(a, "reminder_overdue_2"), (a, "escalation")]),
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # we mean to send it
def test_it_is_run_by_a_real_worker_and_the_reminder_is_sent(
    redis_client, panel, police, administrator
):
    from django.conf import settings

    from cdop.celery import app as celery_app
    from tests.core.test_background_jobs import start_worker, stop, wait_for

    # Due in 3 working days of the real clock: its first reminder is due today, whatever the day.
    panel_update(panel=panel, name=panel.name, form_due_working_days=3, by=administrator)
    case = make_case(panel, administrator)
    form_requests_send(case=case, agencies=[police], supplementary=[], by=administrator)
    redis_client.delete("celery")
    database = connection.settings_dict["NAME"]
    worker = start_worker(
        {
            "DJANGO_SETTINGS_MODULE": "cdop.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": settings.REDIS_URL,
        }
    )
    reminders = OutboxEmail.objects.filter(
        kind="reminder_before_due", case_number=case.number, status=OutboxStatus.SENT
    )
    try:
        celery_app.send_task("agency_forms.tasks.chase_form_requests")
        sent = wait_for(lambda: reminders.count() == len(POLICE), worker)
    finally:
        output = stop(worker)
    assert sent, output
    assert FormReminder.objects.get().number == 0
