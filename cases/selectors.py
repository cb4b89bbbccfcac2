"""Reads of cases and notifications, always through the user's permissions."""

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case as When_
from django.db.models import DateField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import PanelRole, User
from accounts.permissions import panel_ids_where, panels_where
from cases.models import Case, CaseState, Notification, Transfer, TransferStatus, TriageStatus
from cases.permissions import (
    CASE_WORKERS,
    cases_visible_to,
    notifications_visible_to,
    transfers_visible_to,
)
from cases.validators import normalise_nhs_number, search_text
from core.models import AccessEvent, AccessEventObject
from panels.models import Area


def age_in_years():
    """Whole years between birth and death, in the database (portable: PostgreSQL, SQLite)."""
    birthday_not_reached = When_(
        When(
            Q(date_of_death__month__lt=ExtractMonth("date_of_birth"))
            | Q(
                date_of_death__month=ExtractMonth("date_of_birth"),
                date_of_death__day__lt=ExtractDay("date_of_birth"),
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear("date_of_death") - ExtractYear("date_of_birth") - birthday_not_reached


class YearsBefore(Func):
    """The date `years` whole years before a date column (29 February gives 28 February):
    on PostgreSQL only, where `aged_between` uses it."""

    output_field = DateField()

    def __init__(self, day: str, years: int):
        super().__init__(F(day), Value(years))

    def as_sql(self, compiler, connection, **extra):
        (day, day_params), (years, years_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return f"CAST({day} - make_interval(years => {years}) AS date)", (
            *day_params,
            *years_params,
        )


def aged_between(low: int, high: int) -> Q:
    """Cases of children who died aged `low` to `high` whole years. On PostgreSQL as dates
    compared (born no later than `low` years before the death, and after `high` + 1 years
    before it), which the planner can estimate; elsewhere by the age itself."""
    if connection.vendor == "postgresql":
        return Q(
            date_of_birth__lte=YearsBefore("date_of_death", low),
            date_of_birth__gt=YearsBefore("date_of_death", high + 1),
        )
    age = age_in_years()
    return Q(GreaterThanOrEqual(age, low), LessThanOrEqual(age, high))


AGE_BANDS = {"under_1": (0, 0), "1_9": (1, 9), "10_17": (10, 17)}
AGE_BAND_LABELS = {"under_1": "Under 1", "1_9": "1 to 9 years", "10_17": "10 to 17 years"}

# Open cases not yet on an agenda six months after the death are at risk of missing the
# 12-month review target (domain.md §3: warnings at 6 and 9 months).
AT_RISK_AFTER = relativedelta(months=6)


def at_risk_filter(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    # The states named, not "not scheduled or closed": the planner reads a list of values
    # from the (panel, state) index, and a negation from every row.
    waiting = [s for s in CaseState.values if s not in (CaseState.SCHEDULED, CaseState.CLOSED)]
    return Q(date_of_death__lte=today - AT_RISK_AFTER, state__in=waiting)


SORTS = {
    "number": "number",
    "family_name": "family_name",
    "date_of_death": "date_of_death",
    "date_notified": "date_notified",
    "state": "state",
}


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    state: str = ""
    area: str = ""
    death_type: str = ""
    age_band: str = ""
    notified_from: date | None = None
    notified_to: date | None = None
    at_risk: bool = False
    sort: str = "-date_notified"


CASE_NUMBER = re.compile(r"^[A-Z0-9]{2,12}-\d{0,4}(-\d{0,4})?$")


def search_kind(q: str) -> str:
    """How a search is read, by its shape (and what the access log says of it): ten digits
    are an NHS number; `BEDS-2024-…` the start of a case number; anything else a name or the
    panel's own reference."""
    digits = normalise_nhs_number(q.strip())
    if digits.isdigit() and len(digits) == 10:
        return "NHS number"
    if CASE_NUMBER.match(q.strip().upper()):
        return "case number"
    return "name or reference"


def search_filter(q: str) -> Q:
    """Each kind of search on its own index: NHS number equality, a case number's prefix,
    names in the accent- and case-free `search_name` (a trigram index on PostgreSQL)."""
    q = q.strip()
    kind = search_kind(q)
    if kind == "NHS number":
        return Q(nhs_number=normalise_nhs_number(q))
    if kind == "case number":
        return Q(number__startswith=q.upper())
    # A panel's own reference as typed, or in capitals (the unique index serves both).
    return Q(search_name__contains=search_text(q)) | Q(legacy_reference__in={q, q.upper()})


def case_list_for(user: User, filters: CaseFilters) -> QuerySet[Case]:
    cases = cases_visible_to(user)  # each caller reads the columns it shows
    if filters.q.strip():
        cases = cases.filter(search_filter(filters.q))
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.area:
        cases = cases.filter(area_id=filters.area)
    if filters.death_type:
        cases = cases.filter(death_type=filters.death_type)
    if filters.age_band in AGE_BANDS:
        low, high = AGE_BANDS[filters.age_band]
        cases = cases.filter(aged_between(low, high))
    if filters.notified_from:
        cases = cases.filter(date_notified__gte=filters.notified_from)
    if filters.notified_to:
        cases = cases.filter(date_notified__lte=filters.notified_to)
    if filters.at_risk:
        cases = cases.filter(at_risk_filter())
    field = filters.sort.lstrip("-")
    if field in SORTS:
        prefix = "-" if filters.sort.startswith("-") else ""
        cases = cases.order_by(f"{prefix}{SORTS[field]}", f"{prefix}number")
    return cases


def case_areas_for(user: User) -> QuerySet[Area]:
    """The areas of the panels whose cases the user sees: the case list's area filter."""
    return Area.objects.filter(panel_id__in=panel_ids_where(user, *CASE_WORKERS)).order_by(
        "panel__name", "name"
    )


class CappedPaginator(Paginator):
    """Counts no further than `cap` rows, and pages no deeper: past that the list asks for a
    narrower search. A count or an OFFSET through a whole national history costs as much as
    the rows it passes over; a person reads the first thousand at most."""

    def __init__(self, object_list, per_page, *, cap: int = 1000):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def seen(self) -> int:
        # In no order: the count stops at the cap's first rows found, whichever they are.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.seen, self.cap)

    @property
    def capped(self) -> bool:
        return self.seen > self.cap


def get_case_for_user(user: User, pk: int) -> Case:
    """A case the user may see, with what the case page shows; otherwise 404."""
    return get_object_or_404(
        # What the case page's summary shows (each join more costs the planner time).
        cases_visible_to(user).select_related(
            "area", "ward", "sex", "place_of_death", "key_worker"
        ),
        pk=pk,
    )


def notification_list_for(user: User) -> QuerySet[Notification]:
    """Notifications of the panels the user administers (triage is the administrator's)."""
    return notifications_visible_to(user).select_related(
        "panel", "sex", "area", "place_of_death", "case"
    )


def triage_queue_for(user: User) -> QuerySet[Notification]:
    return notification_list_for(user).filter(triage_status=TriageStatus.NEW)


def held_for_review(user: User) -> QuerySet[Notification]:
    """Public submissions the robot trap caught, for the administrator to release or discard."""
    return notification_list_for(user).filter(triage_status=TriageStatus.HELD)


def get_notification_for_user(user: User, pk: int) -> Notification:
    return get_object_or_404(notification_list_for(user), pk=pk)


@dataclass(frozen=True)
class PossibleDuplicates:
    cases: list[Case]
    notifications: list[Notification]

    def __bool__(self) -> bool:
        return bool(self.cases or self.notifications)


def possible_duplicates(user: User, notification: Notification) -> PossibleDuplicates:
    """Same NHS number, or same family name + date of birth + date of death (domain.md §2)."""
    same_child = Q(
        family_name__iexact=notification.family_name,
        date_of_birth=notification.date_of_birth,
        date_of_death=notification.date_of_death,
    )
    if notification.nhs_number:
        same_child |= Q(nhs_number=notification.nhs_number)
    cases = (
        cases_visible_to(user)
        .filter(same_child, panel=notification.panel)
        .exclude(notifications=notification)
        .distinct()
    )
    judged_distinct = notification.distinct_from.values("pk")
    notifications = (
        notification_list_for(user)
        .filter(same_child, triage_status=TriageStatus.NEW)
        .exclude(pk=notification.pk)
        .exclude(pk__in=judged_distinct)
    )
    return PossibleDuplicates(cases=list(cases), notifications=list(notifications))


def case_counts_by_state(user: User, *, cap: int = 1000) -> dict[str, int]:
    """Open cases by stage, exactly; closed ones counted no further than `cap` + 1 (a panel's
    whole history is closed: past the cap the home page says "more than 1,000")."""
    from django.db.models import Count

    visible = cases_visible_to(user)
    counts = dict(
        visible.filter(state__in=[s for s in CaseState.values if s != CaseState.CLOSED])
        .values_list("state")
        .annotate(n=Count("*"))
        .values_list("state", "n")
    )
    closed = visible.filter(state=CaseState.CLOSED).order_by().values("number")  # the index
    counts[CaseState.CLOSED] = closed[: cap + 1].count()
    return {state: counts.get(state, 0) for state in CaseState.values}


def case_viewers(case: Case, *, limit: int = 100) -> list[AccessEvent]:
    """Who has viewed this case: opening it, and every list and export that showed it."""
    from django.contrib.contenttypes.models import ContentType

    case_type = ContentType.objects.get_for_model(Case)
    # Two reads, each from its own index and newest first, joined in one statement: an OR of
    # the two would have the planner filter the whole access log, which grows with every page.
    opened = (
        AccessEvent.objects.filter(object_type=case_type, object_id=str(case.pk))
        .order_by("-at")
        .values_list("pk")[:limit]
    )
    shown_in = (
        AccessEventObject.objects.filter(object_id=str(case.pk), event__object_type=case_type)
        .order_by("-event__at")
        .values_list("event")[:limit]
    )
    return list(
        AccessEvent.objects.filter(pk__in=opened.union(shown_in, all=True))
        .select_related("user")
        .order_by("-at")[:limit]
    )


def offers_to_my_panels(user: User) -> QuerySet[Transfer]:
    """Notifications and cases other panels offer to the user's, waiting for a decision."""
    return (
        transfers_visible_to(user)
        .filter(
            status=TransferStatus.OFFERED,
            to_panel__in=panels_where(user, PanelRole.ADMINISTRATOR),
        )
        .select_related("from_panel", "to_panel", "notification", "case", "offered_by")
    )


def get_transfer_for_user(user: User, pk: int) -> Transfer:
    return get_object_or_404(
        transfers_visible_to(user).select_related(
            "from_panel", "to_panel", "notification", "case", "offered_by", "decided_by"
        ),
        pk=pk,
    )


def open_offer_of(*, notification: Notification | None = None, case: Case | None = None):
    offers = Transfer.objects.filter(status=TransferStatus.OFFERED).select_related("to_panel")
    if notification is not None:
        return offers.filter(notification=notification).first()
    return offers.filter(case=case).first()


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    title: str
    detail: str
    by: object
    note: object = None  # a case note, with `editable` for the viewer
    editable: bool = False


def case_timeline(case: Case, viewer: User) -> list[TimelineEntry]:
    """The case's events and notes together, oldest first, in two queries."""
    from cases.services import note_still_editable

    entries = []
    for event in case.events.select_related("by"):
        title = event.get_kind_display()
        if event.to_state and event.kind == "state_changed":
            title = f"{title}: {event.get_to_state_display().lower()}"
        entries.append(TimelineEntry(event.at, title, event.detail, event.by))
    for note in case.notes.select_related("author"):
        entries.append(
            TimelineEntry(
                note.written_at,
                f"Note: {note.get_kind_display().lower()}, {note.occurred_on:%-d %b %Y}",
                note.text,
                note.author,
                note=note,
                editable=note_still_editable(note, viewer),
            )
        )
    return sorted(entries, key=lambda e: e.at)
