"""Writes to users, agencies and memberships. Each records who made the change.

A membership row *is* the role (accounts.permissions reads them at request time): nothing
else is kept in step with it. Nobody grants a role to themselves, and a system administrator
holds none (`role_grant_problem`). Each grant and removal is a history row of the membership,
which the user's page and the panel's page both show.
"""

import uuid

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    PanelMembership,
    PanelRole,
    User,
)
from accounts.permissions import forget_roles_read, role_grant_problem
from accounts.selectors import panel_administrators
from core.history import save_with_actor
from core.outbox import email_queue
from panels.models import Panel


def user_create(
    *,
    email: str,
    full_name: str,
    by: User | None,
    password: str | None = None,
    job_title: str = "",
    is_staff: bool = False,
) -> User:
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name,
        job_title=job_title,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    save_with_actor(user, by=by, reason="account created")
    # The address is the administrator's to vouch for: the invitation link proves it reaches
    # the person, so sign-in and two-factor set-up never ask for a separate confirmation.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def set_password_link(user: User) -> str:
    """A one-time link: it stops working once the password is set (the token hashes it)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invitation_send(*, user: User, by: User, panel: Panel | None = None) -> None:
    """Through the outbox: each invitation (and each one sent again) is one email."""
    context = {"user": user, "link": set_password_link(user), "invited_by": by}
    email_queue(
        key=f"invitation:{user.pk}:{uuid.uuid4().hex}",
        kind="invitation",
        to=user.email,
        subject="You have been invited to the Child Death Overview Panel service",
        body=render_to_string("accounts/email/invitation.txt", context),
        # Shown in that panel's outbox: the role's panel, or the first the person serves.
        panel=panel if panel is not None else Panel.objects.filter(memberships__user=user).first(),
    )


@transaction.atomic
def user_invite(
    *,
    email: str,
    full_name: str,
    job_title: str = "",
    panel: Panel | None = None,
    panel_role: PanelRole | None = None,
    agency: Agency | None = None,
    agency_role: AgencyRole | None = None,
    by: User,
) -> User:
    """Create an account with no password and email a link to set one. No self sign-up."""
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email address already exists"})
    user = user_create(email=email, full_name=full_name, job_title=job_title, by=by)
    if panel is not None and panel_role:
        panel_membership_add(user=user, panel=panel, role=panel_role, by=by)
    if agency is not None and agency_role:
        agency_membership_add(user=user, agency=agency, role=agency_role, by=by)
    invitation_send(user=user, by=by, panel=panel)
    return user


def _end_sessions(user: User) -> None:
    """Delete every session that belongs to the user (sessions live in the database)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    if user == by:
        raise ValidationError("You cannot deactivate your own account")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        save_with_actor(user, by=by, reason="deactivated")
    transaction.on_commit(lambda: _end_sessions(user))
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        save_with_actor(user, by=by, reason="reactivated")
    return user


@transaction.atomic
def agency_create(
    *, name: str, agency_type: str, panels: list[Panel], by: User, email: str = ""
) -> Agency:
    agency = Agency(name=name, agency_type=agency_type, email=email)
    agency.full_clean()
    save_with_actor(agency, by=by, reason="agency created")
    agency.panels.set(panels)
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, by: User, **fields) -> Agency:
    panels = fields.pop("panels", None)
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.full_clean()
    save_with_actor(agency, by=by, reason="agency changed")
    if panels is not None:
        agency.panels.set(panels)
    return agency


def _refuse_grant(*, user: User, by: User) -> None:
    problem = role_grant_problem(user=user, by=by)
    if problem:
        raise ValidationError(problem)


@transaction.atomic
def user_update(*, user: User, by: User, full_name: str, job_title: str) -> User:
    """Name and job title; the sign-in address, activity and roles have services of their own."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.full_name, user.job_title = full_name, job_title
    user.full_clean()
    save_with_actor(user, by=by, reason="details changed")
    return user


@transaction.atomic
def panel_membership_add(*, user: User, panel: Panel, role: PanelRole, by: User) -> PanelMembership:
    _refuse_grant(user=user, by=by)
    membership = PanelMembership.objects.filter(user=user, panel=panel, role=role).first()
    if membership is None:
        membership = PanelMembership(user=user, panel=panel, role=role)
        save_with_actor(membership, by=by, reason="role added")
        forget_roles_read()
        if role in CASE_CONTENT_ROLES:
            _tell_other_administrators(membership, by=by)
    return membership


# Roles that see case content (identifiable or in meeting papers): a grant is news to the
# panel's other administrators, who can take it back if it was not meant.
CASE_CONTENT_ROLES = {PanelRole.ADMINISTRATOR, PanelRole.CHAIR, PanelRole.MEMBER}


def _tell_other_administrators(membership: PanelMembership, *, by: User) -> None:
    others = panel_administrators(membership.panel).exclude(pk__in=[membership.user_id, by.pk])
    link = f"{settings.SITE_URL}{reverse('accounts:panel_roles', args=[membership.panel_id])}"
    for other in others:
        email_queue(
            key=f"role-granted:{membership.pk}:{other.pk}",
            kind="role_granted",
            to=other.email,
            panel=membership.panel,
            subject=f"A role was given in {membership.panel.name}",
            body=render_to_string(
                "accounts/email/role_granted.txt",
                {"membership": membership, "by": by, "to": other, "link": link},
            ),
        )


@transaction.atomic
def panel_membership_remove(*, membership: PanelMembership, by: User) -> None:
    membership._history_user = by
    membership._change_reason = "role removed"
    membership.delete()
    forget_roles_read()


@transaction.atomic
def agency_membership_add(
    *, user: User, agency: Agency, role: AgencyRole, by: User
) -> AgencyMembership:
    _refuse_grant(user=user, by=by)
    membership = AgencyMembership.objects.filter(user=user, agency=agency).first()
    if membership is None:
        membership = AgencyMembership(user=user, agency=agency, role=role)
        save_with_actor(membership, by=by, reason="role added")
    elif membership.role != role:
        membership.role = role
        save_with_actor(membership, by=by, reason="role changed")
    forget_roles_read()
    return membership


@transaction.atomic
def agency_membership_remove(*, membership: AgencyMembership, by: User) -> None:
    membership._history_user = by
    membership._change_reason = "role removed"
    membership.delete()
    forget_roles_read()
