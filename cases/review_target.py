"""The 12-month review target (domain.md §3): a child's death is reviewed by the panel within
12 months. The administrators are warned at 6 and 9 months while the case is not on an
agenda; at 12 months a case not yet closed is a breach, flagged to the administrators and to
the panel's managers (whose message carries the case number and the months, nothing of the
child).

`review_target_watch` is a daily scan of PostgreSQL state: each case's notices are rows
(`ReviewTargetNotice`, unique per case and threshold), claimed in the same transaction as
their emails, so a re-run, two beats or a retried task send nothing twice. A late run sends
only the latest threshold now reached (a case first seen at 10 months gets the 9-month warning
alone). Paused cases keep their clock and get their warnings, with the pause reason. Cases
brought in by the import are left to the dashboard: their history is another system's.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import PanelRole, User
from accounts.selectors import panel_administrators
from cases.models import Case, CaseState, ReviewTargetNotice
from core.months import months_later, months_since
from core.outbox import email_queue
from panels.models import Panel

THRESHOLDS = (6, 9, 12)  # months since the death
KINDS = {6: "review_warning_6_months", 9: "review_warning_9_months", 12: "review_breach_12_months"}


def threshold_reached(date_of_death: date, today: date) -> int | None:
    """The latest threshold the case has reached today, or None before 6 months."""
    months = months_since(date_of_death, today)
    reached = [t for t in THRESHOLDS if months >= t]
    return reached[-1] if reached else None


@dataclass
class WatchResult:
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    already_sent: int = 0


def _managers(panel: Panel) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            is_staff=False,
            panel_memberships__panel=panel,
            panel_memberships__role=PanelRole.MANAGER,
        )
        .distinct()
        .order_by("email")
    )


def review_target_watch(
    *, panel: Panel | None = None, dry_run: bool = False, today: date | None = None
) -> WatchResult:
    """Send each open case's latest review-target notice now due, once."""
    today = today or timezone.localdate()
    six_months_ago = months_later(today, -6)
    cases = Case.objects.filter(
        date_of_death__lte=six_months_ago, last_imported_at__isnull=True
    ).exclude(state=CaseState.CLOSED)
    if panel is not None:
        cases = cases.filter(panel=panel)
    rows = (
        cases.annotate(claimed=Max("review_target_notices__months"))
        .values_list("pk", "state", "date_of_death", "claimed")
        .order_by("number")
    )
    result = WatchResult()
    people: dict[int, tuple[list[User], list[User]]] = {}
    for pk, state, died, claimed in rows.iterator(chunk_size=2000):
        months = threshold_reached(died, today)
        if months is None:
            continue
        if months < 12 and state == CaseState.SCHEDULED:
            continue  # on an agenda: the warnings are for cases not yet scheduled
        if claimed is not None and claimed >= months:
            result.already_sent += 1
            continue
        case = Case.objects.select_related("panel").get(pk=pk)
        if case.panel_id not in people:
            people[case.panel_id] = (
                list(panel_administrators(case.panel).order_by("email")),
                _managers(case.panel),
            )
        administrators, managers = people[case.panel_id]
        told = [(p, "administrator") for p in administrators]
        if months == 12:
            told += [(p, "manager") for p in managers]
        if dry_run:
            result.lines += [(case.number, KINDS[months], p.email) for p, _ in told]
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReviewTargetNotice.objects.create(case=case, months=months)
            except IntegrityError:
                result.already_sent += 1
                continue
            result.lines += _tell(case, months, told, today)
    return result


def _tell(case: Case, months: int, told: list, today: date) -> list[tuple[str, str, str]]:
    kind = KINDS[months]
    since = months_since(case.date_of_death, today)
    link = settings.SITE_URL + reverse("cases:case_detail", args=[case.pk])
    subject = (
        f"Case {case.number}: {since} months since the death, not yet reviewed"
        if months == 12
        else f"Case {case.number}: {since} months since the death, not yet on an agenda"
    )
    lines = []
    for person, as_who in told:
        template = "review_target_manager" if as_who == "manager" else "review_target"
        email_queue(
            key=f"review-target:{case.pk}:{months}:{person.pk}",
            kind=kind,
            to=person.email,
            panel=case.panel,
            case_number=case.number,
            subject=subject,
            body=render_to_string(
                f"cases/email/{template}.txt",
                {"case": case, "months": months, "since": since, "link": link},
            ),
        )
        lines.append((case.number, kind, person.email))
    return lines
