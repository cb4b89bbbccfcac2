"""A notification for a child who lived elsewhere moves to the other panel, in the browser."""

import pytest
from django.test import Client

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from panels.services import panel_setup
from tests.cases.factories import make_case, make_notification
from tests.conftest import make_user, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in_as(browser_user, user) -> None:
    """The browser takes over a session started as after the full two-factor sign-in."""
    from allauth.mfa.models import Authenticator

    client = Client()
    if Authenticator.objects.filter(user=user, type="totp").exists():
        client.force_login(user)
    else:
        sign_in(client, user)
    context = browser_user.page.context
    context.clear_cookies()
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": browser_user.base_url,
            }
        ]
    )


def test_an_offered_notification_is_accepted_by_the_other_panel(
    browser_user, administrator, panel, system
):
    page = browser_user.page
    mk = panel_setup(code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system).panel
    mk_admin = make_user("olly@example.org", by=system)
    panel_membership_add(user=mk_admin, panel=mk, role=PanelRole.ADMINISTRATOR, by=system)
    notification = make_notification(panel, system, family_name="Traveller")
    case = make_case(panel, system, family_name="Stayer", nhs_number="4010232137")

    signed_in_as(browser_user, administrator)
    browser_user.goto(f"/notifications/{notification.pk}/")
    browser_user.click("Offer this notification to another panel", role="link")
    page.get_by_label("Panel to offer it to").select_option(label="Milton Keynes CDOP (MK)")
    browser_user.fill("Why it belongs to that panel", "The family lives in Milton Keynes")
    browser_user.click("Offer")
    assert page.get_by_text("Offered to Milton Keynes CDOP").first.is_visible()

    # The case page says who has looked at it; the panel's page who was given which role.
    browser_user.goto(f"/cases/{case.pk}/")
    browser_user.click("See who has opened this case", role="link")
    assert page.get_by_role("heading", name="Who has viewed this case").is_visible()
    assert page.get_by_text(f"{administrator}: viewed").first.is_visible()
    browser_user.goto(f"/manage/panels/{panel.pk}/roles/")
    assert page.get_by_text(f"CDOP administrator given: {administrator}").is_visible()

    signed_in_as(browser_user, mk_admin)
    browser_user.goto("/notifications/")
    browser_user.click(f"Notification {notification.reference}", role="link")
    page.get_by_label("Area the child lived in").select_option(label="Milton Keynes")
    page.get_by_label("Reason").fill("Confirmed with the GP")
    browser_user.click("Accept into Milton Keynes CDOP")
    assert page.get_by_text("Accepted into Milton Keynes CDOP").is_visible()
    assert page.get_by_text("Accepted by Milton Keynes CDOP: Confirmed with the GP").is_visible()
    notification.refresh_from_db()
    assert notification.panel == mk
