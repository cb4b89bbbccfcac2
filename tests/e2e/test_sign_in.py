import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_administrator_signs_in_and_sees_their_roles(browser_user, administrator, settings):
    settings.MFA_REQUIRED = False
    browser_user.goto("/")
    page = browser_user.page
    assert page.title() == "Sign in – CDOP"

    browser_user.fill("Email address", "alice@example.org")
    browser_user.fill("Password", "not the password")
    browser_user.click("Sign in")
    assert page.title() == "Error: Sign in – CDOP"
    assert page.get_by_text("There is a problem").is_visible()

    browser_user.fill("Password", PASSWORD)
    browser_user.click("Sign in")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert page.get_by_text("CDOP administrator, Bedfordshire CDOP").is_visible()


def test_the_accessibility_statement_is_reachable_from_every_page(browser_user, db):
    browser_user.goto("/accounts/login/")
    browser_user.click("Accessibility statement", role="link")
    assert browser_user.page.get_by_role("heading", level=1).inner_text() == (
        "Accessibility statement"
    )
