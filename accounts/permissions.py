"""Who holds which role, read from the memberships as they are now: where all access starts.

One source of truth: a role *is* its membership row (`PanelMembership`, `AgencyMembership`) and
the system administrator's role is `is_staff`. Nothing copies a role anywhere else (no groups,
no grants per case to keep in step), so removing, moving or demoting a person, deactivating or
deleting the account changes what they may do on their next request, by whatever path the
change was made.

Each app's `permissions.py` holds the policy of its own objects ("may this user do X to this
object?" and "which objects may they do X to?", as a queryset) and builds it on the readers
here: cases and notifications from the panel's administrators; later reporting form requests
from the agency's members (and a named person, a django-guardian grant on that one request),
rapid response episodes from the episode's team, meeting papers from the invitation and its
window, statistics from the manager role (aggregates only).

Separation of duties: the system administrator manages configuration and never sees case
content, so a staff account holds no panel or agency role (`role_grant_problem`), and the
readers below give a staff account none even if a row says otherwise. Nobody grants a role to
themselves.

Managing people (the user and agency pages): the system administrator manages every user and
agency; a panel's administrator manages the people of their panels and of the agencies serving
them. A user outside the manager's scope is "not found".
"""

from contextvars import ContextVar
from typing import NamedTuple

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from accounts.models import Agency, AgencyMembership, PanelMembership, PanelRole, User
from core.history import SYSTEM_EMAIL
from core.models import OutboxEmail
from panels.models import Panel

# What the system administrator does in the Django admin: reference data, reading users and
# agencies (managed on the user pages), unlocking accounts and resetting a lost authenticator.
# No case data, and not the access log (each panel's administrators read it per case).
SYSTEM_ADMINISTRATOR_PERMISSIONS = {
    "panels": {
        "panel": "vac",
        "area": "vac",
        "ward": "vac",
        "categoryofdeath": "vc",
        "factor": "vac",
        "factorfollowup": "vac",
    },
    "cases": {"sex": "v", "ethniccategory": "vc", "placeofdeath": "vc"},
    "rapid_response": {"rapidresponsecriterion": "vac"},
    "reporting": {"nationalfigure": "vacd", "areapopulation": "vacd"},
    "accounts": {"user": "vc", "agency": "v", "panelmembership": "v", "agencymembership": "v"},
    "axes": {"accessattempt": "vd", "accesslog": "v", "accessfailurelog": "v"},
    "mfa": {"authenticator": "vd"},
}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def system_administrator_permissions() -> set[str]:
    """The Django admin permissions of every active system administrator ("app.codename")."""
    return {
        f"{app}.{_ACTIONS[letter]}_{model}"
        for app, models in SYSTEM_ADMINISTRATOR_PERMISSIONS.items()
        for model, letters in models.items()
        for letter in letters
    }


