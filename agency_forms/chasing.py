"""Chasing overdue reporting form requests (domain.md §3, the "Reporting form" clock).

Each request still with its agency climbs a ladder of reminders: step 0 three working days
before the due date, step 1 on the due date, then one every 5 working days while it is
overdue; from the second overdue reminder on, the agency's leads (or, with no lead, the
panel's administrators) are told too.

The job is a scan of PostgreSQL state, not a timer per request: what is due follows from the
due date, today and the reminders already recorded, so a beat that was down, a second beat or a
retried task changes nothing. Each step is claimed by inserting its `FormReminder` (unique per
request, ladder and step) in the same transaction as its emails, so it is sent once however
many runs overlap. A late run sends only the latest step now due, never the stale earlier ones
(domain.md, "Decision — late runs").

At scale (600,000 requests) the scan reads plain values of the outstanding requests near or
past their due date, with the last step claimed, and touches the ORM only for the few with a
step to send.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from accounts.models import AgencyRole, User
from accounts.selectors import panel_administrators
from agency_forms.models import OUTSTANDING, FormReminder, FormRequest
from agency_forms.permissions import agency_people, named_people
from agency_forms.services import request_link
from cases.models import CaseState
from core.outbox import email_queue_many
from core.working_days import add_working_days, is_working_day, working_days_between
from panels.models import Panel

logger = logging.getLogger(__name__)

BEFORE_DUE = 3  # working days before the due date of the first reminder
EVERY = 5  # working days between overdue reminders
FIRST_ESCALATION = 3  # the step of the second overdue reminder
ESCALATION = "escalation"
CLAIM_CHUNK = 200  # requests claimed in one transaction


@dataclass
class ChaseResult:
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (case, kind, recipient)
    already_sent: int = 0  # requests whose latest step due was claimed by an earlier run


def working_days_before(day: date, days: int) -> date:
    """The working day `days` working days before `day`."""
    while days > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def latest_step(due_on: date, today: date) -> int | None:
    """The last step of the ladder whose date is today or earlier (None before the first)."""
    if today < working_days_before(due_on, BEFORE_DUE):
        return None
    if today < due_on:
        return 0
    return 1 + working_days_between(due_on, today) // EVERY


@dataclass(frozen=True)
class _Due:
    pk: int
    ladder: int
    due_on: date
    step: int


def _scan(today: date, panel: Panel | None) -> tuple[list[_Due], int]:
    """The requests with a step to send, and how many had theirs sent already."""
    last_claimed = (
        FormReminder.objects.filter(request=OuterRef("pk"), ladder=OuterRef("ladder"))
        .order_by("-number")
        .values("number")[:1]
    )
    # A request's first step is 3 working days before its due date: none due later can have
    # reached it.
    candidates = FormRequest.objects.filter(
        status__in=OUTSTANDING, due_on__lte=add_working_days(today, BEFORE_DUE)
    ).exclude(case__state=CaseState.CLOSED)
    if panel is not None:
        candidates = candidates.filter(case__panel=panel)
    rows = (
        candidates.annotate(claimed=Subquery(last_claimed))
        .order_by("case__number", "pk")
        .values_list("pk", "ladder", "due_on", "claimed")
    )
    steps: dict[date, int | None] = {}  # many requests share a due date
    due, already_sent = [], 0
    for pk, ladder, due_on, claimed in rows.iterator(chunk_size=2000):
        if due_on not in steps:
            steps[due_on] = latest_step(due_on, today)
        step = steps[due_on]
        if step is None:
            continue
        if claimed is not None and claimed >= step:
            already_sent += 1
        else:
            due.append(_Due(pk, ladder, due_on, step))
    return due, already_sent


class _People:
    """Who is told, read once a run for each agency and panel (a run sends thousands of
    reminders to a few dozen agencies)."""

    def __init__(self):
        self._members: dict[tuple[int, str], list[User]] = {}
        self._administrators: dict[int, list[User]] = {}

    def at(self, agency_id: int, *roles: str) -> list[User]:
        key = (agency_id, ",".join(roles))
        if key not in self._members:
            self._members[key] = list(agency_people(agency_id, *roles))
        return self._members[key]

    def escalation(self, form_request: FormRequest) -> tuple[list[User], bool]:
        """The agency's active leads (True), or the panel's administrators when it has none."""
        leads = self.at(form_request.agency_id, AgencyRole.LEAD)
        if leads:
            return leads, True
        panel = form_request.case.panel
        if panel.pk not in self._administrators:
            self._administrators[panel.pk] = list(
                panel_administrators(panel).order_by("full_name", "pk")
            )
        return self._administrators[panel.pk], False


def _subject(form_request: FormRequest, overdue: int, today: date) -> str:
    what = f"{form_request.get_kind_display()} for case {form_request.case.number}"
    if form_request.due_on > today:
        return f"Reminder: the {what} is due on {dateformat.format(form_request.due_on, 'j F Y')}"
    if overdue == 0:
        return f"Reminder: the {what} is due today"
    return f"Overdue: the {what} is {overdue} working day{'s' if overdue > 1 else ''} late"


@dataclass
class _Claimed:
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    already_sent: int = 0


def _claim(items: list[_Due], today: date, dry_run: bool, people: _People) -> _Claimed:
    """Send one chunk of requests' steps, in one transaction: each step is claimed by its
    reminder row, written with its emails. A step another run claimed first is skipped."""
    claimed = _Claimed()
    wanted = {item.pk: item for item in items}
    with transaction.atomic():
        found = (
            FormRequest.objects.select_related("case__panel", "agency")
            .filter(pk__in=wanted, status__in=OUTSTANDING)
            .exclude(case__state=CaseState.CLOSED)
            .order_by("pk")  # rows locked in one order: two runs cannot deadlock
        )
        if not dry_run:  # the agency's submit waits for this claim, or this for the submit
            found = found.select_for_update(of=("self",))
        # Submitted, waived or extended since the scan: left out, the next run sees it.
        requests = [
            r for r in found if (r.ladder, r.due_on) == (wanted[r.pk].ladder, wanted[r.pk].due_on)
        ]
        taken = set(
            FormReminder.objects.filter(request__in=requests).values_list(
                "request_id", "ladder", "number"
            )
        )
        named = named_people([r.pk for r in requests])
        reminders, emails, overdue_by_due = [], [], {}
        for form_request in requests:
            item = wanted[form_request.pk]
            if (item.pk, item.ladder, item.step) in taken:
                claimed.already_sent += 1
                continue
            person = named.get(form_request.pk)
            reminded = [person] if person is not None else people.at(form_request.agency_id)
            escalated, to_lead = [], False
            if item.step >= FIRST_ESCALATION:
                escalated, to_lead = people.escalation(form_request)
            reminder = FormReminder(
                request=form_request,
                ladder=item.ladder,
                number=item.step,
                due_on=item.due_on,
                escalated=bool(escalated),
            )
            reminders.append(reminder)
            if item.due_on not in overdue_by_due:
                overdue_by_due[item.due_on] = max(working_days_between(item.due_on, today), 0)
            overdue = overdue_by_due[item.due_on]
            case = form_request.case
            step_key = f"{form_request.pk}:{item.ladder}:{item.step}"
            subject = _subject(form_request, overdue, today)
            context = {
                "request": form_request,
                "kind": reminder.kind,
                "overdue": overdue,
                "to_lead": to_lead,
                "link": request_link(form_request),
            }
            for template, kind, to, prefix in (
                ("form_reminder", reminder.kind, reminded, "form-reminder"),
                ("form_escalation", ESCALATION, escalated, "form-escalation"),
            ):
                for user in to:
                    claimed.lines.append((case.number, kind, user.email))
                    if dry_run:
                        continue
                    emails.append(
                        {
                            "key": f"{prefix}:{step_key}:{user.pk}",
                            "kind": kind,
                            "to": user.email,
                            "subject": subject if kind != ESCALATION else f"Escalation. {subject}",
                            "body": render_to_string(
                                f"agency_forms/email/{template}.txt", {**context, "person": user}
                            ),
                            "panel": case.panel,
                            "case_number": case.number,
                        }
                    )
            if not reminded:
                logger.warning("form chase: request %s has nobody at its agency to remind", item.pk)
        if not dry_run:
            # Under the requests' row locks no other run writes these rows: the unique key
            # (request, ladder, number) stays the last word all the same.
            FormReminder.objects.bulk_create(reminders)
            email_queue_many(emails)
    return claimed


def form_requests_chase(
    *, panel: Panel | None = None, dry_run: bool = False, today: date | None = None
) -> ChaseResult:
    """Send each outstanding request's latest reminder now due, once (`dry_run`: say what
    would be sent and write nothing)."""
    today = today or timezone.localdate()
    due, already_sent = _scan(today, panel)
    result = ChaseResult(already_sent=already_sent)
    people = _People()
    for start in range(0, len(due), CLAIM_CHUNK):
        claimed = _claim(due[start : start + CLAIM_CHUNK], today, dry_run, people)
        result.lines.extend(claimed.lines)
        result.already_sent += claimed.already_sent
    return result
