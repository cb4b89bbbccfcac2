"""The rapid response clock (domain.md §3): for every death recorded as unexpected or not yet
determined, the information-sharing and planning discussion is due by the next working day
after notification, whether or not an episode was opened.

`rapid_response_clock` is a scan of PostgreSQL state: a case whose discussion was not held by
its due date is flagged once (a `PlanningMissed` row, unique per case, claimed in the same
transaction as the administrators' emails), so re-runs, two beats or a retried task send
nothing twice, and a day the beat missed is caught up by the next run. Cases brought in by the
import (their history is another system's) and closed cases are not chased.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import panel_administrators
from cases.models import Case, CaseState
from core.outbox import email_queue
from core.working_days import next_working_day
from panels.models import Panel
from rapid_response.models import EpisodeStage, PlanningMissed, StageKind
from rapid_response.permissions import RESPONSE_DEATHS

KIND = "planning_missed"


def planning_due_on(date_notified: date) -> date:
    return next_working_day(date_notified)


def _held_on(held_at) -> date:
    return timezone.localtime(held_at).date()


def cases_missing_planning(cases, today: date, *, unplanned_only: bool = False) -> list[dict]:
    """Of `cases`, those whose planning discussion is past due and was not held by then,
    as values (number, pk, panel, due date, and whether it was held since). `unplanned_only`:
    those with no discussion recorded yet (the dashboard), chosen by the database, so that
    the cases planned in time are never read."""
    planning = EpisodeStage.objects.filter(
        episode__case=OuterRef("pk"), kind=StageKind.PLANNING
    ).values("held_at")[:1]
    rows = (
        cases.filter(
            death_type__in=RESPONSE_DEATHS,
            last_imported_at__isnull=True,
            date_notified__lt=today,
        )
        .exclude(state=CaseState.CLOSED)
        .annotate(
            planning_at=Subquery(planning),
            flagged=Exists(PlanningMissed.objects.filter(case=OuterRef("pk"))),
        )
        .filter(**({"planning_at__isnull": True} if unplanned_only else {}))
        .values("pk", "number", "panel_id", "date_notified", "planning_at", "flagged")
        .order_by("number")
    )
    missed = []
    for row in rows:
        due = planning_due_on(row["date_notified"])
        if due >= today:
            continue
        if row["planning_at"] is not None and _held_on(row["planning_at"]) <= due:
            continue
        missed.append({**row, "due_on": due})
    return missed


@dataclass
class ClockResult:
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    already_sent: int = 0


def rapid_response_clock(
    *, panel: Panel | None = None, dry_run: bool = False, today: date | None = None
) -> ClockResult:
    today = today or timezone.localdate()
    cases = Case.objects.all() if panel is None else Case.objects.filter(panel=panel)
    result = ClockResult()
    for row in cases_missing_planning(cases, today):
        if row["flagged"]:
            result.already_sent += 1
            continue
        case = Case.objects.select_related("panel").get(pk=row["pk"])
        people = list(panel_administrators(case.panel).order_by("email"))
        if dry_run:
            result.lines += [(case.number, KIND, p.email) for p in people]
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PlanningMissed.objects.create(case=case, due_on=row["due_on"])
            except IntegrityError:
                result.already_sent += 1
                continue
            link = settings.SITE_URL + reverse("cases:case_detail", args=[case.pk])
            for person in people:
                email_queue(
                    key=f"planning-missed:{case.pk}:{person.pk}",
                    kind=KIND,
                    to=person.email,
                    panel=case.panel,
                    case_number=case.number,
                    subject=f"Case {case.number}: the planning discussion was missed",
                    body=render_to_string(
                        "rapid_response/email/planning_missed.txt",
                        {"case": case, "due_on": row["due_on"], "link": link},
                    ),
                )
                result.lines.append((case.number, KIND, person.email))
    return result
