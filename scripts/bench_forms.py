"""The reporting form requests of `make bench` (issue 10), as stages of scripts/bench.py: each
runs in a child process of its own with the production settings.

- `agencies`: 12 agencies serving the bench panel, each with an agency user and a lead (the
  first agency's two with two-factor: the pages are timed signed in as them);
- `requests`: 6 requests a case on average for every case of the panel that has none yet, with
  the statuses, due dates and reminders of a national history (about 7% of the cases are open:
  most of their requests are still with the agency, due from four months ago to four weeks
  ahead; nearly every request of a closed case was submitted);
- `chase`: one run of `form_requests_chase` on the chasing day, timed, with the rows it wrote.

The seed data is written with `bulk_create` and, for the reminders, COPY (no change history, no
emails, no service checks): it is benchmark seed data standing for years of requests sent one by
one through `form_requests_send` and chased by the beat, not a write path of the application.
"""

import io
import json
import random
import time
from datetime import date, datetime, timedelta

AGENCIES = 12
AGENCY_USER = "bench-agency-01-user@example.org"  # the signed-in agency user, and its lead
AGENCY_LEAD = "bench-agency-01-lead@example.org"
CASES_A_CHUNK = 2000  # cases seeded per round of bulk writes
BATCH = 5000
SEED = 10


def agency_name(n: int) -> str:
    return f"Bench agency {n:02d}"


def chasing_day() -> date:
    """The working day the chase runs on: today, or the next working day."""
    from django.utils import timezone

    from core.working_days import is_working_day, next_working_day

    today = timezone.localdate()
    return today if is_working_day(today) else next_working_day(today)


def stage_agencies() -> None:
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import Agency, AgencyRole, AgencyType, User
    from accounts.services import agency_create, agency_membership_add, user_create
    from core.history import acting_as_system
    from panels.models import Panel

    panel = Panel.objects.get(code="BEDS")
    types = list(AgencyType.values)
    with acting_as_system() as system:
        for n in range(1, AGENCIES + 1):
            agency = Agency.objects.filter(name=agency_name(n)).first()
            if agency is None:
                agency = agency_create(
                    name=agency_name(n),
                    agency_type=types[(n - 1) % len(types)],
                    panels=[panel],
                    by=system,
                )
            for role in (AgencyRole.USER, AgencyRole.LEAD):
                email = f"bench-agency-{n:02d}-{role}@example.org"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = user_create(
                        email=email, full_name=f"Bench {role} {n:02d}", password=None, by=system
                    )
                    agency_membership_add(user=user, agency=agency, role=role, by=system)
                    if email in (AGENCY_USER, AGENCY_LEAD):
                        TOTP.activate(user, generate_totp_secret())


