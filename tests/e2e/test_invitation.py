import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD, enrol_two_factor, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_with_code(browser_user, email: str, password: str, secret: str | None = None):
    browser_user.goto("/accounts/login/")
    browser_user.fill("Email address", email)
    browser_user.fill("Password", password)
    browser_user.click("Sign in")
    if secret is not None or browser_user.page.url.endswith("/accounts/2fa/authenticate/"):
        browser_user.page.get_by_label("Code").fill(totp_code(*([secret] if secret else [])))
        browser_user.click("Sign in")


def test_an_invited_user_sets_a_password_and_enrols_in_two_factor(
    browser_user, administrator, agency_a
):
    enrol_two_factor(administrator)
    page = browser_user.page

    # The administrator invites Dana.
    sign_in_with_code(browser_user, "alice@example.org", PASSWORD)
    browser_user.click("Users", role="link", exact=True)
    browser_user.click("Invite a user", role="link")
    browser_user.fill("Full name", "Dana Doctor")
    browser_user.fill("Email address", "dana@example.org")
    page.get_by_label("Role").select_option(label="Agency lead, Agency A Police")
    browser_user.click("Send invitation")
    assert page.get_by_text("Invitation sent to dana@example.org").is_visible()
    browser_user.click("Sign out", role="link")
    browser_user.click("Sign Out")

    # Dana follows the emailed link, sets a password and signs in.
    [email] = mail.outbox
    link = re.search(r"https?://\S+", email.body).group(0)
    browser_user.goto(link.split("8000", 1)[-1])
    assert page.title() == "Set your password – CDOP"
    browser_user.fill("New password", "dana's own long password")
    browser_user.fill("New password (again)", "dana's own long password")
    browser_user.click("Set password")
    assert page.get_by_text("Your password is set").is_visible()
    sign_in_with_code(browser_user, "dana@example.org", "dana's own long password")

    # Two-factor enrolment comes before anything else.
    assert "/accounts/2fa/totp/activate/" in page.url, page.content()[-3000:]
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    browser_user.click("Activate")
    browser_user.goto("/")
    assert page.get_by_text("Agency lead, Agency A Police").is_visible()


def test_repeated_wrong_passwords_lock_the_account(browser_user, administrator):
    enrol_two_factor(administrator)
    for _ in range(10):
        browser_user.goto("/accounts/login/")
        browser_user.fill("Email address", "alice@example.org")
        browser_user.fill("Password", "a wrong password")
        browser_user.click("Sign in")
    browser_user.goto("/accounts/login/")
    browser_user.fill("Email address", "alice@example.org")
    browser_user.fill("Password", PASSWORD)
    browser_user.click("Sign in")
    assert browser_user.page.get_by_role("heading", level=1).inner_text() == "Account locked"
