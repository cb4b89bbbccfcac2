"""Who may see, complete and change reporting form requests: the policy of this app's objects.

- The administrators of the case's panel ask for forms, see every form of their cases and
  change the requests (waive, extend, cancel, return for amendment).
- An agency's members see what was asked of their agency, and nothing of the case beyond the
  request: a lead sees all of the agency's requests and reassigns them; a user sees those
  addressed to the agency as a whole and those naming them.
- The named person of a request is a django-guardian grant on that one request
  (`FormRequestUserObjectPermission`). It counts only while its holder is a member of the
  request's agency: leaving the agency, or the request being given to someone else, ends it on
  the next request.

Everything is read at request time from the memberships (`accounts.permissions`). Not allowed
to see is "not found".
"""

from django.contrib.auth.models import Permission
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts.models import AgencyMembership, AgencyRole, User
from accounts.permissions import agency_roles, holds_role_in_panel, panel_ids_where
from agency_forms.models import (
    OUTSTANDING,
    FormRequest,
    FormRequestUserObjectPermission,
    RequestStatus,
)
from cases.models import Case, CaseState
from cases.permissions import CASE_WORKERS, may_change_case

COMPLETE = "complete_formrequest"


def may_request_forms(user: User, case: Case) -> bool:
    return may_change_case(user, case)


def _complete_permission() -> QuerySet[Permission]:
    """The permission's id, as a subquery PostgreSQL runs once per query (a join to the
    permission table in each per-request check makes it misjudge the rows)."""
    return Permission.objects.filter(
        codename=COMPLETE, content_type__app_label="agency_forms"
    ).values("pk")[:1]


def grants_of(request_ref=None) -> QuerySet[FormRequestUserObjectPermission]:
    """The named-person grants of the request `request_ref` (by default the outer query's)."""
    return FormRequestUserObjectPermission.objects.filter(
        content_object=OuterRef("pk") if request_ref is None else request_ref,
        permission=Subquery(_complete_permission()),
    )


def _agency_scope(user: User) -> Q | None:
    """The requests the user sees as a member of agencies, or None if they are in none."""
    memberships = agency_roles(user)
    if not memberships:
        return None
    leads = [m.of for m in memberships if m.role == AgencyRole.LEAD]
    users = [m.of for m in memberships if m.role != AgencyRole.LEAD]
    scope = Q(pk__in=[])
    if leads:
        scope |= Q(agency_id__in=leads)
    if users:
        # Addressed to the agency as a whole or to this user: naming nobody else (a request
        # names one person at most). One index probe per row, whatever the number of grants.
        scope |= Q(agency_id__in=users) & ~Exists(grants_of().exclude(user=user))
    return scope


def form_requests_of_agencies(user: User) -> QuerySet[FormRequest]:
    """ "My requests": what the user's agencies were asked that is theirs to see."""
    scope = _agency_scope(user)
    if scope is None:
        return FormRequest.objects.none()
    return FormRequest.objects.filter(scope)


def form_requests_administered_by(user: User) -> QuerySet[FormRequest]:
    """The requests of the cases the user administers."""
    panels = panel_ids_where(user, *CASE_WORKERS)
    if not panels:
        return FormRequest.objects.none()
    return FormRequest.objects.filter(case__panel_id__in=panels)


def form_requests_visible_to(user: User) -> QuerySet[FormRequest]:
    """Every request the user may open: as an administrator of its case, or at its agency."""
    panels = panel_ids_where(user, *CASE_WORKERS)
    scope = _agency_scope(user)
    if not panels and scope is None:
        return FormRequest.objects.none()
    either = Q(case__panel_id__in=panels) if panels else Q(pk__in=[])
    return FormRequest.objects.filter(either | scope if scope is not None else either)


def may_see_outstanding(user: User) -> bool:
    return bool(panel_ids_where(user, *CASE_WORKERS))


def may_administer_request(user: User, form_request: FormRequest) -> bool:
    return holds_role_in_panel(user, form_request.case.panel_id, *CASE_WORKERS)


def is_at_the_agency(user: User, form_request: FormRequest) -> bool:
    return any(m.of == form_request.agency_id for m in agency_roles(user))


def may_complete_request(user: User, form_request: FormRequest) -> bool:
    """The agency's to write: a member who sees it, while it is still with the agency and the
    case is open. (Visibility is checked by the selector that fetched it.)"""
    return (
        is_at_the_agency(user, form_request)
        and form_request.status in OUTSTANDING
        and form_request.case.state != CaseState.CLOSED
    )


def may_reassign_request(user: User, form_request: FormRequest) -> bool:
    """An agency lead gives a request to one of the agency's people (or to the agency)."""
    return (
        any(
            m.of == form_request.agency_id and m.role == AgencyRole.LEAD for m in agency_roles(user)
        )
        and form_request.status in OUTSTANDING
    )


def may_return_request(user: User, form_request: FormRequest) -> bool:
    return (
        may_administer_request(user, form_request)
        and form_request.status == RequestStatus.SUBMITTED
        and form_request.case.state != CaseState.CLOSED
    )


def named_person(form_request: FormRequest) -> User | None:
    """The person the request names, while they are an active member of its agency."""
    return named_people([form_request.pk]).get(form_request.pk)


def named_people(request_pks: list[int]) -> dict[int, User]:
    """The named person of each of the requests that names one, while they are an active
    member of its agency (one query for any number of requests)."""
    grants = (
        FormRequestUserObjectPermission.objects.filter(
            content_object_id__in=request_pks,
            permission=Subquery(_complete_permission()),
            user__is_active=True,
            user__agency_memberships__agency_id=F("content_object__agency_id"),
        )
        .select_related("user")
        .order_by("content_object_id", "user__full_name", "user_id")
    )
    named: dict[int, User] = {}
    for grant in grants:
        named.setdefault(grant.content_object_id, grant.user)
    return named


def agency_people(agency_id: int, *roles: str) -> QuerySet[User]:
    """The agency's active members (in `roles`, if given), by name."""
    members = AgencyMembership.objects.filter(agency_id=agency_id)
    if roles:
        members = members.filter(role__in=roles)
    return User.objects.filter(is_active=True, pk__in=members.values("user")).order_by(
        "full_name", "pk"
    )
