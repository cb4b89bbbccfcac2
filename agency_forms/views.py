import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access_log import record_access
from agency_forms import services
from agency_forms.forms import (
    AttachmentForm,
    FormRequestChangeForm,
    FormRequestForm,
    ReassignForm,
    ReturnForm,
    SectionForm,
    SubmitForm,
)
from agency_forms.models import FormAttachment, FormRequest, RequestStatus
from agency_forms.permissions import (
    agency_people,
    form_requests_administered_by,
    is_at_the_agency,
    may_administer_request,
    may_complete_request,
    may_reassign_request,
    may_request_forms,
    may_return_request,
    may_see_outstanding,
)
from agency_forms.selectors import (
    DICTIONARY_COLUMNS,
    MY_TABS,
    PREFILL_LABELS,
    answer_described,
    answers_shown,
    attachments_of,
    data_dictionary_rows,
    form_definitions,
    get_attachment_for_user,
    get_form_request_for_user,
    involved_agencies_of,
    my_requests,
    my_requests_counted,
    outstanding_by_agency,
    outstanding_requests,
    prefill_facts,
    section_states,
    when_due,
)
from cases.selectors import CappedPaginator, get_case_for_user
from core.models import AccessAction


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
    form = FormRequestForm(
        request.POST or None, panel=case.panel, involved=involved_agencies_of(case)
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.form_requests_send(
                case=case,
                agencies=list(form.cleaned_data["agencies"]),
                supplementary=form.cleaned_data["supplementary"],
                named=form.cleaned_data["named_person"],
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
        form_requests_administered_by(request.user).select_related("case", "agency"), pk=pk
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


# --- The agency's side ----------------------------------------------------------------------

PAGE_SIZE = 25  # as the case list: a page of rows costs the same everywhere


@login_required
@require_safe
def my_requests_list(request: HttpRequest) -> HttpResponse:
    """ "My requests": what the user's agencies were asked, with days left or overdue."""
    tab = request.GET.get("show", "to-complete")
    if tab not in MY_TABS:
        tab = "to-complete"
    page = CappedPaginator(
        my_requests(request.user, tab), PAGE_SIZE, counted=my_requests_counted(request.user, tab)
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(r, when_due(r, today)) for r in page.object_list]
    if rows:
        record_access(
            request,
            action=AccessAction.LIST,
            model=FormRequest,
            object_ids=[r.pk for r, _ in rows],
        )
    return render(
        request,
        "agency_forms/my_requests.html",
        {
            "page": page,
            "rows": rows,
            "tab": tab,
            "tabs": [(key, label) for key, (label, _) in MY_TABS.items()],
        },
    )


def _opened(request: HttpRequest, pk: int, what: str = "") -> FormRequest:
    """A request the user may open (404 otherwise), recorded in the access log."""
    form_request = get_form_request_for_user(request.user, pk)
    record_access(request, action=AccessAction.VIEW, model=FormRequest, object_id=pk, detail=what)
    return form_request


def _permitted(request: HttpRequest, pk: int, may, what: str) -> FormRequest:
    """A request the user may see (404 otherwise) and `may` act on now (403 otherwise),
    recorded in the access log."""
    form_request = get_form_request_for_user(request.user, pk)
    if not may(request.user, form_request):
        raise PermissionDenied
    record_access(request, action=AccessAction.VIEW, model=FormRequest, object_id=pk, detail=what)
    return form_request


def _writable(request: HttpRequest, pk: int, what: str) -> FormRequest:
    """The agency's to write now (403 when it may only be seen)."""
    return _permitted(request, pk, may_complete_request, what)


@login_required
@require_safe
def form_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's task list while the form is theirs; the form as submitted afterwards
    (and to the panel's administrators), printable."""
    form_request = _opened(request, pk)
    user = request.user
    at_agency = is_at_the_agency(user, form_request)
    administers = may_administer_request(user, form_request)
    editable = may_complete_request(user, form_request)
    # The panel reads what was submitted; a draft is the agency's until then.
    answers_visible = at_agency or form_request.status in (
        RequestStatus.SUBMITTED,
        RequestStatus.RETURNED,
    )
    return render(
        request,
        "agency_forms/request_detail.html",
        {
            "form_request": form_request,
            "case": form_request.case,
            "when": when_due(form_request, timezone.localdate()),
            "editable": editable,
            "sections": section_states(form_request) if editable else None,
            "answers": answers_shown(form_request) if answers_visible and not editable else None,
            "attachments": attachments_of(form_request),
            "at_agency": at_agency,
            "administers": administers,
            "may_return": may_return_request(user, form_request),
            "may_reassign": may_reassign_request(user, form_request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_request_section(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One section of the form: saved as a draft, then back to the task list (or on to the
    next section)."""
    form_request = _writable(request, pk, f"section {key}")
    definition = form_request.definition
    keys = [s["key"] for s in definition.sections]
    if key not in keys:
        raise Http404("No such section")
    section = definition.sections[keys.index(key)]
    form = SectionForm(
        request.POST or None,
        section=section,
        answers=form_request.answers,
        prefill=prefill_facts(form_request),
        initial={"version": form_request.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.form_request_save(
                form_request=form_request,
                section_key=key,
                answers=form.answers(),
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.AnswersChangedError as error:
            # Keep what they typed; the next save is made over the version they now know.
            form.add_error(None, error)
            data = request.POST.copy()
            data["version"] = type(form_request).objects.get(pk=pk).version
            form.data = data
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Section {key} saved as a draft")
            position = keys.index(key)
            if "next" in request.POST and position + 1 < len(keys):
                return redirect("agency_forms:form_request_section", pk=pk, key=keys[position + 1])
            return redirect("agency_forms:form_request_detail", pk=pk)
    return render(
        request,
        "agency_forms/request_section.html",
        {
            "form_request": form_request,
            "case": form_request.case,
            "section": section,
            "form": form,
            "has_next": keys.index(key) + 1 < len(keys),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_request_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then submit once."""
    form_request = _writable(request, pk, "check answers")
    form = SubmitForm(request.POST or None, initial={"version": form_request.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.form_request_submit(
                form_request=form_request, version=form.cleaned_data["version"], by=request.user
            )
        except ValidationError as error:
            # Shown over the answers as they are now, and submitted from them next time.
            form = SubmitForm({"version": form_request.version})
            form.is_valid()
            form.add_error(None, error)
        else:
            messages.success(request, "Form submitted: the panel has it now. Thank you")
            return redirect("agency_forms:form_request_detail", pk=pk)
    missing = services.missing_answers(form_request.definition, form_request.answers)
    return render(
        request,
        "agency_forms/request_check.html",
        {
            "form_request": form_request,
            "case": form_request.case,
            "answers": answers_shown(form_request),
            "missing": missing,
            "attachments": attachments_of(form_request),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_request_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrator sends a submitted form back for amendment."""
    form_request = _permitted(request, pk, may_return_request, "return")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, warning = services.form_request_return(
                form_request=form_request,
                reason=form.cleaned_data["reason"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Form returned to {form_request.agency.name}")
            if warning:
                messages.warning(request, warning)
            return redirect("cases:case_detail", pk=form_request.case_id)
    return _request_form_page(
        request, form_request, form, f"Return the form to {form_request.agency.name}", "Return it"
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_request_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency lead gives the request to one of the agency's people."""
    form_request = _permitted(request, pk, may_reassign_request, "reassign")
    posted = request.POST if request.method == "POST" else None  # "anyone" posts nothing
    form = ReassignForm(posted, people=agency_people(form_request.agency_id))
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.form_request_reassign(form_request=form_request, to=person, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Given to {person.full_name}" if person else "Given to the agency"
            )
            return redirect("agency_forms:form_request_detail", pk=pk)
    return _request_form_page(request, form_request, form, "Who completes this form?", "Save")


def _request_form_page(request, form_request, form, title, button, *, multipart=False):
    return render(
        request,
        "agency_forms/request_form.html",
        {
            "form_request": form_request,
            "case": form_request.case,
            "form": form,
            "title": title,
            "button": button,
            "multipart": multipart,
        },
    )


# --- Attachments ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def form_attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    form_request = _writable(request, pk, "attach a file")
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One read bounded by the limit (and one byte more, to know it is over).
            content = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
            services.form_attachment_add(
                form_request=form_request,
                name=upload.name,
                content=content,
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "File attached")
            return redirect("agency_forms:form_request_detail", pk=pk)
    return _request_form_page(
        request, form_request, form, "Attach a file", "Attach it", multipart=True
    )


@login_required
@require_safe
def form_attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A file, only to those who may open its request, recorded in the access log; always as
    a download, under the type its content showed and a name the service made."""
    attachment = get_attachment_for_user(request.user, pk)
    form_request = attachment.request
    if not is_at_the_agency(request.user, form_request) and form_request.status not in (
        RequestStatus.SUBMITTED,
        RequestStatus.RETURNED,
    ):
        raise Http404("No such file")  # a draft's files are the agency's until submitted
    record_access(request, action=AccessAction.DOWNLOAD, model=FormAttachment, object_id=pk)
    content = bytes(FormAttachment.objects.values_list("content", flat=True).get(pk=pk))
    response = StreamingHttpResponse(
        (content[i : i + 65536] for i in range(0, len(content), 65536)),
        content_type=attachment.content_type,
    )
    response["Content-Disposition"] = f'attachment; filename="{attachment.file_name}"'
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def form_attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk)
    form_request = _writable(request, attachment.request_id, "remove a file")
    try:
        services.form_attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{attachment.file_name} removed")
    return redirect("agency_forms:form_request_detail", pk=form_request.pk)


# --- The administrator's overview --------------------------------------------------------


@login_required
@require_safe
def outstanding(request: HttpRequest) -> HttpResponse:
    """Every request still with an agency across the administrator's cases, by agency, with
    how overdue each is."""
    if not may_see_outstanding(request.user):
        raise Http404("No such page")
    today = timezone.localdate()
    agencies = outstanding_by_agency(request.user, today)
    chosen = request.GET.get("agency", "")
    agency_id = int(chosen) if chosen.isdigit() else None
    page = CappedPaginator(
        outstanding_requests(request.user, agency_id),
        PAGE_SIZE,
        counted=outstanding_requests(request.user, agency_id, counted=True),
    ).get_page(request.GET.get("page"))
    rows = [(r, when_due(r, today)) for r in page.object_list]
    if rows:
        record_access(
            request,
            action=AccessAction.LIST,
            model=FormRequest,
            object_ids=[r.pk for r, _ in rows],
            detail="outstanding requests" + (" of one agency" if agency_id else ""),
        )
    return render(
        request,
        "agency_forms/outstanding.html",
        {"agencies": agencies, "page": page, "rows": rows, "agency_id": agency_id},
    )