class _Ladder:
    """The chase's ladder steps, from a table of working days (the seed asks for a million of
    them; `core.working_days` counts day by day). Checked against the chase's own on start."""

    def __init__(self, first: date, last: date):
        from core.working_days import is_working_day

        self.first = first
        self.count = []  # working days from `first` up to and including each day
        self.working = []  # the working days, in order
        day, seen = first, 0
        while day <= last:
            if is_working_day(day):
                seen += 1
                self.working.append(day)
            self.count.append(seen)
            day += timedelta(days=1)

    def _n(self, day: date) -> int:
        return self.count[(day - self.first).days]

    def between(self, start: date, end: date) -> int:
        return self._n(end) - self._n(start)

    def after(self, start: date, days: int) -> date:
        """`core.working_days.add_working_days`."""
        return self.working[self._n(start) + days - 1]

    def before(self, day: date, days: int) -> date:
        """`agency_forms.chasing.working_days_before`."""
        n = self._n(day)
        return self.working[n - days - (1 if day in self.working_set else 0)]

    def on_or_after(self, day: date) -> date:
        return day if day in self.working_set else self.after(day, 1)

    @property
    def working_set(self) -> set[date]:
        if not hasattr(self, "_set"):
            self._set = set(self.working)
        return self._set

    def step(self, due_on: date, day: date) -> int | None:
        """`agency_forms.chasing.latest_step`: the last step whose date is `day` or earlier."""
        from agency_forms.chasing import BEFORE_DUE, EVERY

        if day < self.before(due_on, BEFORE_DUE):
            return None
        if day < due_on:
            return 0
        return 1 + self.between(due_on, day) // EVERY

    def on_step(self, due_on: date, number: int) -> date:
        """The day step `number` of the ladder of a request due on `due_on` fell due."""
        from agency_forms.chasing import BEFORE_DUE, EVERY

        if number == 0:
            return self.before(due_on, BEFORE_DUE)
        return self.after(due_on, EVERY * (number - 1)) if number > 1 else due_on

    def check(self, chance: random.Random) -> None:
        from agency_forms.chasing import latest_step, working_days_before
        from core.working_days import add_working_days, is_working_day, working_days_between

        span = (len(self.count) - 200) // 2
        for _ in range(2000):
            a = self.first + timedelta(days=100 + chance.randrange(span))
            b = a + timedelta(days=chance.randrange(-60, 120))
            n = chance.randrange(1, 30)
            assert self.between(a, b) == working_days_between(a, b), (a, b)  # noqa: S101
            assert self.after(a, n) == add_working_days(a, n), (a, n)  # noqa: S101
            assert self.before(a, n) == working_days_before(a, n), (a, n)  # noqa: S101
            assert self.step(a, b) == latest_step(a, b), (a, b)  # noqa: S101
            if is_working_day(a):  # due dates are working days
                number = self.step(a, b)
                if number is not None:
                    assert self.step(a, self.on_step(a, number)) == number  # noqa: S101
                    assert self.step(a, self.on_step(a, number) - timedelta(1)) != number  # noqa: S101


def _copy(model, columns: list[str], rows: io.StringIO) -> None:
    """COPY tab-separated rows into the model's table (benchmark seed data only)."""
    from django.db import connection

    rows.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, rows)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(rows.getvalue())


def _answers(definition, *, every: bool) -> dict:
    """Short answers to the definition's questions (all of them, or the first sections')."""
    answers = {}
    for section, question in definition.questions():
        if not every and section is not definition.sections[0]:
            break
        kind = question["type"]
        if kind == "yes_no":
            answer = "no"
        elif kind == "choice":
            answer = question["options"][0]["value"]
        elif kind == "number":
            answer = str(question["min"])
        elif kind == "date":
            answer = "2020-01-01"
        else:
            answer = "Not known to this agency."
        answers[question["key"]] = {"answer": answer, "notes": ""}
    return answers


