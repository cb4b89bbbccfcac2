"""Who may see and change cases and notifications: the policy of this app's objects.

Computed at request time from the memberships (accounts.permissions), never granted per case:
a case or notification belongs to one panel, and that panel's CDOP administrators may see and
change it, from the moment it exists until they stop holding the role. The system administrator
sees none of it. Chairs and members reach cases through meeting papers, agency users through
their reporting form requests and rapid response teams through their episode: each is a policy
of its own over its own records, not a widening of this one.

Not allowed to see → 404; may see but not change → 403. Closed cases refuse changes in the
services, whoever asks.
"""

from django.db.models import OuterRef, Q, QuerySet

from accounts.models import PanelRole, User
from accounts.permissions import (
    holds_panel_role,
    holds_role_in_panel,
    may_hold_roles,
    panel_ids_where,
)
from cases.models import Case, CaseExport, Notification, Transfer

# The roles that see a panel's cases and notifications, identifiable, and change them.
CASE_WORKERS = (PanelRole.ADMINISTRATOR,)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases of the panels the user administers, the panels read now (100,000 cases and
    more: the list pages from the panel's index, see `panel_ids_where`)."""
    panels = panel_ids_where(user, *CASE_WORKERS)
    if not panels:
        return Case.objects.none()
    return Case.objects.filter(panel_id__in=panels)


def may_change_case(user: User, case: Case) -> bool:
    return holds_role_in_panel(user, case.panel_id, *CASE_WORKERS)


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    if not may_hold_roles(user):
        return Notification.objects.none()
    return Notification.objects.filter(holds_panel_role(user, *CASE_WORKERS))


def may_record_notifications(user: User) -> bool:
    """CDOP administrators record notifications and open cases, for their own panels."""
    return bool(panel_ids_where(user, *CASE_WORKERS))


def transfers_visible_to(user: User) -> QuerySet[Transfer]:
    """Offers from, or to, a panel the user administers."""
    if not may_hold_roles(user):
        return Transfer.objects.none()
    return Transfer.objects.filter(
        Q(holds_panel_role(user, *CASE_WORKERS, panel=OuterRef("from_panel")))
        | Q(holds_panel_role(user, *CASE_WORKERS, panel=OuterRef("to_panel")))
    )


def may_decide_transfer(user: User, transfer: Transfer) -> bool:
    """The receiving panel's administrators accept or decline."""
    return holds_role_in_panel(user, transfer.to_panel_id, *CASE_WORKERS)


def may_withdraw_transfer(user: User, transfer: Transfer) -> bool:
    return holds_role_in_panel(user, transfer.from_panel_id, *CASE_WORKERS)


def case_exports_of(user: User) -> QuerySet[CaseExport]:
    """The large spreadsheets the user asked for (`may_have_export` decides each)."""
    if not may_record_notifications(user):
        return CaseExport.objects.none()
    return CaseExport.objects.filter(requested_by=user)


def may_have_export(user: User, export: CaseExport) -> bool:
    """Only its requester, and only while they still administer every panel it may cover:
    moved to another panel, demoted or removed, they no longer see the file."""
    return export.requested_by_id == user.pk and set(export.panel_ids) <= set(
        panel_ids_where(user, *CASE_WORKERS)
    )
