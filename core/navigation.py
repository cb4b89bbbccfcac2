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
    items = [("Home", reverse("home"))]
    if user.is_staff:
        items.append(("Administration", reverse("admin:index")))
    path = request.path
    return [
        NavItem(label, url, path == url if url == "/" else path.startswith(url))
        for label, url in items
    ]