def stage_requests() -> None:
    """Seed the requests of every case of the panel that has none yet; JSON of what was
    written."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from accounts.models import Agency, User
    from agency_forms.chasing import FIRST_ESCALATION
    from agency_forms.models import (
        OUTSTANDING,
        FormDefinition,
        FormKind,
        FormReminder,
        FormRequest,
        FormRequestUserObjectPermission,
        RequestStatus,
    )
    from agency_forms.permissions import COMPLETE
    from cases.models import Case, CaseState
    from panels.models import Panel

    started = time.perf_counter()
    chance = random.Random(SEED)  # noqa: S311 -- invented figures, not a secret
    panel = Panel.objects.get(code="BEDS")
    allowance = panel.form_due_working_days
    admin = User.objects.get(email="bench-0@example.org")
    agencies = list(
        Agency.objects.filter(name__in=[agency_name(n) for n in range(1, AGENCIES + 1)])
        .order_by("name")
        .values_list("pk", flat=True)
    )
    signed_in = agencies[0]
    agency_user = User.objects.get(email=AGENCY_USER)
    agency_lead = User.objects.get(email=AGENCY_LEAD)
    complete = Permission.objects.get(codename=COMPLETE, content_type__app_label="agency_forms")
    definitions = {}
    for definition in FormDefinition.objects.order_by("kind", "version"):
        definitions[definition.kind] = definition  # the latest version of each kind
    supplementary = [k for k in FormKind.values if k != FormKind.CORE and k in definitions]
    answered = {kind: _answers(d, every=True) for kind, d in definitions.items()}
    begun = {kind: _answers(d, every=False) for kind, d in definitions.items()}

    day = chasing_day()
    ladder = _Ladder(date(2000, 1, 1), day + timedelta(days=800))
    ladder.check(chance)
    # The beat chased every working day up to the one before the chasing day.
    chased_until = ladder.before(day, 1)
    now = timezone.now()
    zone = timezone.get_default_timezone()

    def at(day: date) -> datetime:
        moment = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        return min(moment + timedelta(minutes=chance.randrange(8 * 60, 18 * 60)), now)

    cases = (
        Case.objects.filter(panel=panel)
        .filter(~Exists(FormRequest.objects.filter(case=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "state", "date_notified")
    )
    cases = list(cases)
    statuses = dict.fromkeys(RequestStatus.values, 0)
    reminders = grants = 0

    def request(case_pk, agency, kind, status, sent_on, due_on, **fields) -> FormRequest:
        statuses[status] += 1
        return FormRequest(
            case_id=case_pk,
            agency_id=agency,
            kind=kind,
            definition=definitions[kind],
            status=status,
            requested_by=admin,
            sent_on=sent_on,
            due_on=due_on,
            **fields,
        )

    for start in range(0, len(cases), CASES_A_CHUNK):
        batch = []
        for case_pk, state, notified in cases[start : start + CASES_A_CHUNK]:
            asked = chance.sample(agencies, chance.randint(4, 7))
            wanted = [(agency, FormKind.CORE.value) for agency in asked]
            if chance.random() < 0.5:  # one supplementary form, of one of the agencies
                wanted.append((chance.choice(asked), chance.choice(supplementary)))
            open_case = state != CaseState.CLOSED
            if open_case:  # asked in the last months (or extended since): due around now
                due = ladder.on_or_after(day + timedelta(days=chance.randint(-120, 25)))
                sent = ladder.before(due, allowance)
            else:
                sent = ladder.on_or_after(notified + timedelta(days=chance.randrange(2, 20)))
                due = ladder.after(sent, allowance)
            for agency, kind in wanted:
                roll = chance.random()
                if open_case and roll < 0.75:
                    status = (
                        RequestStatus.REQUESTED
                        if roll < 0.50
                        else RequestStatus.DRAFT
                        if roll < 0.68
                        else RequestStatus.RETURNED
                    )
                    fields = {}
                    if status == RequestStatus.DRAFT:
                        fields = {"answers": begun[kind], "version": chance.randint(1, 4)}
                    if status == RequestStatus.RETURNED:  # a new ladder, a new due date
                        fields = {
                            "answers": answered[kind],
                            "version": chance.randint(2, 6),
                            "reason": "Section E: please list the contacts in the last year",
                            "ladder": 2,
                        }
                    batch.append(request(case_pk, agency, kind, status, sent, due, **fields))
                elif roll < (0.95 if open_case else 0.93):
                    late = chance.randrange(3, 30) if open_case else chance.randrange(5, 60)
                    batch.append(
                        request(
                            case_pk,
                            agency,
                            kind,
                            RequestStatus.SUBMITTED,
                            sent,
                            due,
                            submitted_at=at(min(sent + timedelta(days=late), day)),
                            answers=answered[kind],
                            version=chance.randint(1, 6),
                        )
                    )
                else:
                    status = (
                        RequestStatus.WAIVED
                        if roll < (0.99 if open_case else 0.98)
                        else RequestStatus.CANCELLED
                    )
                    reason = (
                        "No contact with the family"
                        if status == RequestStatus.WAIVED
                        else "Asked of the wrong agency"
                    )
                    batch.append(request(case_pk, agency, kind, status, sent, due, reason=reason))
        FormRequest.objects.bulk_create(batch, batch_size=BATCH)

        # The reminders the beat sent: each step of the ladder up to the one before the
        # chasing day (still with the agency), or up to the day before it was submitted.
        # Written with COPY (1.8 million rows at 100,000 cases; bulk_create takes minutes).
        sent_reminders, named = io.StringIO(), []
        for made in batch:
            if made.status in OUTSTANDING:
                last = ladder.step(made.due_on, chased_until)
            elif made.status == RequestStatus.SUBMITTED:
                last = ladder.step(made.due_on, made.submitted_at.date() - timedelta(days=1))
            else:
                last = None
            for number in range((last + 1) if last is not None else 0):
                sent_on = ladder.on_step(made.due_on, number)
                escalated = "t" if number >= FIRST_ESCALATION else "f"
                sent_reminders.write(
                    f"{made.pk}\t{made.ladder}\t{number}\t{made.due_on.isoformat()}\t"
                    f"{sent_on.isoformat()} 07:00:00+00\t{escalated}\n"
                )
                reminders += 1
            if made.agency_id == signed_in:  # some name a person: most the user, a few the lead
                roll = chance.random()
                if roll < 0.15:
                    person = agency_user if roll < 0.10 else agency_lead
                    named.append(
                        FormRequestUserObjectPermission(
                            user=person, permission=complete, content_object_id=made.pk
                        )
                    )
        _copy(
            FormReminder,
            ["request_id", "ladder", "number", "due_on", "sent_at", "escalated"],
            sent_reminders,
        )
        FormRequestUserObjectPermission.objects.bulk_create(named, batch_size=BATCH)
        grants += len(named)

    total = sum(statuses.values())
    print(
        json.dumps(
            {
                "cases": len(cases),
                "requests": total,
                "statuses": statuses,
                "outstanding": sum(statuses[s] for s in OUTSTANDING),
                "reminders": reminders,
                "named": grants,
                "seconds": time.perf_counter() - started,
                "chasing_day": day.isoformat(),
                "time_zone": settings.TIME_ZONE,
            }
        )
    )


def stage_chase(mode: str) -> None:
    """One run of the chasing scan on the chasing day (`dry` or `send`), timed in this
    process: JSON of its time, what it sent and the rows it wrote."""
    import django

    django.setup()
    from django.db import connection

    from agency_forms.chasing import BEFORE_DUE, form_requests_chase
    from agency_forms.models import OUTSTANDING, FormReminder, FormRequest
    from cases.models import CaseState
    from core.history import acting_as_system
    from core.models import OutboxEmail
    from core.working_days import add_working_days

    day = chasing_day()
    outstanding = FormRequest.objects.filter(status__in=OUTSTANDING)
    # What the scan reads: agency_forms.chasing selects these candidates (outstanding, near or
    # past their due date, of open cases) and sends the few whose latest step is not claimed.
    scanned = (
        outstanding.filter(due_on__lte=add_working_days(day, BEFORE_DUE))
        .exclude(case__state=CaseState.CLOSED)
        .count()
    )
    before = FormReminder.objects.count(), OutboxEmail.objects.count()
    queries, writes = [0], [0]

    def counted(execute, sql, params, many, context):
        queries[0] += 1
        writes[0] += sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        return execute(sql, params, many, context)

    with acting_as_system(), connection.execute_wrapper(counted):  # as the beat runs it
        started = time.perf_counter()
        result = form_requests_chase(dry_run=mode == "dry", today=day)
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "mode": mode,
                "day": day.isoformat(),
                "seconds": seconds,
                "emails_listed": len(result.lines),
                "already_sent": result.already_sent,
                "reminders_written": FormReminder.objects.count() - before[0],
                "emails_written": OutboxEmail.objects.count() - before[1],
                "queries": queries[0],
                "writes": writes[0],
                "outstanding": outstanding.count(),
                "scanned": scanned,
                "requests": FormRequest.objects.count(),
            }
        )
    )
