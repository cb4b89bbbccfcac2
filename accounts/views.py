"""User and agency management for the system administrator and panel administrators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.forms import AgencyForm, InviteForm, RoleForm
from accounts.permissions import (
    may_manage_users,
    outbox_emails_retryable_by,
    outbox_emails_visible_to,
    panels_managed_by,
)
from accounts.selectors import (
    agency_list_for,
    get_agency_for_manager,
    get_membership_for_manager,
    get_panel_for_manager,
    get_user_for_manager,
    panel_role_timeline,
    user_history,
    user_list_for,
)
from core.decorators import only_for
from core.models import OutboxStatus
from core.outbox import email_retry

# Managing users: the system administrator and panel administrators.
manager_required = only_for(may_manage_users)


@manager_required
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    users = user_list_for(request.user)
    if show == "active":
        users = users.filter(is_active=True)
    elif show == "deactivated":
        users = users.filter(is_active=False)
    options = [("active", "Active"), ("deactivated", "Deactivated"), ("all", "All")]
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": users,
            "show": show,
            "show_options": options,
            "panels": panels_managed_by(request.user),
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        role = form.chosen_role()
        try:
            user = services.user_invite(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                job_title=form.cleaned_data["job_title"],
                panel=role.panel,
                panel_role=role.panel_role,
                agency=role.agency,
                agency_role=role.agency_role,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {user.email}")
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_invite.html", {"form": form})


@manager_required
@require_safe
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "role_form": RoleForm(viewer=request.user),
            "history": user_history(person),
        },
    )


@manager_required
@require_POST
def user_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    form = RoleForm(request.POST, viewer=request.user)
    if not form.is_valid():
        return _role_refused(request, person, form)
    role = form.chosen_role()
    try:
        if role.panel:
            services.panel_membership_add(
                user=person, panel=role.panel, role=role.panel_role, by=request.user
            )
        else:
            services.agency_membership_add(
                user=person, agency=role.agency, role=role.agency_role, by=request.user
            )
    except ValidationError as error:
        form.add_error("role", error)
        return _role_refused(request, person, form)
    messages.success(request, f"Role added for {person.full_name}")
    return redirect("accounts:user_detail", pk=person.pk)


def _role_refused(request: HttpRequest, person, form: RoleForm) -> HttpResponse:
    """The user's page again, with the error summary saying why the role was not given."""
    return render(
        request,
        "accounts/user_detail.html",
        {"person": person, "role_form": form, "history": user_history(person)},
        status=400,
    )


@manager_required
@require_POST
def user_role_remove(request: HttpRequest, pk: int, kind: str, membership_pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    membership = get_membership_for_manager(request.user, person, kind, membership_pk)
    if kind == "panel":
        services.panel_membership_remove(membership=membership, by=request.user)
    else:
        services.agency_membership_remove(membership=membership, by=request.user)
    messages.success(request, f"Role removed from {person.full_name}")
    return redirect("accounts:user_detail", pk=person.pk)


@manager_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    try:
        services.user_deactivate(user=person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.full_name} can no longer sign in")
    return redirect("accounts:user_detail", pk=person.pk)


@manager_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    services.user_reactivate(user=person, by=request.user)
    messages.success(request, f"{person.full_name} can sign in again")
    return redirect("accounts:user_detail", pk=person.pk)


@manager_required
@require_POST
def user_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_user_for_manager(request.user, pk)
    services.invitation_send(user=person, by=request.user)
    messages.success(request, f"Invitation sent again to {person.email}")
    return redirect("accounts:user_detail", pk=person.pk)


@manager_required
@require_safe
def panel_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's timeline of roles given and taken away: a grant is seen by the panel."""
    panel = get_panel_for_manager(request.user, pk)
    return render(
        request,
        "accounts/panel_roles.html",
        {"panel": panel, "timeline": panel_role_timeline(panel)},
    )


@manager_required
@require_safe
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/agency_list.html", {"agencies": agency_list_for(request.user)})


@manager_required
@require_http_methods(["GET", "POST"])
def agency_create(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        agency = services.agency_create(by=request.user, **form.cleaned_data)
        messages.success(request, f"{agency.name} added")
        return redirect("accounts:agency_list")
    return render(request, "accounts/agency_form.html", {"form": form, "agency": None})


@manager_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_agency_for_manager(request.user, pk)
    form = AgencyForm(request.POST or None, instance=agency, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        # Keep the panels the manager cannot see: a panel administrator edits only their own.
        others = list(agency.panels.exclude(pk__in=form.fields["panels"].queryset))
        data = {**form.cleaned_data, "panels": [*form.cleaned_data["panels"], *others]}
        services.agency_update(agency=agency, by=request.user, **data)
        messages.success(request, f"{agency.name} updated")
        return redirect("accounts:agency_list")
    return render(request, "accounts/agency_form.html", {"form": form, "agency": agency})


@manager_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    """Emails the service sent or will send: a panel's in full for its administrators; for the
    system administrator only counts and the failures, without addresses or content."""
    if request.user.is_staff:
        everything = outbox_emails_retryable_by(request.user)
        counts = dict(everything.values_list("status").annotate(n=Count("pk")))
        return render(
            request,
            "accounts/outbox_summary.html",
            {
                "counts": [(label, counts.get(value, 0)) for value, label in OutboxStatus.choices],
                "failed": everything.filter(status=OutboxStatus.FAILED)[:100],
            },
        )
    emails = outbox_emails_visible_to(request.user).select_related("panel")
    show = request.GET.get("show", "")
    if show in OutboxStatus.values:
        emails = emails.filter(status=show)
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/outbox.html",
        {"page": page, "show": show, "statuses": OutboxStatus.choices},
    )


@manager_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(outbox_emails_retryable_by(request.user), pk=pk)
    email_retry(email=email)
    messages.success(request, "The email will be tried again now")
    return redirect("accounts:outbox")
