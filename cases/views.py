"""Notifications, triage and cases for the CDOP administrator; the public notification page."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access_log import client_ip, record_access
from accounts.models import PanelRole
from accounts.permissions import panel_ids_where, panels_where
from cases import services
from cases.forms import (
    SECTION_PAGES,
    CaseActionForm,
    CaseDateFilterForm,
    CaseDetailsForm,
    CaseNoteForm,
    NotificationForm,
    PublicNotificationForm,
    ReasonForm,
    RelatedProcessForm,
    TransferAcceptForm,
    TransferOfferForm,
    notification_answers,
)
from cases.models import (
    Case,
    CaseState,
    DeathType,
    ExportStatus,
    Notification,
    NotificationSource,
)
from cases.permissions import (
    CASE_WORKERS,
    may_change_case,
    may_decide_transfer,
    may_record_notifications,
    may_withdraw_transfer,
)
from cases.question_pages import PAGES, Draft, answers_elsewhere, page_of
from cases.selectors import (
    AGE_BAND_LABELS,
    CappedPaginator,
    CaseFilters,
    case_areas_for,
    case_list_for,
    case_timeline,
    case_viewers,
    get_case_export_for_user,
    get_case_for_user,
    get_case_page_for_user,
    get_notification_for_user,
    get_transfer_for_user,
    held_for_review,
    notifications_of_case,
    offers_to_my_panels,
    open_offer_of,
    possible_duplicates,
    search_kind,
    triage_queue_for,
)
from cases.templatetags.cases import stage_colour
from core.decorators import only_for
from core.models import AccessAction
from core.replica import replica_alias
from panels.models import Panel

PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list, read as plain values: a page of 25 builds no models."""

    pk: int
    url: str
    number: str
    child: str
    died: str
    notified: str
    area: str
    stage: str
    colour: str

    COLUMNS = (
        "pk",
        "number",
        "legacy_reference",
        "family_name",
        "given_names",
        "date_of_death",
        "date_notified",
        "state",
        "area__name",
    )

    @classmethod
    def of(cls, values: tuple, case_url: str) -> "CaseRow":
        """`case_url`: a case page's address with {} for the case's id (reversed once)."""
        pk, number, legacy, family, given, died, notified, state, area = values
        return cls(
            pk=pk,
            url=case_url.format(pk),
            number=number,
            child=f"{family.upper()}, {given}" if family else legacy,
            died=_short_date(died),
            notified=_short_date(notified),
            area=area,
            stage=STAGE_LABELS[state],
            colour=stage_colour(state),
        )


STAGE_LABELS = dict(CaseState.choices)


def _short_date(day) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


LIST_CAP = 1000  # the list counts and pages this far, then asks for a narrower search


# Notifications, triage and the case list: CDOP administrators only.
administrator_required = only_for(may_record_notifications)


def _administered_panel(request: HttpRequest) -> Panel:
    # An administrator of several panels picks one; most have exactly one.
    panels = panels_where(request.user, PanelRole.ADMINISTRATOR)
    code = request.GET.get("panel") or request.POST.get("panel_code")
    return (panels.filter(code=code).first() if code else None) or panels.first()


# --- Notifications and triage -------------------------------------------------------------


@dataclass(frozen=True)
class QuestionPages:
    """Where one journey through the notification's question pages goes."""

    panel: Panel
    form_class: type
    draft: Draft
    section_url: object  # slug -> url
    check_url: str
    back_url: str
    submit_label: str


def _question_page(request: HttpRequest, pages: QuestionPages, section: str) -> HttpResponse:
    if section not in SECTION_PAGES:
        raise Http404
    others = answers_elsewhere(pages.form_class, pages.panel, pages.draft, section)
    data = request.POST if request.method == "POST" else pages.draft.page(section)
    form = pages.form_class(data, panel=pages.panel, section=section, others=others)
    if request.method == "POST" and form.is_valid():
        pages.draft.save_page(section, request.POST)
        following = None if request.GET.get("change") else pages.draft.next_page(section)
        return redirect(pages.section_url(following) if following else pages.check_url)
    index = PAGES.index(section)
    return render(
        request,
        "cases/notification_question.html",
        {
            "form": form,
            "panel": pages.panel,
            "title": SECTION_PAGES[section][0],
            "step": index + 1,
            "steps": len(PAGES),
            "back_url": pages.section_url(PAGES[index - 1]) if index else pages.back_url,
        },
    )


