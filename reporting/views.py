"""The national submission: each closed case's national data set record, per case and per
period, as JSON and CSV (reporting.national)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from accounts.access_log import record_access
from cases.models import Case
from cases.permissions import cases_visible_to, may_record_notifications
from cases.selectors import get_case_for_user
from core.models import AccessAction
from reporting.forms import PeriodForm
from reporting.national import (
    as_csv,
    as_json,
    closed_cases,
    national_export,
    needing_resubmission,
)


def _administrators_only(request: HttpRequest) -> None:
    if not may_record_notifications(request.user):
        raise Http404("Not here")


@login_required
@require_safe
def national_submission(request: HttpRequest) -> HttpResponse:
    """Choose a period to export; the exported cases changed since, to send again."""
    _administrators_only(request)
    stale = list(needing_resubmission(cases_visible_to(request.user))[:100])
    if stale:
        record_access(
            request,
            action=AccessAction.LIST,
            model=Case,
            object_ids=[c.pk for c in stale],
            detail="national submission: changed since export",
        )
    return render(
        request,
        "reporting/national.html",
        {"form": PeriodForm(), "stale": stale},
    )


def _download(request, records_of, name: str, file_format: str) -> HttpResponse:
    cases = list(records_of)
    records = national_export(cases=cases, by=request.user)
    record_access(
        request,
        action=AccessAction.EXPORT,
        model=Case,
        object_ids=[c.pk for c in cases],
        detail=f"national data set ({file_format})",
    )
    if file_format == "csv":
        response = HttpResponse(as_csv(records), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_json(records), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@login_required
@require_POST
def national_period_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """A download that records the export on each case: a POST, like the form it comes from."""
    _administrators_only(request)
    if file_format not in ("json", "csv"):
        raise Http404("No such format")
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return render(request, "reporting/national.html", {"form": form, "stale": []})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    cases = closed_cases(cases_visible_to(request.user), start, end)
    return _download(request, cases, f"national-data-set-{start}-to-{end}", file_format)


@login_required
@require_POST
def national_case_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if file_format not in ("json", "csv"):
        raise Http404("No such format")
    cases = list(closed_cases(cases_visible_to(request.user).filter(pk=case.pk)))
    if not cases:
        raise Http404("The case is not closed: it has no national record yet")
    return _download(request, cases, f"national-data-set-{case.number}", file_format)
