"""Reads about users and their roles."""

from dataclasses import dataclass

from accounts.models import AgencyMembership, PanelMembership, User


@dataclass(frozen=True)
class Role:
    label: str
    organisation: str


def roles_of(user: User) -> list[Role]:
    """Every role the user holds, for the home page and the header."""
    roles = [
        Role(m.get_role_display(), m.panel.name)
        for m in PanelMembership.objects.filter(user=user).select_related("panel")
    ]
    roles += [
        Role(m.get_role_display(), m.agency.name)
        for m in AgencyMembership.objects.filter(user=user).select_related("agency")
    ]
    if user.is_staff:
        roles.append(Role("System administrator", "CDOP service"))
    return roles
