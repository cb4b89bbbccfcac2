"""Reads about users, their roles and agencies."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    PanelMembership,
    PanelRole,
    User,
)
from accounts.permissions import (
    agencies_manageable_by,
    agency_roles,
    panel_roles,
    panels_managed_by,
    users_manageable_by,
)
from panels.models import Panel


@dataclass(frozen=True)
class Role:
    label: str
    organisation: str


def roles_of(user: User) -> list[Role]:
    """Every role the user holds, for the home page and the user pages."""
    panel_labels, agency_labels = dict(PanelRole.choices), dict(AgencyRole.choices)
    roles = [Role(panel_labels[m.role], m.name) for m in panel_roles(user)]
    roles += [Role(agency_labels[m.role], m.name) for m in agency_roles(user)]
    if user.is_staff:
        roles.append(Role("System administrator", "CDOP service"))
    return roles


def panel_roles_of(user: User) -> set[str]:
    return {m.role for m in panel_roles(user)}


def agency_roles_of(user: User) -> set[str]:
    return {m.role for m in agency_roles(user)}


def panel_administrators(panel: Panel) -> QuerySet[User]:
    """The panel's active administrators: who its news goes to (links, never case details)."""
    return User.objects.filter(
        is_active=True,
        panel_memberships__panel=panel,
        panel_memberships__role=PanelRole.ADMINISTRATOR,
    ).distinct()


def panel_administrator_emails(panel: Panel) -> list[str]:
    return list(panel_administrators(panel).values_list("email", flat=True))


def roles_and_agencies_summary(user: User) -> tuple[str, str]:
    """The user's roles, and the agencies they belong to, as text: copied into the access log
    as they are at the time (as this request read them)."""
    panel = [f"{m.role}@{m.code}" for m in panel_roles(user)]
    agency = agency_roles(user)
    staff = ["system_administrator"] if user.is_staff else []
    roles = "; ".join([*panel, *(f"agency_{m.role}" for m in agency), *staff])[:500]
    return roles, "; ".join(sorted({m.name for m in agency}))[:500]


def user_list_for(viewer: User) -> QuerySet[User]:
    """The users a viewer manages, with what the list shows, in a fixed number of queries."""
    return users_manageable_by(viewer).prefetch_related(
        Prefetch("panel_memberships", queryset=PanelMembership.objects.select_related("panel")),
        Prefetch("agency_memberships", queryset=AgencyMembership.objects.select_related("agency")),
    )


def get_user_for_manager(viewer: User, pk: int) -> User:
    """A user the viewer may manage; anyone else is "not found" (404), never "forbidden"."""
    return get_object_or_404(user_list_for(viewer), pk=pk)


def agency_list_for(viewer: User) -> QuerySet[Agency]:
    return agencies_manageable_by(viewer).prefetch_related("panels")


def get_agency_for_manager(viewer: User, pk: int) -> Agency:
    return get_object_or_404(agency_list_for(viewer), pk=pk)


def get_membership_for_manager(
    viewer: User, person: User, kind: str, pk: int
) -> PanelMembership | AgencyMembership:
    """A role the viewer may take away: only in their own panels and agencies."""
    if kind == "panel":
        scope = PanelMembership.objects.filter(panel__in=panels_managed_by(viewer))
    elif kind == "agency":
        scope = AgencyMembership.objects.filter(agency__in=agencies_manageable_by(viewer))
    else:
        raise Http404
    return get_object_or_404(scope, pk=pk, user=person)


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    by: User | None
    what: str


def user_history(person: User) -> list[HistoryEntry]:
    """Changes to the account and its roles, newest first, for the manager's user page."""
    account = person.history.select_related("history_user")
    panel_roles = PanelMembership.history.filter(user_id=person.pk).select_related(
        "history_user", "panel"
    )
    agency_roles = AgencyMembership.history.filter(user_id=person.pk).select_related(
        "history_user", "agency"
    )
    kinds = {"+": "added", "~": "changed", "-": "removed"}
    entries = [
        HistoryEntry(
            h.history_date,
            h.history_user,
            h.history_change_reason or f"account {kinds[h.history_type]}",
        )
        for h in account
    ]
    entries += [
        HistoryEntry(
            h.history_date,
            h.history_user,
            f"{PanelRole(h.role).label}, {h.panel.name}: {kinds[h.history_type]}",
        )
        for h in panel_roles
    ]
    entries += [
        HistoryEntry(
            h.history_date,
            h.history_user,
            f"{AgencyRole(h.role).label}, {h.agency.name}: {kinds[h.history_type]}",
        )
        for h in agency_roles
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def get_panel_for_manager(viewer: User, pk: int) -> Panel:
    return get_object_or_404(panels_managed_by(viewer), pk=pk)


def panel_role_timeline(panel: Panel, *, limit: int = 200) -> list[HistoryEntry]:
    """Every role given or taken away in the panel, newest first, with who did it."""
    kinds = {"+": "given", "~": "changed", "-": "taken away"}
    changes = (
        PanelMembership.history.filter(panel_id=panel.pk)
        .select_related("history_user", "user")
        .order_by("-history_date")[:limit]
    )
    return [
        HistoryEntry(
            h.history_date,
            h.history_user,
            f"{PanelRole(h.role).label} {kinds[h.history_type]}: {h.user}",
        )
        for h in changes
    ]
