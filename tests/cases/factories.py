"""Notifications and cases for tests: synthetic children only."""

from datetime import date

from cases.models import Notification, NotificationSource, PlaceOfDeath, Sex
from cases.services import case_open, notification_record


def notification_fields(panel, **overrides) -> dict:
    fields = {
        "family_name": "Example",
        "given_names": "Sam",
        "date_of_birth": date(2020, 2, 1),
        "sex": Sex.objects.get(code="female"),
        "nhs_number": "9434765919",
        "area": overrides.get("area") or panel.areas.get(name="Luton"),
        "date_of_death": date(2024, 3, 4),
        "place_of_death": PlaceOfDeath.objects.get(code="home"),
        "death_type": "unexpected",
        "notifier_name": "Nina Notifier",
        "notifier_organisation": "Luton Hospital",
        "notified_on": date(2024, 3, 5),
    }
    return {**fields, **overrides}


def make_notification(panel, by, **overrides) -> Notification:
    return notification_record(
        panel=panel,
        source=NotificationSource.ADMINISTRATOR,
        fields=notification_fields(panel, **overrides),
        by=by,
    )


def make_case(panel, by, **overrides):
    return case_open(notification=make_notification(panel, by, **overrides), by=by)


PAGES = ["child", "death", "household", "notifier"]


def post_notification(client, base: str, data: dict, **extra):
    """Answer every question page with `data` (each page reads its own questions), then send
    from the check page. Returns the pages' responses and the check page's."""
    pages = [client.post(f"{base}{slug}/", data, **extra) for slug in PAGES]
    return pages, client.post(f"{base}check/", **extra)
