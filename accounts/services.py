"""Writes to users, agencies and memberships. Each records who made the change."""

from django.db import transaction

from accounts.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    PanelMembership,
    PanelRole,
    User,
)
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
    user._history_user = by
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def agency_create(*, name: str, agency_type: str, panels: list[Panel], by: User) -> Agency:
    agency = Agency(name=name, agency_type=agency_type)
    agency._history_user = by
    agency.full_clean()
    agency.save()
    agency.panels.set(panels)
    return agency


def panel_membership_add(*, user: User, panel: Panel, role: PanelRole, by: User) -> PanelMembership:
    membership = PanelMembership.objects.filter(user=user, panel=panel, role=role).first()
    if membership is None:
        membership = PanelMembership(user=user, panel=panel, role=role)
        membership._history_user = by
        membership.save()
    return membership


def agency_membership_add(
    *, user: User, agency: Agency, role: AgencyRole, by: User
) -> AgencyMembership:
    membership = AgencyMembership.objects.filter(user=user, agency=agency).first()
    if membership is None:
        membership = AgencyMembership(user=user, agency=agency, role=role)
        membership._history_user = by
        membership.save()
    elif membership.role != role:
        membership.role = role
        membership._history_user = by
        membership.save()
    return membership
