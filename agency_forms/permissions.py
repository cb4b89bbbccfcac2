"""Who may see and ask for reporting forms: the policy of this app's objects.

The administrators of the case's panel ask for forms and see every form of their cases (the
case's own policy, `cases.permissions`). Agencies' access to what was asked of them comes with
the agency's pages.
"""

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import panel_ids_where
from agency_forms.models import FormRequest
from cases.models import Case
from cases.permissions import CASE_WORKERS, may_change_case


def may_request_forms(user: User, case: Case) -> bool:
    return may_change_case(user, case)


def form_requests_visible_to(user: User) -> QuerySet[FormRequest]:
    """The requests of the cases the user administers (agencies' own access comes with the
    agency's pages)."""
    panels = panel_ids_where(user, *CASE_WORKERS)
    if not panels:
        return FormRequest.objects.none()
    return FormRequest.objects.filter(case__panel_id__in=panels)
