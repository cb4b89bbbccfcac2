import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from agency_forms import services
from agency_forms.forms import FormRequestChangeForm, FormRequestForm
from agency_forms.permissions import form_requests_visible_to, may_request_forms
from agency_forms.selectors import (
    DICTIONARY_COLUMNS,
    PREFILL_LABELS,
    answer_described,
    data_dictionary_rows,
    form_definitions,
)
from cases.selectors import get_case_for_user


@login_required
@require_safe
def data_dictionary(request: HttpRequest) -> HttpResponse:
    """Every question of every version of every form, and what its answer can be."""
    forms = [
        (
            definition,
            [
                (
                    section,
                    [
                        (q, answer_described(q), PREFILL_LABELS.get(q.get("prefill", ""), ""))
                        for q in section["questions"]
                    ],
                )
                for section in definition.sections
            ],
        )
        for definition in form_definitions()
    ]
    return render(request, "agency_forms/data_dictionary.html", {"forms": forms})


@login_required
@require_safe
def data_dictionary_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DICTIONARY_COLUMNS)
    writer.writerows(data_dictionary_rows())
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="form-data-dictionary.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def form_requests_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Ask agencies for the reporting form (and supplementary forms) about a case."""
    case = get_case_for_user(request.user, case_pk)
    if not may_request_forms(request.user, case):
        raise PermissionDenied
    form = FormRequestForm(request.POST or None, panel=case.panel)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.form_requests_send(
                case=case,
                agencies=list(form.cleaned_data["agencies"]),
                supplementary=form.cleaned_data["supplementary"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{len(sent)} form{'s' if len(sent) > 1 else ''} asked for")
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "title": "Ask agencies for information", "button": "Send"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_request_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Waive, extend or cancel a request that is still with the agency."""
    form_request = get_object_or_404(
        form_requests_visible_to(request.user).select_related("case", "agency"), pk=pk
    )
    case = form_request.case
    form = FormRequestChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "extend":
                services.form_request_extend(
                    form_request=form_request,
                    due_on=data["due_on"],
                    reason=data["reason"],
                    by=request.user,
                )
            else:
                change = {
                    "waive": services.form_request_waive,
                    "cancel": services.form_request_cancel,
                }[data["action"]]
                change(form_request=form_request, reason=data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Request to {form_request.agency.name} changed")
            return redirect("cases:case_detail", pk=case.pk)
    title = f"Change the request to {form_request.agency.name}"
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "title": title, "button": "Save the change"},
    )
