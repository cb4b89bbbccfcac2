"""Historic import of cases from a panel's spreadsheet (interfaces.md, `import_cases`).

Two passes: `parse` checks every row and collects every problem as
`line N, column NAME: what is wrong`; only a file without problems reaches `save`, which
writes it in one transaction. Re-importing a file changes nothing.

Import is another way in, not a way around: it creates and corrects cases and analyses through
the public services of `cases.services`, so the checks and timeline events are the pages' own.
A case changed in the application since it was last imported (any event on its timeline after
the import's stamp) is left as it is and reported: the panel's later work always wins.
"""

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    DeathType,
    EthnicCategory,
    PlaceOfDeath,
    Sex,
)
from panels.models import Factor, ModifiableDecision, Panel, Ward
from panels.services import ward_get_or_add

REQUIRED = [
    "case_ref",
    "area",
    "sex",
    "date_of_birth",
    "date_of_death",
    "date_notified",
    "death_type",
    "place_of_death",
]
OPTIONAL = [
    "ward",
    "ethnicity",
    "gestation_weeks",
    "rapid_response",
    "review_date",
    "category",
    "modifiable",
    "factors",
]


DEATH_TYPES = list(DeathType.values)
DECISIONS = list(ModifiableDecision.values)


@dataclass(slots=True)
class ImportRow:
    line: int
    case_ref: str
    area_name: str
    ward_name: str
    sex: str
    date_of_birth: date
    date_of_death: date
    date_notified: date
    death_type: str
    ethnicity: str | None
    place_of_death: str
    gestation_weeks: int | None
    rapid_response: bool | None
    review_date: date | None
    category: int | None
    modifiable: str | None
    factors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # `line N, case_ref X: changed in the application on DATE, left as it is`
    left_as_is: list[str] = field(default_factory=list)


class _Row:
    """Reads one CSV row's cells, noting each problem against its column."""

    def __init__(self, line: int, cells: dict[str, str], problems: list[str], today: date):
        self.line, self.cells, self.problems, self.today = line, cells, problems, today

    def problem(self, column: str, message: str) -> None:
        self.problems.append(f"line {self.line}, column {column}: {message}")

    def text(self, column: str, *, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.problem(column, "is required")
        return value

    def choice(self, column: str, allowed, *, required: bool = False) -> str | None:
        value = self.text(column, required=required)
        if value and value not in allowed:
            self.problem(column, f"'{value}' is not one of {', '.join(allowed)}")
            return None
        return value or None

    def date(self, column: str, *, required: bool = False) -> date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or len(value) != 10:
            self.problem(column, f"'{value}' is not a date in the form YYYY-MM-DD")
            return None
        if parsed > self.today:
            self.problem(column, f"{value} is in the future")
            return None
        return parsed

    def whole_number(self, column: str, low: int, high: int) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self.problem(column, f"'{value}' is not a whole number from {low} to {high}")
            return None
        return int(value)


@dataclass
class CodeLists:
    areas: dict[str, object]
    sexes: set[str]
    ethnicities: set[str]
    places: set[str]
    factors: dict[str, Factor]

    @classmethod
    def for_panel(cls, panel: Panel) -> "CodeLists":
        return cls(
            areas={a.name: a for a in panel.areas.all()},
            sexes=set(Sex.objects.values_list("code", flat=True)),
            ethnicities=set(EthnicCategory.objects.values_list("code", flat=True)),
            places=set(PlaceOfDeath.objects.values_list("code", flat=True)),
            factors={f.code: f for f in Factor.objects.all()},
        )


def parse(text: str, panel: Panel) -> tuple[list[ImportRow], list[str]]:
    problems: list[str] = []
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return [], ["line 1: the file is empty; it needs a header row"]
    header = [h.strip() for h in header]
    for column in header:
        if column not in REQUIRED + OPTIONAL:
            problems.append(f"line 1, column {column}: unknown column")
    for column in REQUIRED:
        if column not in header:
            problems.append(f"line 1, column {column}: required column is missing")
    if problems:
        return [], problems

    codes = CodeLists.for_panel(panel)
    today = timezone.localdate()
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    line = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(f"line {line}: the CSV cannot be read ({error})")
            break
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"line {start}: has {len(cells)} cells, the header has {len(header)}")
            continue
        cells = dict(zip(header, cells, strict=True))
        row = _read_row(_Row(start, cells, problems, today), codes)
        if row is None:
            continue
        if row.case_ref in seen:
            problems.append(
                f"line {start}, column case_ref: '{row.case_ref}' is also on line "
                f"{seen[row.case_ref]}"
            )
        seen.setdefault(row.case_ref, start)
        rows.append(row)
    return rows, problems