def _check_page(request: HttpRequest, pages: QuestionPages, save) -> HttpResponse:
    form = pages.form_class(pages.draft.merged(), panel=pages.panel)
    if request.method == "POST" and form.is_valid():
        return save(form)
    valid = form.is_valid()
    answers = notification_answers(form.instance)
    problems = [
        (error, pages.section_url(page_of(name)))
        for name, errors in form.errors.items()
        for error in errors
        if name != "website"
    ]
    return render(
        request,
        "cases/notification_check.html",
        {
            "panel": pages.panel,
            "sections": [(a, pages.section_url(a.slug) + "?change=1") for a in answers],
            "problems": problems if (request.method == "POST" or not valid) else [],
            "submit_label": pages.submit_label,
            "back_url": pages.section_url(PAGES[-1]),
        },
    )


def _administrator_pages(request: HttpRequest) -> QuestionPages:
    draft = Draft(request, f"notification-draft:{request.user.pk}")
    panel = (
        panels_where(request.user, PanelRole.ADMINISTRATOR).filter(pk=draft.get("panel")).first()
    )
    if panel is None:  # not started here, or no longer theirs: start again
        panel = _administered_panel(request)
        draft.start(panel=panel.pk)
    return QuestionPages(
        panel=panel,
        form_class=NotificationForm,
        draft=draft,
        section_url=lambda slug: reverse("cases:notification_new_page", args=[slug]),
        check_url=reverse("cases:notification_new_check"),
        back_url=reverse("cases:triage"),
        submit_label="Save notification",
    )


@administrator_required
@require_safe
def notification_new(request: HttpRequest) -> HttpResponse:
    """A fresh notification: its first question page (for the panel chosen, if several)."""
    draft = Draft(request, f"notification-draft:{request.user.pk}")
    draft.start(panel=_administered_panel(request).pk)
    return redirect("cases:notification_new_page", section=PAGES[0])


@administrator_required
@require_http_methods(["GET", "POST"])
def notification_new_page(request: HttpRequest, section: str) -> HttpResponse:
    return _question_page(request, _administrator_pages(request), section)


@administrator_required
@require_http_methods(["GET", "POST"])
def notification_new_check(request: HttpRequest) -> HttpResponse:
    pages = _administrator_pages(request)

    def save(form):
        notification = services.notification_record(
            panel=pages.panel,
            source=NotificationSource.ADMINISTRATOR,
            fields=form.cleaned_data,
            by=request.user,
        )
        pages.draft.clear()
        messages.success(request, f"Notification {notification.reference} recorded")
        return redirect("cases:notification_detail", pk=notification.pk)

    return _check_page(request, pages, save)


