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
    FormDefinition,
    FormKind,
    FormRequest,
)
from cases.models import Case, CaseState
from cases.services import case_start_information_gathering
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
