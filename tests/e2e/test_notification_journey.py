import pytest

from tests.conftest import PASSWORD, enrol_two_factor, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_a_notification_from_the_public_page_becomes_a_case(browser_user, administrator, panel):
    page = browser_user.page

    # A hospital paediatrician without an account notifies the panel, a page at a time.
    browser_user.goto("/notify/BEDS/")
    browser_user.click("Start now", role="button")
    browser_user.fill("Family name", "Exampel")
    browser_user.fill("Given names", "Robin")
    fill_date(page, "Date of birth", "1", "2", "2021")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    browser_user.fill("NHS number", "943 476 5919")
    page.get_by_label("Area the child lived in").select_option(label="Luton")
    browser_user.click("Continue")
    fill_date(page, "Date of death", "3", "4", "2024")
    page.get_by_label("Place of death").select_option(label="Hospital: emergency department")
    page.get_by_role("group", name="Was the death expected?").get_by_label("Unexpected").check()
    browser_user.click("Continue")
    browser_user.click("Continue")  # nothing known of the household yet
    browser_user.fill("Your name", "Nina Notifier")
    browser_user.fill("Your role", "Paediatrician")
    browser_user.fill("Your organisation", "Luton Hospital")
    browser_user.fill("Your email address", "nina@example.org")
    browser_user.fill("Your phone number", "01234 567890")
    fill_date(page, "Date of notification", "4", "4", "2024")
    browser_user.click("Continue")
    # Check your answers: a typo in the family name is changed, and the answers come back.
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    browser_user.click("Change family name", role="link")
    browser_user.fill("Family name", "Example")
    browser_user.click("Continue")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert page.get_by_text("Example", exact=True).is_visible()
    browser_user.click("Send notification")
    assert page.get_by_role("heading", name="Notification sent").is_visible()
    reference = page.locator(".govuk-panel__body strong").inner_text()

    # The administrator signs in and finds it waiting in triage.
    enrol_two_factor(administrator)
    browser_user.goto("/accounts/login/")
    browser_user.fill("Email address", "alice@example.org")
    browser_user.fill("Password", PASSWORD)
    browser_user.click("Sign in")
    page.get_by_label("Code").fill(totp_code())
    browser_user.click("Sign in")
    browser_user.click("Notifications", role="link", exact=True)
    browser_user.click(reference, role="link")
    # The administrator corrects an answer before opening the case.
    browser_user.click("Change home address", role="link")
    browser_user.fill("Home address (optional)", "1 Example Street, Luton")
    browser_user.click("Save changes")
    assert page.get_by_text("1 Example Street, Luton").is_visible()
    browser_user.click("Open a new case")
    assert page.get_by_text("Case BEDS-2024-0001 opened").is_visible()

    # And finds the case in the list by its NHS number.
    browser_user.click("Cases", role="link", exact=True)
    browser_user.fill("Search", "9434765919")
    browser_user.click("Apply filters")
    assert page.get_by_role("link", name="BEDS-2024-0001").is_visible()
    assert page.get_by_text("1 case", exact=True).is_visible()