@administrator_required
@require_http_methods(["GET", "POST"])
def notification_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Change one page of answers of a notification still in triage."""
    notification = get_notification_for_user(request.user, pk)
    if section not in SECTION_PAGES:
        raise Http404
    if not services.notification_is_editable(notification):
        raise PermissionDenied
    own = set(SECTION_PAGES[section][1])
    others = {
        f.name: getattr(notification, f.name)
        for f in Notification._meta.concrete_fields
        if f.name not in own
    }
    # The form works on its own copy: a failed validation must not alter `notification`.
    copy = get_notification_for_user(request.user, pk)
    form = NotificationForm(
        request.POST or None,
        instance=copy,
        panel=notification.panel,
        section=section,
        others=others,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_update(
                notification=notification, fields=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Notification {notification.reference} updated")
            return redirect("cases:notification_detail", pk=pk)
    return render(
        request,
        "cases/notification_question.html",
        {
            "form": form,
            "panel": notification.panel,
            "title": SECTION_PAGES[section][0],
            "notification": notification,
            "back_url": reverse("cases:notification_detail", args=[pk]),
            "submit_label": "Save changes",
        },
    )


@administrator_required
@require_safe
def triage(request: HttpRequest) -> HttpResponse:
    queue = list(triage_queue_for(request.user))
    record_access(
        request, action=AccessAction.LIST, model=Notification, object_ids=[n.pk for n in queue]
    )
    return render(
        request,
        "cases/triage.html",
        {
            "notifications": queue,
            "offers": list(offers_to_my_panels(request.user)),
            "held": list(held_for_review(request.user)),
        },
    )


@administrator_required
@require_safe
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    record_access(request, action=AccessAction.VIEW, model=Notification, object_id=pk)
    return render(
        request,
        "cases/notification_detail.html",
        {
            "notification": notification,
            "duplicates": possible_duplicates(request.user, notification),
            "judged_distinct": notification.distinct_from.all(),
            "answers": notification_answers(notification),
            "editable": services.notification_is_editable(notification),
            "events": notification.events.select_related("by"),
            "offer": open_offer_of(notification=notification),
            "reason_form": ReasonForm(),
        },
    )


@administrator_required
@require_POST
def notification_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    try:
        case = services.case_open(notification=notification, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:notification_detail", pk=pk)
    messages.success(request, f"Case {case.number} opened")
    return redirect("cases:case_detail", pk=case.pk)


@administrator_required
@require_POST
def notification_merge(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    case = get_case_for_user(request.user, case_pk)
    try:
        services.notification_merge(notification=notification, case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:notification_detail", pk=pk)
    messages.success(request, f"Notification {notification.reference} added to {case.number}")
    return redirect("cases:case_detail", pk=case.pk)


@administrator_required
@require_POST
def notification_mark_distinct(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    other = get_notification_for_user(request.user, other_pk)
    return _attempt(
        request,
        lambda: services.notification_mark_distinct(
            notification=notification, other=other, by=request.user
        ),
        f"{other.reference} marked as a different child",
        reverse("cases:notification_detail", args=[pk]),
    )


def _attempt(request: HttpRequest, action, success: str, back: str) -> HttpResponse:
    """Run one service; what it refuses comes back as a message on the page it came from."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(back)


def _with_reason(request: HttpRequest, action, success: str, back: str) -> HttpResponse:
    """The same, for a service that needs a reason (a missing or long one is a message)."""
    form = ReasonForm(request.POST)

    def run():
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        action(form.cleaned_data["reason"])

    return _attempt(request, run, success, back)


