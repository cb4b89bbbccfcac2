"""Who may see and ask for reporting forms: the policy of this app's objects.

The administrators of the case's panel ask for forms and see every form of their cases (the
case's own policy, `cases.permissions`). Agencies' access to what was asked of them comes with
the agency's pages.
"""

from accounts.models import User
from cases.models import Case
from cases.permissions import may_change_case


def may_request_forms(user: User, case: Case) -> bool:
    return may_change_case(user, case)
