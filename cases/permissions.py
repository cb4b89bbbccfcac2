"""Who may see and change cases: the only module here that asks django-guardian.

Permissions are granted per case to groups, never to whole models: the administrators of the
case's panel may view and change it from the moment it is opened. (Chairs and members gain
cases through meeting agendas; agencies see only their reporting form requests.)
Not allowed to see → 404; may see but not change → 403.
"""

from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from accounts.models import PanelRole, User
from accounts.permissions import panel_role_group
from cases.models import Case

VIEW = "cases.view_case"
CHANGE = "cases.change_case"


def case_grant_to_panel(case: Case) -> None:
    administrators = panel_role_group(case.panel, PanelRole.ADMINISTRATOR)
    assign_perm(VIEW, administrators, case)
    assign_perm(CHANGE, administrators, case)


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    return get_objects_for_user(
        user, VIEW, klass=Case, accept_global_perms=False, with_superuser=False
    )


def cases_changeable_by(user: User) -> QuerySet[Case]:
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    return get_objects_for_user(
        user, CHANGE, klass=Case, accept_global_perms=False, with_superuser=False
    )


def may_change_case(user: User, case: Case) -> bool:
    return cases_changeable_by(user).filter(pk=case.pk).exists()


def may_record_notifications(user: User) -> bool:
    """CDOP administrators record notifications and open cases, for their own panels."""
    from accounts.selectors import panels_where

    return user.is_authenticated and panels_where(user, PanelRole.ADMINISTRATOR).exists()