def is_signed_in_person(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def may_hold_roles(user) -> bool:
    """Only an active account that is not a system administrator holds panel or agency roles."""
    return is_signed_in_person(user) and not user.is_staff


def holds_panel_role(user: User, *roles: str, panel: object = None) -> Exists:
    """An `EXISTS` over the user's memberships, for policies to filter their objects with:
    `panel` is the outer query's panel column (an `OuterRef`), so the planner joins it."""
    return Exists(
        PanelMembership.objects.filter(
            user=user, role__in=roles, panel=OuterRef("panel") if panel is None else panel
        )
    )


def panels_where(user: User, *roles: str) -> QuerySet[Panel]:
    """The panels in which the user holds any of `roles`, read now."""
    if not may_hold_roles(user):
        return Panel.objects.none()
    return Panel.objects.filter(holds_panel_role(user, *roles, panel=OuterRef("pk")))


# Each request reads the user's panel and agency roles once, both in one query
# (`RolesReadOncePerRequest` opens a fresh memo per request and the membership services empty
# it): a page that asks "may they?" five times asks the database once, and the next request
# reads the tables again. Outside a request (tasks, commands, tests calling a policy directly)
# every call reads them.
class Membership(NamedTuple):
    of: int  # the panel's or the agency's id
    role: str
    code: str  # the panel's code; an agency has none
    name: str


class Holdings(NamedTuple):
    panels: list[Membership]
    agencies: list[Membership]  # by agency name
    second_factor: bool  # an authenticator app (recovery codes alone are a fallback)


_roles_this_request: ContextVar[dict[int, Holdings] | None] = ContextVar(
    "roles_this_request", default=None
)


def _holdings(user: User) -> Holdings:
    """What the user holds, read now in one query: memberships and an authenticator app."""
    memo = _roles_this_request.get()
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
    if not may_hold_roles(user):
        read = Holdings([], [], is_signed_in_person(user) and totp.exists())
    else:
        in_panels = PanelMembership.objects.filter(user=user).values_list(
            Value("panel"), "panel_id", "role", "panel__code", "panel__name"
        )
        in_agencies = AgencyMembership.objects.filter(user=user).values_list(
            Value("agency"), "agency_id", "role", Value(""), "agency__name"
        )
        app = totp.values_list(Value("totp"), "user_id", Value(""), Value(""), Value(""))[:1]
        panels, agencies, second_factor = [], [], False
        for kind, *fields in in_panels.union(in_agencies, app, all=True):
            if kind == "totp":
                second_factor = True
            else:
                (panels if kind == "panel" else agencies).append(Membership(*fields))
        agencies.sort(key=lambda m: (m.name, m.of))
        read = Holdings(sorted(panels), agencies, second_factor)
    if memo is not None:
        memo[user.pk] = read
    return read


def has_second_factor(user: User) -> bool:
    """An authenticator app, read now (with the roles, once per request)."""
    return _holdings(user).second_factor


def panel_roles(user: User) -> list[Membership]:
    """The user's panel memberships, read now; none for an account that may not hold roles."""
    return _holdings(user).panels


def agency_roles(user: User) -> list[Membership]:
    """The user's agency memberships, by agency name, read now."""
    return _holdings(user).agencies


def forget_roles_read() -> None:
    """A membership changed: this request reads the roles afresh too."""
    memo = _roles_this_request.get()
    if memo is not None:
        memo.clear()


class RolesReadOncePerRequest:
    """Middleware: one read of the signed-in user's roles per request (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _roles_this_request.set({})
        try:
            return self.get_response(request)
        finally:
            _roles_this_request.reset(token)


def panel_ids_where(user: User, *roles: str) -> list[int]:
    """The ids of the panels in which the user holds any of `roles`, read now, as constants.
    For the policies of tables that grow to a national history: `panel_id IN (3)` lets the
    planner walk an index led by the panel in the list's order and stop after a page, where
    an `EXISTS` per row would have it join and sort every permitted row first."""
    return sorted({m.of for m in panel_roles(user) if m.role in roles})


def holds_role_in_panel(user: User, panel_id: int, *roles: str) -> bool:
    return any(m.of == panel_id and m.role in roles for m in panel_roles(user))


def agencies_where(user: User, *roles: str) -> QuerySet[Agency]:
    """The agencies of which the user is a member in any of `roles` (all roles if none)."""
    if not may_hold_roles(user):
        return Agency.objects.none()
    memberships = AgencyMembership.objects.filter(user=user, agency=OuterRef("pk"))
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Agency.objects.filter(Exists(memberships))


def role_grant_problem(*, user: User, by: User) -> str | None:
    """Why `by` may not give `user` a panel or agency role, or None. Services refuse with this
    message, and so do the forms that offer a grant."""
    if user.pk == by.pk:
        return "You cannot give a role to yourself: ask another administrator"
    if user.is_staff:
        return (
            "A system administrator does not hold panel or agency roles: they would see case "
            "content. Use a separate account for that work"
        )
    return None


# --- Managing people ---------------------------------------------------------------------


def panels_managed_by(user: User) -> QuerySet[Panel]:
    """Panels whose people the user manages: all for the system administrator, otherwise those
    the user administers."""
    if is_signed_in_person(user) and user.is_staff:
        return Panel.objects.all()
    return panels_where(user, PanelRole.ADMINISTRATOR)


def may_manage_users(user: User) -> bool:
    if not is_signed_in_person(user):
        return False
    return user.is_staff or bool(panel_ids_where(user, PanelRole.ADMINISTRATOR))


def agencies_manageable_by(user: User) -> QuerySet[Agency]:
    if not may_manage_users(user):
        return Agency.objects.none()
    if user.is_staff:
        return Agency.objects.all()
    return Agency.objects.filter(panels__in=panels_managed_by(user)).distinct()


def users_manageable_by(user: User) -> QuerySet[User]:
    people = User.objects.exclude(email=SYSTEM_EMAIL)
    if not may_manage_users(user):
        return people.none()
    if user.is_staff:
        return people
    panels = panels_managed_by(user)
    return people.filter(
        Q(pk__in=PanelMembership.objects.filter(panel__in=panels).values("user"))
        | Q(
            pk__in=AgencyMembership.objects.filter(agency__in=agencies_manageable_by(user)).values(
                "user"
            )
        )
    )


def may_grant_staff(user: User) -> bool:
    return is_signed_in_person(user) and user.is_staff


# --- The email outbox --------------------------------------------------------------------


def outbox_emails_visible_to(user: User) -> QuerySet[OutboxEmail]:
    """Each panel's administrators read their panel's emails in full (they may hold links to
    its notifications). The system administrator sees counts and failures, never content:
    that page reads `outbox_emails_retryable_by` and shows no address, subject or body."""
    return OutboxEmail.objects.filter(panel__in=panels_where(user, PanelRole.ADMINISTRATOR))


def outbox_emails_retryable_by(user: User) -> QuerySet[OutboxEmail]:
    if is_signed_in_person(user) and user.is_staff:
        return OutboxEmail.objects.all()
    return outbox_emails_visible_to(user)