@administrator_required
@require_POST
def notification_release(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    return _attempt(
        request,
        lambda: services.notification_release(notification=notification, by=request.user),
        f"{notification.reference} is in triage",
        reverse("cases:notification_detail", args=[pk]),
    )


@administrator_required
@require_POST
def notification_discard(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    return _attempt(
        request,
        lambda: services.notification_discard(notification=notification, by=request.user),
        f"{notification.reference} discarded",
        reverse("cases:triage"),
    )


@administrator_required
@require_POST
def notification_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    return _with_reason(
        request,
        lambda reason: services.notification_unmerge(
            notification=notification, reason=reason, by=request.user
        ),
        f"Notification {notification.reference} is back in triage",
        reverse("cases:notification_detail", args=[pk]),
    )


@administrator_required
@require_POST
def notification_undo_distinct(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    other = get_notification_for_user(request.user, other_pk)
    return _with_reason(
        request,
        lambda reason: services.notification_undo_distinct(
            notification=notification, other=other, reason=reason, by=request.user
        ),
        f"{other.reference} may be the same child again",
        reverse("cases:notification_detail", args=[pk]),
    )


# --- Transfers between panels ---------------------------------------------------------------


def _offer_page(request: HttpRequest, *, notification=None, case=None) -> HttpResponse:
    thing = notification or case
    form = TransferOfferForm(request.POST or None, from_panel=thing.panel)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_offer(
                notification=notification,
                case=case,
                to_panel=form.cleaned_data["to_panel"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Offered to {transfer.to_panel.name}")
            return redirect("cases:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "cases/transfer_offer.html",
        {"form": form, "notification": notification, "case": case},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def notification_offer(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, notification=get_notification_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def case_offer(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, case=_changeable_case(request, pk))


@administrator_required
@require_safe
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The offer: enough about the child for the receiving panel to judge where they lived."""
    transfer = get_transfer_for_user(request.user, pk)
    model = Notification if transfer.notification_id else Case
    record_access(
        request,
        action=AccessAction.VIEW,
        model=model,
        object_id=transfer.notification_id or transfer.case_id,
        detail="transfer offer",
    )
    return render(
        request,
        "cases/transfer_detail.html",
        {
            "transfer": transfer,
            "child": transfer.notification or transfer.case,
            "may_decide": may_decide_transfer(request.user, transfer),
            "may_withdraw": may_withdraw_transfer(request.user, transfer),
            "accept_form": TransferAcceptForm(panel=transfer.to_panel),
            "decline_form": ReasonForm(),
        },
    )


def _decided_transfer(request: HttpRequest, pk: int, may) -> object:
    transfer = get_transfer_for_user(request.user, pk)
    if not may(request.user, transfer):
        raise PermissionDenied
    return transfer


@administrator_required
@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _decided_transfer(request, pk, may_decide_transfer)
    form = TransferAcceptForm(request.POST, panel=transfer.to_panel)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.transfer_accept(
            transfer=transfer,
            area=form.cleaned_data["area"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:transfer_detail", pk=pk)
    messages.success(request, f"Accepted into {transfer.to_panel.name}")
    if transfer.case_id:
        return redirect("cases:case_detail", pk=transfer.case_id)
    return redirect("cases:notification_detail", pk=transfer.notification_id)


@administrator_required
@require_POST
def transfer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _decided_transfer(request, pk, may_decide_transfer)
    return _with_reason(
        request,
        lambda reason: services.transfer_decline(transfer=transfer, reason=reason, by=request.user),
        "Offer declined",
        reverse("cases:transfer_detail", args=[pk]),
    )


@administrator_required
@require_POST
def transfer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _decided_transfer(request, pk, may_withdraw_transfer)
    return _attempt(
        request,
        lambda: services.transfer_withdraw(transfer=transfer, by=request.user),
        "Offer withdrawn",
        reverse("cases:transfer_detail", args=[pk]),
    )


# --- Cases --------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> CaseFilters:
    return _filters_from(request.GET)


def _filters_from(get: QueryDict) -> CaseFilters:
    dates = CaseDateFilterForm(get)
    dates.is_valid()  # a date that is not real is shown with its error, and not applied
    return CaseFilters(
        q=get.get("q", "").replace("\x00", "")[:100],  # PostgreSQL refuses NUL
        state=get.get("state", "") if get.get("state") in CaseState.values else "",
        area=get.get("area", "") if get.get("area", "").isdigit() else "",
        death_type=get.get("death_type", "") if get.get("death_type") in DeathType.values else "",
        age_band=get.get("age_band", "") if get.get("age_band") in AGE_BAND_LABELS else "",
        notified_from=dates.cleaned_data.get("notified_from"),
        notified_to=dates.cleaned_data.get("notified_to"),
        at_risk=get.get("at_risk") == "yes",
        sort=get.get("sort", "-date_notified"),
    )


def _search_detail(filters: CaseFilters) -> str:
    """What the access log keeps of a search: its kind and the filters used, never the terms
    (a family name or an NHS number identifies a child)."""
    parts = []
    if filters.q:
        parts.append(f"search by {search_kind(filters.q)}")
    used = [
        name
        for name in ("state", "area", "death_type", "age_band", "notified_from", "notified_to")
        if getattr(filters, name)
    ]
    if filters.at_risk:
        used.append("at_risk")
    if used:
        parts.append("filters: " + ", ".join(used))
    return "; ".join(parts)


def _selected_filters(filters: CaseFilters, query, areas) -> list[tuple[str, str, str]]:
    """(heading, value, link that removes it) for each filter in use: MOJ filter tags."""
    names = {
        "state": ("Stage", dict(CaseState.choices).get(filters.state)),
        "area": ("Area", {str(a.pk): a.name for a in areas}.get(filters.area)),
        "death_type": ("Expected or unexpected", dict(DeathType.choices).get(filters.death_type)),
        "age_band": ("Age at death", AGE_BAND_LABELS.get(filters.age_band)),
        "q": ("Search", filters.q),
        "notified_from": (
            "Notified from",
            filters.notified_from and f"{filters.notified_from:%-d %b %Y}",
        ),
        "notified_to": (
            "Notified up to",
            filters.notified_to and f"{filters.notified_to:%-d %b %Y}",
        ),
        "at_risk": ("At risk", "12-month target" if filters.at_risk else None),
    }
    selected = []
    for key, (heading, value) in names.items():
        if value:
            remaining = query.copy()
            for name in (key, f"{key}_0", f"{key}_1", f"{key}_2"):  # a date is three inputs
                remaining.pop(name, None)
            selected.append((heading, str(value), remaining.urlencode()))
    return selected


@administrator_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    cases = case_list_for(request.user, filters).using(replica_alias())
    page = CappedPaginator(cases, PAGE_SIZE, cap=LIST_CAP).get_page(request.GET.get("page"))
    # The count reads the cases alone; the page, its 25 rows as plain values with their area.
    case_url = reverse("cases:case_detail", args=[0]).replace("/0/", "/{}/")
    rows = page.object_list.values_list(*CaseRow.COLUMNS)
    page.object_list = [CaseRow.of(values, case_url) for values in rows]
    record_access(
        request,
        action=AccessAction.LIST,
        model=Case,
        object_ids=[row.pk for row in page.object_list],
        detail=_search_detail(filters),
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    areas = list(case_areas_for(request.user))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "date_filters": CaseDateFilterForm(request.GET),
            "filters": filters,
            "states": CaseState.choices,
            "death_types": DeathType.choices,
            "age_bands": AGE_BAND_LABELS.items(),
            "areas": areas,
            "selected": _selected_filters(filters, query, areas),
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _record_export(request: HttpRequest, filters: CaseFilters, rows: int):
    """The export's one access-log event: its filters and its number of rows (the cases
    themselves are added as they are written)."""
    detail = _search_detail(filters)
    return record_access(
        request, action=AccessAction.EXPORT, model=Case, detail=detail, row_count=rows
    )


@administrator_required
@require_safe
def case_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The filtered case list, every page of it, as CSV or XLSX; a spreadsheet too large to
    write while the browser waits is offered to a worker instead (`case_export_start`)."""
    from django.http import FileResponse, StreamingHttpResponse

    from accounts.access_log import logged_as_shown
    from cases.exports import FIELDS, cases_csv, cases_xlsx, written_in_background

    filters = _filters(request)
    # Read on the replica if there is one; the access log's rows are written on the primary.
    selection = case_list_for(request.user, filters).using(replica_alias())
    rows = selection.count()
    if written_in_background(file_format, rows):
        return render(
            request,
            "cases/case_export_confirm.html",
            {
                "rows": f"{rows:,}",
                "query": request.GET.urlencode(),
                "keep_hours": settings.CASE_EXPORT_KEEP_HOURS,
            },
        )
    event = _record_export(request, filters, rows)
    # Read as plain values in chunks and recorded as shown chunk by chunk: memory does not
    # grow with rows.
    cases = logged_as_shown(event, selection.values_list(*FIELDS).iterator(chunk_size=2000))
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        response = StreamingHttpResponse(cases_csv(cases), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return response
    return FileResponse(
        cases_xlsx(cases), as_attachment=True, filename=f"cases-{stamp}.xlsx", content_type=XLSX
    )


@administrator_required
@require_POST
def case_export_start(request: HttpRequest) -> HttpResponse:
    """Ask a worker for the spreadsheet of the case list as the posted filters select it."""
    from cases.exports import case_export_request

    filters = _filters_from(QueryDict(request.POST.get("query", "")[:1000]))
    rows = case_list_for(request.user, filters).using(replica_alias()).count()
    event = _record_export(request, filters, rows)
    export = case_export_request(
        by=request.user,
        filters=filters,
        panel_ids=panel_ids_where(request.user, *CASE_WORKERS),
        event=event,
        rows=rows,
    )
    return redirect("cases:case_export_status", pk=export.pk)


@administrator_required
@require_safe
def case_export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the worker has got, and the download once it is written. No case data."""
    from cases.exports import export_expires_at

    export = get_case_export_for_user(request.user, pk)
    expires_at = export_expires_at(export) if export.finished_at else None
    if export.status == ExportStatus.READY and expires_at <= timezone.now():
        export.status = ExportStatus.EXPIRED  # as shown: the sweep deletes the file soon
    return render(
        request,
        "cases/case_export_status.html",
        {
            "export": export,
            "expires_at": expires_at,
            "written": f"{export.rows_written:,}",
            "expected": f"{export.rows_expected:,}",
            "size_mb": f"{export.file_bytes / 1e6:.1f}",
        },
    )


@administrator_required
@require_safe
def case_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The written spreadsheet, streamed a part at a time."""
    from django.http import StreamingHttpResponse

    from cases.exports import export_expires_at, export_file

    export = get_case_export_for_user(request.user, pk)
    if export.status != ExportStatus.READY or export_expires_at(export) <= timezone.now():
        raise Http404
    record_access(
        request,
        action=AccessAction.DOWNLOAD,
        model=Case,
        detail=f"spreadsheet {export.pk} of the case list",
        row_count=export.rows_written,
    )
    response = StreamingHttpResponse(export_file(export), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Content-Length"] = str(export.file_bytes)
    return response


@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_page_for_user(request.user, pk)
    record_access(request, action=AccessAction.VIEW, model=Case, object_id=case.pk)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "notifications": [(n, notification_answers(n)) for n in notifications_of_case(case)],
            "events": case_timeline(case, request.user),
            "processes": case.related_processes.all() if case.has_processes else [],
            "form_requests": (form_requests := _form_requests_of(case)),
            "all_information_in": _all_information_in([r for r, _ in form_requests]),
            "analysis": getattr(case, "analysis", None),
            # The rapid response runs beside the case (the relation its app adds).
            "episode": (episode := getattr(case, "rapid_response_episode", None)),
            "episode_actions": list(episode.actions.select_related("owner")) if episode else [],
            "may_change": may_change_case(request.user, case),
            "action_form": CaseActionForm(),
            "offer": open_offer_of(case=case) if case.has_open_offer else None,
            # A closed case's national record: when it was last exported (reporting's relation).
            "national_export": case.national_exports.first() if case.is_closed else None,
        },
    )


def _form_requests_of(case: Case) -> list[tuple[object, str]]:
    """The reporting forms asked of agencies (through the relation agency_forms adds), each
    with how long is left or how late it is, in working days, and the reminders sent."""
    from django.db.models import Count

    from core.working_days import due_in_words

    today = timezone.localdate()
    return [
        (
            form_request,
            due_in_words(today, form_request.due_on) if form_request.is_with_agency else "",
        )
        for form_request in case.form_requests.select_related("agency").annotate(
            reminders_sent=Count("reminders")
        )
    ]


def _all_information_in(requests: list) -> bool:
    """Every form still asked for is in (submitted or waived), as `case_information_check`
    decides it: said on the page of a paused case too, which stays paused."""
    counted = [r for r in requests if r.counts_for_readiness]
    return bool(counted) and not any(r.is_with_agency for r in counted)


@login_required
@require_safe
def case_viewed_by(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has viewed this case: the newest 100 openings, lists and exports that showed it.
    A page of its own: the case page stays the same size however often the case is read."""
    case = get_case_for_user(request.user, pk)
    viewers = case_viewers(case)
    record_access(
        request, action=AccessAction.VIEW, model=Case, object_id=case.pk, detail="who viewed it"
    )
    return render(request, "cases/case_viewed_by.html", {"case": case, "viewers": viewers})


def _changeable_case(request: HttpRequest, pk: int) -> Case:
    """404 when the case is out of sight; 403 when it may be seen but not changed."""
    case = get_case_for_user(request.user, pk)
    if not may_change_case(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_details_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable_case(request, pk)
    # The form works on its own copy: a failed validation must not alter `case`.
    form = CaseDetailsForm(request.POST or None, instance=get_case_for_user(request.user, pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update_details(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{case.number} updated")
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "title": "Change case details"},
    )


def _note_page(request: HttpRequest, case: Case, note=None) -> HttpResponse:
    form = CaseNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("kind", "occurred_on", "text")}
        try:
            if note is None:
                services.case_note_add(case=case, by=request.user, **fields)
            else:
                services.case_note_change(note=note, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Note saved")
            return redirect("cases:case_detail", pk=case.pk)
    title = "Add a note" if note is None else "Change your note"
    return render(request, "cases/case_form.html", {"form": form, "case": case, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def case_note_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _note_page(request, _changeable_case(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def case_note_edit(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    case = _changeable_case(request, pk)
    note = get_object_or_404(case.notes, pk=note_pk)
    if not services.note_still_editable(note, request.user):
        raise PermissionDenied  # seen on the case page, but not theirs to change (now)
    return _note_page(request, case, note)


@login_required
@require_http_methods(["GET", "POST"])
def related_process_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable_case(request, pk)
    form = RelatedProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.related_process_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Related process recorded")
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "title": "Record a related process"},
    )


TRANSITIONS = {
    "gather": lambda case, form, by: services.case_start_information_gathering(case=case, by=by),
    "ready": lambda case, form, by: services.case_mark_ready_for_panel(case=case, by=by),
    "pause": lambda case, form, by: services.case_pause(
        case=case, reason=form.cleaned_data["reason"], by=by
    ),
    "resume": lambda case, form, by: services.case_resume(case=case, by=by),
}


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    case = _changeable_case(request, pk)
    form = CaseActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("cases:case_detail", pk=case.pk)
    try:
        TRANSITIONS[action](case, form, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        case.refresh_from_db()
        messages.success(request, f"{case.number} is now {case.get_state_display().lower()}")
    return redirect("cases:case_detail", pk=case.pk)


# --- Public notification page ---------------------------------------------------------------

PUBLIC_LIMIT = 10  # submissions per address per hour


def _rate_limited(request: HttpRequest) -> bool:
    key = f"public-notify:{client_ip(request)}"
    count = cache.get_or_set(key, 0, timeout=3600)
    if count >= PUBLIC_LIMIT:
        return True
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
    return False


def _public_pages(request: HttpRequest, code: str) -> QuestionPages:
    panel = get_object_or_404(Panel, code=code)
    return QuestionPages(
        panel=panel,
        form_class=PublicNotificationForm,
        draft=Draft(request, f"public-notification-draft:{panel.pk}"),
        section_url=lambda slug: reverse("cases:public_notify_page", args=[code, slug]),
        check_url=reverse("cases:public_notify_check", args=[code]),
        back_url=reverse("cases:public_notify", args=[code]),
        submit_label="Send notification",
    )


@require_safe
def public_notify(request: HttpRequest, code: str) -> HttpResponse:
    """The start page: who should notify and when; then the question pages."""
    panel = get_object_or_404(Panel, code=code)
    return render(
        request,
        "cases/public_notify.html",
        {"panel": panel, "first_page": reverse("cases:public_notify_page", args=[code, PAGES[0]])},
    )


@require_http_methods(["GET", "POST"])
def public_notify_page(request: HttpRequest, code: str, section: str) -> HttpResponse:
    return _question_page(request, _public_pages(request, code), section)


@require_http_methods(["GET", "POST"])
def public_notify_check(request: HttpRequest, code: str) -> HttpResponse:
    pages = _public_pages(request, code)
    if request.method == "POST" and _rate_limited(request):
        return render(request, "cases/public_rate_limited.html", {"panel": pages.panel}, status=429)

    def save(form):
        fields = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        notification = services.notification_receive_public(
            panel=pages.panel, fields=fields, by=_public_actor(), held=form.is_robot()
        )
        pages.draft.clear()
        request.session["notified_reference"] = notification.reference
        return redirect("cases:public_notify_done", code=code)

    return _check_page(request, pages, save)


def _public_actor():
    from core.history import system_user

    return system_user()


@require_safe
def public_notify_done(request: HttpRequest, code: str) -> HttpResponse:
    panel = get_object_or_404(Panel, code=code)
    reference = request.session.get("notified_reference", "")
    return render(
        request, "cases/public_notify_done.html", {"panel": panel, "reference": reference}
    )
