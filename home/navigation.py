"""The service navigation: which sections each role sees in the header."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from accounts.permissions import agency_roles, may_manage_users
    from cases.permissions import may_record_notifications
    from meetings.permissions import may_see_meetings

    items = [("Home", reverse("home"))]
    if may_record_notifications(user):
        items += [
            ("Cases", reverse("cases:case_list")),
            ("Notifications", reverse("cases:triage")),
            ("Forms", reverse("agency_forms:outstanding")),
            ("National", reverse("reporting:national_submission")),
        ]
    if may_see_meetings(user):
        items.append(("Meetings", reverse("meetings:meeting_list")))
    if agency_roles(user):
        items.append(("My requests", reverse("agency_forms:my_requests")))
    if may_manage_users(user):
        items += [
            ("Users", reverse("accounts:user_list")),
            ("Agencies", reverse("accounts:agency_list")),
            ("Emails", reverse("accounts:outbox")),
        ]
    if user.is_staff:
        items.append(("Reference data", reverse("admin:index")))
    path = request.path
    return [
        NavItem(label, url, path == url if url == "/" else path.startswith(url))
        for label, url in items
    ]
