"""Writes of reporting form requests: every page, command, task and the demo data come here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from agency_forms.models import (
    OPEN_STATUSES,
    OUTSTANDING,
    FormDefinition,
    FormKind,
    FormRequest,
    RequestStatus,
)
from cases.models import Case, CaseState
from cases.services import case_mark_ready_for_panel, case_start_information_gathering
from core.history import save_with_actor
from core.outbox import email_queue
from core.working_days import add_working_days


def latest_definition(kind: str) -> FormDefinition:
    definition = FormDefinition.objects.filter(kind=kind).order_by("-version").first()
    if definition is None:
        raise ValidationError(f"The {FormKind(kind).label.lower()} form has no definition")
    return definition


@transaction.atomic
def form_requests_send(
    *, case: Case, agencies: list[Agency], supplementary: list[str], by: User
) -> list[FormRequest]:
    """Ask each agency for the reporting form and the supplementary forms chosen, each due
    the panel's allowance of working days from today. Each agency's active members are told
    by email (a link; never the child's details). The first request starts the case's
    information gathering."""
    if case.state == CaseState.CLOSED:
        raise ValidationError("A closed case cannot ask for information")
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one agency"})
    serving = set(case.panel.agencies.filter(is_active=True).values_list("pk", flat=True))
    if any(agency.pk not in serving for agency in agencies):
        raise ValidationError({"agencies": "Choose agencies that serve the panel"})
    kinds = [FormKind.CORE, *(k for k in FormKind.values if k in supplementary)]
    open_ones = set(
        FormRequest.objects.filter(case=case, status__in=OPEN_STATUSES).values_list(
            "agency_id", "kind"
        )
    )
    today = timezone.localdate()
    due = add_working_days(today, case.panel.form_due_working_days)
    sent = []
    for agency in agencies:
        for kind in kinds:
            if (agency.pk, kind) in open_ones:
                continue  # already asked, and not waived or cancelled
            request = FormRequest(
                case=case,
                agency=agency,
                kind=kind,
                definition=latest_definition(kind),
                requested_by=by,
                sent_on=today,
                due_on=due,
            )
            try:
                with transaction.atomic():
                    save_with_actor(request, by=by, reason="requested")
            except IntegrityError:  # the same request sent a moment ago, from another page
                continue
            sent.append(request)
    if not sent:
        raise ValidationError("Every form chosen has already been asked of those agencies")
    if case.state == CaseState.NOTIFIED:
        case_start_information_gathering(case=case, by=by)
    for agency in {r.agency for r in sent}:
        _tell_the_agency(agency, [r for r in sent if r.agency == agency])
    return sent


def _tell_the_agency(agency: Agency, requests: list[FormRequest]) -> None:
    link = f"{settings.SITE_URL}{reverse('home')}"
    members = User.objects.filter(is_active=True, agency_memberships__agency=agency).distinct()
    for member in members:
        for request in requests:
            email_queue(
                key=f"form-requested:{request.pk}:{member.pk}",
                kind="form_requested",
                to=member.email,
                panel=request.case.panel,
                subject=f"{request.case.panel.name} asks {agency.name} for a reporting form",
                body=render_to_string(
                    "agency_forms/email/form_requested.txt",
                    {"request": request, "member": member, "link": link},
                ),
            )


# --- The administrator's changes to a request ------------------------------------------------


def _locked(form_request: FormRequest, *, allowed: list[str], action: str) -> FormRequest:
    locked = FormRequest.objects.select_for_update().select_related("case").get(pk=form_request.pk)
    if locked.status not in allowed:
        raise ValidationError(f"A {locked.get_status_display().lower()} request cannot be {action}")
    if locked.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed: its requests cannot change")
    return locked


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason"})
    return reason[:500]


@transaction.atomic
def form_request_waive(*, form_request: FormRequest, reason: str, by: User) -> FormRequest:
    """The form is not needed after all (the agency had no involvement): it counts as in
    for the case's readiness."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="waived")
    form_request.status, form_request.reason = RequestStatus.WAIVED, _reason(reason)
    save_with_actor(form_request, by=by, reason="waived")
    case_information_check(case=form_request.case, by=by)
    return form_request


@transaction.atomic
def form_request_cancel(*, form_request: FormRequest, reason: str, by: User) -> FormRequest:
    """Asked by mistake: it no longer counts, and the agency may be asked again."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="cancelled")
    form_request.status, form_request.reason = RequestStatus.CANCELLED, _reason(reason)
    save_with_actor(form_request, by=by, reason="cancelled")
    case_information_check(case=form_request.case, by=by)
    return form_request


@transaction.atomic
def form_request_extend(*, form_request: FormRequest, due_on, reason: str, by: User) -> FormRequest:
    """A later due date, agreed with the agency (its reminders start again from it)."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="extended")
    reason = _reason(reason)
    if due_on <= max(form_request.due_on, timezone.localdate()):
        raise ValidationError({"due_on": "The new due date must be after the current one"})
    form_request.due_on, form_request.reason = due_on, reason
    save_with_actor(form_request, by=by, reason="extended")
    return form_request


@transaction.atomic
def case_information_check(*, case: Case, by: User) -> Case:
    """When every form still asked for is in (submitted or waived), the case is ready for
    panel. A paused case stays paused (its pause is the panel's decision, not the forms')."""
    if case.state != CaseState.INFORMATION_GATHERING:
        return case
    counted = FormRequest.objects.filter(case=case).exclude(status=RequestStatus.CANCELLED)
    waiting = counted.filter(status__in=OUTSTANDING)
    if counted.exists() and not waiting.exists():
        return case_mark_ready_for_panel(case=case, by=by)
    return case
