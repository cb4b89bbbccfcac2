"""Who may manage users and agencies.

The rules (domain.md §1): the system administrator (`is_staff`) manages every user and agency;
a panel's CDOP administrator manages the people of their panel and of the agencies serving it.
Nobody else manages anyone. A user outside the manager's scope is "not found".

Case data permissions live in the case apps' own `permissions.py` (django-guardian, granted to
the groups this module names: one per agency, one per panel role).
"""

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from accounts.models import Agency, PanelRole, User
from core.history import SYSTEM_EMAIL
from panels.models import Panel

SYSTEM_ADMINISTRATORS = "system administrators"

# What the system administrator does in the Django admin: reference data, users and agencies,
# unlocking accounts, resetting a lost authenticator, and reading the access log. No case data.
SYSTEM_ADMINISTRATOR_PERMISSIONS = {
    "panels": {
        "panel": "vac",
        "area": "vac",
        "ward": "vac",
        "categoryofdeath": "vc",
        "factor": "vac",
    },
    "cases": {"sex": "v", "ethniccategory": "vc", "placeofdeath": "vc"},
    "rapid_response": {"rapidresponsecriterion": "vac"},
    "reporting": {"nationalfigure": "vacd", "areapopulation": "vacd"},
    "accounts": {
        "user": "vac",
        "agency": "vac",
        "panelmembership": "vacd",
        "agencymembership": "vacd",
    },
    "core": {"accessevent": "v"},
    "axes": {"accessattempt": "vd", "accesslog": "v", "accessfailurelog": "v"},
    "mfa": {"authenticator": "vd"},
}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def system_administrators_group() -> Group:
    """The group every system administrator is in, with exactly the permissions above."""
    from django.contrib.auth.models import Permission

    group = Group.objects.get_or_create(name=SYSTEM_ADMINISTRATORS)[0]
    codenames = [
        (app, f"{_ACTIONS[letter]}_{model}")
        for app, models in SYSTEM_ADMINISTRATOR_PERMISSIONS.items()
        for model, letters in models.items()
        for letter in letters
    ]
    query = Q(pk__in=[])
    for app, codename in codenames:
        query |= Q(content_type__app_label=app, codename=codename)
    group.permissions.set(Permission.objects.filter(query))
    return group


def agency_group(agency: Agency) -> Group:
    return Group.objects.get_or_create(name=f"agency:{agency.pk}")[0]


def panel_role_group(panel: Panel, role: str) -> Group:
    return Group.objects.get_or_create(name=f"panel:{panel.code}:{role}")[0]


def panels_administered_by(user: User) -> QuerySet[Panel]:
    if not user.is_authenticated:
        return Panel.objects.none()
    if user.is_staff:
        return Panel.objects.all()
    return Panel.objects.filter(
        memberships__user=user, memberships__role=PanelRole.ADMINISTRATOR
    ).distinct()


def may_manage_users(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or panels_administered_by(user).exists()


def agencies_manageable_by(user: User) -> QuerySet[Agency]:
    if not may_manage_users(user):
        return Agency.objects.none()
    if user.is_staff:
        return Agency.objects.all()
    return Agency.objects.filter(panels__in=panels_administered_by(user)).distinct()


def users_manageable_by(user: User) -> QuerySet[User]:
    people = User.objects.exclude(email=SYSTEM_EMAIL)
    if not may_manage_users(user):
        return people.none()
    if user.is_staff:
        return people
    panels = panels_administered_by(user)
    return people.filter(
        Q(pk__in=User.objects.filter(panel_memberships__panel__in=panels).values("pk"))
        | Q(
            pk__in=User.objects.filter(
                agency_memberships__agency__in=agencies_manageable_by(user)
            ).values("pk")
        )
    )


def may_grant_staff(user: User) -> bool:
    return user.is_authenticated and user.is_staff
