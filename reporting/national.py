"""The national data set record of each closed case (domain.md §2 step 7): notification,
reporting-form summary and analysis, as the panel sends them to the National Child Mortality
Database. One record builder; the JSON and the CSV are two spellings of it (the fields are
documented in docs/national-data-set.md).

Every export is recorded (`NationalExport`); a case with a timeline event after its last
export (re-opened, its analysis or details changed) needs re-submission.
"""

import csv
import io
import json
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import User
from agency_forms.models import FormRequest, RequestStatus
from cases.models import Case, CaseEvent, CaseState
from panels.models import AnalysisFactor
from reporting.models import NationalExport

CSV_COLUMNS = [
    "case_number", "panel", "nhs_number", "date_of_birth", "sex", "ethnicity", "area",
    "date_of_death", "date_notified", "place_of_death", "death_type", "rapid_response",
    "forms_requested", "forms_submitted", "forms_waived", "agencies_submitted",
    "review_date", "primary_category", "contributing_categories", "modifiable",
    "factors", "modifiable_factors",
]  # fmt: skip


def closed_cases(cases: QuerySet[Case], start: date | None = None, end: date | None = None):
    """The closed cases among `cases`, reviewed between `start` and `end` (inclusive), with
    what their records read."""
    closed = cases.filter(state=CaseState.CLOSED)
    if start:
        closed = closed.filter(closed_on__gte=start)
    if end:
        closed = closed.filter(closed_on__lte=end)
    submitted = FormRequest.objects.filter(status=RequestStatus.SUBMITTED).select_related("agency")
    return (
        closed.select_related(
            "panel", "sex", "ethnicity", "area", "place_of_death", "analysis__primary_category"
        )
        .prefetch_related(
            "analysis__contributing_categories",
            Prefetch(
                "analysis__factors",
                queryset=AnalysisFactor.objects.select_related("factor").order_by("factor__code"),
            ),
            "form_requests",
            Prefetch("form_requests", queryset=submitted, to_attr="submitted_forms"),
            "rapid_response_episode",
        )
        .order_by("closed_on", "number")
    )


def record_of(case: Case) -> dict:
    """The case's national data set record, as plain values."""
    analysis = getattr(case, "analysis", None)
    factors = list(analysis.factors.all()) if analysis else []
    requests = list(case.form_requests.all())
    episode = getattr(case, "rapid_response_episode", None)
    return {
        "case_number": case.number,
        "panel": case.panel.code,
        "notification": {
            "nhs_number": case.nhs_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "sex": case.sex_id,
            "ethnicity": case.ethnicity_id or "",
            "area": case.area.name,
            "date_of_death": case.date_of_death.isoformat(),
            "date_notified": case.date_notified.isoformat(),
            "place_of_death": case.place_of_death_id,
            "death_type": case.death_type,
            "rapid_response": episode is not None or bool(case.rapid_response_held),
        },
        "reporting_forms": {
            "requested": sum(r.counts_for_readiness for r in requests),
            "submitted": sum(r.status == RequestStatus.SUBMITTED for r in requests),
            "waived": sum(r.status == RequestStatus.WAIVED for r in requests),
            "agencies_submitted": sorted({r.agency.name for r in case.submitted_forms}),
        },
        "analysis": {
            "review_date": case.closed_on.isoformat() if case.closed_on else "",
            "primary_category": analysis.primary_category_id if analysis else None,
            "contributing_categories": sorted(c.pk for c in analysis.contributing_categories.all())
            if analysis
            else [],
            "modifiable": analysis.modifiable if analysis else "",
            "factors": [
                {
                    "code": f.factor.code,
                    "domain": f.domain,
                    "contributed": f.contributed,
                    "modifiable": f.modifiable,
                    "description": f.description,
                }
                for f in factors
            ],
        },
    }


def as_json(records: list[dict]) -> str:
    return json.dumps({"format": "cdop-national-data-set/1", "records": records}, indent=2)


def as_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        n, forms, a = r["notification"], r["reporting_forms"], r["analysis"]
        row = [
            r["case_number"], r["panel"], n["nhs_number"], n["date_of_birth"], n["sex"],
            n["ethnicity"], n["area"], n["date_of_death"], n["date_notified"],
            n["place_of_death"], n["death_type"], "yes" if n["rapid_response"] else "no",
            forms["requested"], forms["submitted"], forms["waived"],
            "; ".join(forms["agencies_submitted"]), a["review_date"], a["primary_category"],
            "; ".join(str(c) for c in a["contributing_categories"]), a["modifiable"],
            "; ".join(f"{f['code']}:{f['domain']}" for f in a["factors"]),
            "; ".join(f["code"] for f in a["factors"] if f["modifiable"]),
        ]  # fmt: skip
        writer.writerow([_no_formula(value) for value in row])
    return out.getvalue()


def _no_formula(value):
    """A spreadsheet must not run a cell as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def national_export(*, cases: list[Case], by: User) -> list[dict]:
    """The records of these closed cases, each export recorded on its case."""
    records = [record_of(case) for case in cases]
    NationalExport.objects.bulk_create([NationalExport(case=c, exported_by=by) for c in cases])
    return records


def needing_resubmission(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Exported cases with a timeline event after their last export."""
    last = NationalExport.objects.filter(case=OuterRef("pk")).order_by("-exported_at")
    changed = CaseEvent.objects.filter(case=OuterRef("pk"), at__gt=OuterRef("last_exported"))
    return (
        cases.annotate(last_exported=Subquery(last.values("exported_at")[:1]))
        .filter(last_exported__isnull=False)
        .filter(Exists(changed))
        .order_by("number")
    )
