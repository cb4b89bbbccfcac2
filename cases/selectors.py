"""Reads of cases and notifications, always through the user's permissions."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as When_
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import PanelRole, User
from accounts.permissions import panel_ids_where, panels_where
from cases.models import (
    Case,
    CaseEventKind,
    CaseExport,
    CaseState,
    EthnicCategory,
    Notification,
    PlaceOfDeath,
    RelatedProcess,
    Sex,
    Transfer,
    TransferStatus,
    TriageStatus,
)
from cases.permissions import (
    CASE_WORKERS,
    case_exports_of,
    cases_visible_to,
    may_have_export,
    notifications_visible_to,
    transfers_visible_to,
)
from cases.validators import normalise_nhs_number, search_text
from core.models import AccessAction, AccessEvent, AccessEventObject
from panels.models import Area, Ward


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

    def __init__(self, object_list, per_page, *, cap: int = 1000, counted=None):
        """`counted`: the same rows without what only the page shows (labels, counts of
        related rows), so that counting does not compute them for a thousand rows."""
        super().__init__(object_list, per_page)
        self.cap = cap
        self.counted = object_list if counted is None else counted

    @cached_property
    def seen(self) -> int:
        # In no order: the count stops at the cap's first rows found, whichever they are.
        return self.counted.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.seen, self.cap)

    @property
    def capped(self) -> bool:
        return self.seen > self.cap


def get_case_for_user(user: User, pk: int) -> Case:
    """A case the user may see; otherwise 404."""
    return get_object_or_404(cases_visible_to(user), pk=pk)


# The case and notification pages read their code lists' labels as subqueries in the SELECT
# list rather than joins. Each is planned on its own: PostgreSQL plans a join of eight tables
# in about 3 ms, longer than the whole page's reads take to run. Raw SQL because the ORM's
# Subquery and Exists cost about 0.3 ms each to compile, in every request. Every name in it
# comes from the models, none from a request.
def _looked_up(model, outer: str, key: str, column: str = "label") -> RawSQL:
    """`column` of the `model` row whose primary key is `outer`.`key`."""
    q = connection.ops.quote_name
    table, pk = q(model._meta.db_table), q(model._meta.pk.column)
    sql = f"SELECT {q(column)} FROM {table} WHERE {pk} = {q(outer)}.{q(key)}"  # noqa: S608
    return RawSQL(sql, ())  # noqa: S611


def _any(model, outer: str, key: str, **equal: str) -> RawSQL:
    """Whether any `model` row points at `outer`'s id through `key` (and has `equal`)."""
    q = connection.ops.quote_name
    where = "".join(f" AND {q(column)} = %s" for column in equal)
    table = q(model._meta.db_table)
    sql = f"EXISTS (SELECT 1 FROM {table} WHERE {q(key)} = {q(outer)}.{q('id')}{where})"  # noqa: S608
    return RawSQL(sql, tuple(equal.values()), output_field=BooleanField())  # noqa: S611


def _ward_and_area(outer: str) -> RawSQL:
    """The ward as `Ward` names itself, "name (area)"."""
    q = connection.ops.quote_name
    ward, area = q(Ward._meta.db_table), q(Area._meta.db_table)
    sql = (
        f"SELECT w.name || ' (' || a.name || ')' FROM {ward} w "  # noqa: S608
        f"JOIN {area} a ON a.id = w.area_id WHERE w.id = {q(outer)}.ward_id"
    )
    return RawSQL(sql, ())  # noqa: S611


def get_case_page_for_user(user: User, pk: int) -> Case:
    """The case page's case, otherwise 404: its summary's labels, its analysis, and whether
    it has related processes or an open offer to another panel (the page reads those only
    where there are some)."""
    case = Case._meta.db_table
    return get_object_or_404(
        cases_visible_to(user)
        .select_related("analysis__primary_category", "rapid_response_episode")
        .annotate(
            area_name=_looked_up(Area, case, "area_id", "name"),
            ward_name=_looked_up(Ward, case, "ward_id", "name"),
            sex_label=_looked_up(Sex, case, "sex_id"),
            place_of_death_label=_looked_up(PlaceOfDeath, case, "place_of_death_id"),
            key_worker_name=_looked_up(User, case, "key_worker_id", "full_name"),
            key_worker_email=_looked_up(User, case, "key_worker_id", "email"),
            has_processes=_any(RelatedProcess, case, "case_id"),
            has_open_offer=_any(Transfer, case, "case_id", status=TransferStatus.OFFERED),
        ),
        pk=pk,
    )