def _read_row(r: _Row, codes: CodeLists) -> ImportRow | None:
    before = len(r.problems)
    case_ref = r.text("case_ref", required=True)
    area = r.text("area", required=True)
    if area and area not in codes.areas:
        r.problem("area", f"'{area}' is not an area of this panel ({', '.join(codes.areas)})")
    sex = r.choice("sex", sorted(codes.sexes), required=True)
    born = r.date("date_of_birth", required=True)
    died = r.date("date_of_death", required=True)
    notified = r.date("date_notified", required=True)
    if born and died:
        if died < born:
            r.problem("date_of_death", "is before the date of birth")
        elif died >= born + relativedelta(years=18):
            r.problem("date_of_death", "the child was 18 or over at death")
    if died and notified and notified < died:
        r.problem("date_notified", "is before the date of death")
    death_type = r.choice("death_type", DEATH_TYPES, required=True)
    ethnicity = r.choice("ethnicity", sorted(codes.ethnicities))
    place = r.choice("place_of_death", sorted(codes.places), required=True)
    gestation = r.whole_number("gestation_weeks", 20, 44)
    rapid = r.choice("rapid_response", ["yes", "no"])
    reviewed = r.date("review_date")
    if reviewed and died and reviewed < died:
        r.problem("review_date", "is before the date of death")
    category_text = r.text("category")
    category = None
    if category_text:
        if category_text.isdigit() and 1 <= int(category_text) <= 10:
            category = int(category_text)
        else:
            r.problem("category", f"'{category_text}' is not a category from 1 to 10")
    modifiable = r.choice("modifiable", DECISIONS)
    factors = [f.strip() for f in r.text("factors").split(";") if f.strip()]
    if reviewed:
        if not category_text:
            r.problem("category", "is required with a review_date")
        if not r.text("modifiable"):
            r.problem("modifiable", "is required with a review_date")
    else:
        for column in ("category", "modifiable", "factors"):
            if r.text(column):
                r.problem(column, "is only allowed with a review_date")
    for code in factors:
        if code not in codes.factors:
            r.problem("factors", f"'{code}' is not a factor code")
    if factors and modifiable and modifiable != ModifiableDecision.YES:
        r.problem("factors", "are only allowed with modifiable=yes")
    if len(r.problems) > before:
        return None
    return ImportRow(
        line=r.line,
        case_ref=case_ref,
        area_name=area,
        ward_name=r.text("ward"),
        sex=sex,
        date_of_birth=born,
        date_of_death=died,
        date_notified=notified,
        death_type=death_type,
        ethnicity=None if ethnicity in (None, "99") else ethnicity,
        place_of_death=place,
        gestation_weeks=gestation,
        rapid_response=None if rapid is None else rapid == "yes",
        review_date=reviewed,
        category=category,
        modifiable=modifiable,
        factors=list(dict.fromkeys(factors)),
    )


def _case_values(row: ImportRow, area, ward) -> dict:
    return {
        "area": area,
        "ward": ward,
        "sex_id": row.sex,
        "date_of_birth": row.date_of_birth,
        "date_of_death": row.date_of_death,
        "date_notified": row.date_notified,
        "death_type": row.death_type,
        "ethnicity_id": row.ethnicity,
        "place_of_death_id": row.place_of_death,
        "gestation_weeks": row.gestation_weeks,
        "rapid_response_held": row.rapid_response,
    }


def _same_values(case: Case, values: dict) -> bool:
    """Compared by the keys the case's row holds, so no related row is read."""
    for name, value in values.items():
        wanted = value.pk if isinstance(value, models.Model) else value
        if getattr(case, Case._meta.get_field(name).attname) != wanted:
            return False
    return True


def _analysis_state(case: Case) -> tuple | None:
    analysis = getattr(case, "analysis", None)
    if analysis is None:
        return None
    codes = sorted(f.factor.code for f in analysis.factors.all() if f.modifiable)
    return (case.closed_on, analysis.primary_category_id, analysis.modifiable, codes)


def _wanted_analysis(row: ImportRow) -> tuple | None:
    if not row.review_date:
        return None
    return (row.review_date, row.category, row.modifiable, sorted(row.factors))