def notifications_of_case(case: Case) -> QuerySet[Notification]:
    """The case's notifications, newest first, with the labels their answers show."""
    table = Notification._meta.db_table
    return case.notifications.annotate(
        sex_shown=_looked_up(Sex, table, "sex_id"),
        place_of_death_shown=_looked_up(PlaceOfDeath, table, "place_of_death_id"),
        ethnicity_shown=_looked_up(EthnicCategory, table, "ethnicity_id"),
        area_shown=_looked_up(Area, table, "area_id", "name"),
        ward_shown=_ward_and_area(table),
    )


def get_case_export_for_user(user: User, pk: int) -> CaseExport:
    """One of the user's large spreadsheets, otherwise 404."""
    from django.http import Http404

    export = get_object_or_404(case_exports_of(user), pk=pk)
    if not may_have_export(user, export):
        raise Http404
    return export


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


@dataclass(frozen=True)
class CaseCounts:
    by_state: dict[str, int]  # closed counted no further than the cap + 1
    at_risk: int  # open, not on an agenda, and the death more than six months ago


def case_counts(user: User, *, today: date | None = None, cap: int = 1000) -> CaseCounts:
    """Open cases by stage and those at risk, exactly, in one read of the open cases' index;
    closed ones counted no further than `cap` + 1 (a panel's whole history is closed: past the
    cap the home page says "more than 1,000")."""
    from django.db.models import Count

    today = today or timezone.localdate()
    visible = cases_visible_to(user)
    rows = (
        visible.filter(state__in=[s for s in CaseState.values if s != CaseState.CLOSED])
        .values("state")
        # Columns of the (panel, state, number, date of death) index: read from it alone.
        .annotate(
            n=Count("state"),
            late=Count("state", filter=Q(date_of_death__lte=today - AT_RISK_AFTER)),
        )
        .values_list("state", "n", "late")
    )
    by_state = dict.fromkeys(CaseState.values, 0)
    at_risk = 0
    for state, n, late in rows:
        by_state[state] = n
        at_risk += late if state != CaseState.SCHEDULED else 0  # see `at_risk_filter`
    closed = visible.filter(state=CaseState.CLOSED).order_by().values("number")  # the index
    by_state[CaseState.CLOSED] = closed[: cap + 1].count()
    return CaseCounts(by_state=by_state, at_risk=at_risk)


@dataclass(frozen=True, slots=True)
class Viewer:
    """One line of "who has viewed this case", read as plain values."""

    who: str
    action: str
    detail: str
    at: datetime


def case_viewers(case: Case, *, limit: int = 100) -> list[Viewer]:
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
    actions = dict(AccessAction.choices)
    events = (
        AccessEvent.objects.filter(pk__in=opened.union(shown_in, all=True))
        .order_by("-at")
        .values_list("user__full_name", "user__email", "action", "detail", "at")[:limit]
    )
    return [
        Viewer(name or email or "Someone unknown", actions[action].lower(), detail, at)
        for name, email, action, detail, at in events
    ]


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

    kinds, states = dict(CaseEventKind.choices), dict(CaseState.choices)
    entries = []
    # Events as plain values (a long-running case has many): who did it is shown by name.
    events = case.events.values_list(
        "at", "kind", "to_state", "detail", "by__full_name", "by__email"
    )
    for at, kind, to_state, detail, name, email in events:
        title = kinds[kind]
        if to_state and kind == CaseEventKind.STATE_CHANGED:
            title = f"{title}: {states[to_state].lower()}"
        entries.append(TimelineEntry(at, title, detail, name or email))
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