CHUNK = 5000


@transaction.atomic
def save(
    rows: list[ImportRow],
    panel: Panel,
    *,
    by: User,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a checked file, a chunk of rows at a time: new cases in bulk
    (`services.cases_import_new`), corrections case by case through the pages' services."""
    result = ImportResult()
    areas = {a.name: a for a in panel.areas.all()}
    factors = {f.code: f for f in Factor.objects.all()}
    wards = {(w.area_id, w.name): w for w in Ward.objects.filter(area__panel=panel)}
    done = 0
    for chunk in itertools.batched(rows, CHUNK, strict=False):
        existing = _existing(panel, [row.case_ref for row in chunk])
        new = []
        for row in chunk:
            area = areas[row.area_name]
            ward = None
            if row.ward_name:
                ward = wards.get((area.pk, row.ward_name))
                if ward is None:
                    ward = wards[area.pk, row.ward_name] = ward_get_or_add(
                        area=area, name=row.ward_name, by=by
                    )
            values = _case_values(row, area, ward)
            case = existing.get(row.case_ref)
            if case is None:
                new.append(_historic(row, values, factors))
            elif case.changed_at is not None:
                result.left_as_is.append(
                    f"line {row.line}, case_ref {row.case_ref}: changed in the application on "
                    f"{timezone.localtime(case.changed_at).date().isoformat()}, left as it is"
                )
            elif _same_values(case, values) and _analysis_state(case) == _wanted_analysis(row):
                result.unchanged += 1
            else:
                _correct(case, row, values, factors, by=by)
                result.updated += 1
        services.cases_import_new(panel=panel, cases=new, by=by)
        result.created += len(new)
        done += len(chunk)
        _report(progress, done, len(rows))
    return result


def _existing(panel: Panel, refs: list[str]) -> dict[str, Case]:
    """The panel's cases with these references, each with its analysis and `changed_at`: when
    it was first changed in the application after its last import, if it was."""
    first_change = (
        CaseEvent.objects.filter(case=OuterRef("pk"), at__gt=OuterRef("last_imported_at"))
        .order_by("at")
        .values("at")[:1]
    )
    cases = (
        Case.objects.filter(panel=panel, legacy_reference__in=refs)
        .annotate(changed_at=Subquery(first_change))
        .select_related("analysis")
        .prefetch_related("analysis__factors__factor")
    )
    return {c.legacy_reference: c for c in cases}


def _historic(row: ImportRow, values: dict, factors: dict) -> services.HistoricCase:
    analysis = None
    if row.review_date:
        analysis = {
            "review_date": row.review_date,
            "primary_category": row.category,
            "modifiable": row.modifiable,
        }
    return services.HistoricCase(
        legacy_reference=row.case_ref,
        date_notified=row.date_notified,
        fields={name: value for name, value in values.items() if name != "date_notified"},
        analysis=analysis,
        factors=tuple(_factor_records(row, factors)),
    )


def _factor_records(row: ImportRow, factors: dict) -> list[services.FactorRecord]:
    return [
        services.FactorRecord(
            factor=factors[code], domain=factors[code].domain, contributed=True, modifiable=True
        )
        for code in row.factors
    ]


def _correct(case: Case, row: ImportRow, values: dict, factors: dict, *, by: User) -> None:
    """A corrected row of a case nobody changed in the application: as the pages would."""
    if case.state == CaseState.CLOSED:
        case = services.case_reopen(case=case, reason="corrected by a re-import", by=by)
    services.case_update_details(case=case, by=by, **values)
    _bring_analysis_in_line(case, row, factors, by=by)
    services.case_stamp_imported(case=case, by=by)


def _report(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress:
        progress(done, total)


def _bring_analysis_in_line(case: Case, row: ImportRow, factors: dict, *, by: User) -> None:
    """A reviewed row is a closed case with its analysis; an unreviewed one an open case."""
    if not row.review_date:
        services.case_remove_analysis(case=case, by=by)
        return
    case.refresh_from_db(fields=["state"])
    if case.state in (CaseState.NOTIFIED, CaseState.INFORMATION_GATHERING):
        services.case_mark_ready_for_panel(case=case, by=by)
    services.case_record_analysis(
        case=case,
        by=by,
        primary_category=row.category,
        modifiable=row.modifiable,
        factors=_factor_records(row, factors),
    )
    services.case_close(case=case, review_date=row.review_date, by=by)
