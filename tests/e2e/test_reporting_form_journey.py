"""The agencies' journey in the browser: the administrator asks two agencies for the reporting
form, the police complete theirs (a draft, check your answers, submit), the hospital's is
waived, and the case is ready for panel. axe checks every page on the way."""

import re

import pytest

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from agency_forms.models import FormRequest, RequestStatus
from cases.models import CaseState
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.e2e.test_transfer_journey import signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_two_agencies_are_asked_the_police_submit_the_hospital_is_waived(
    browser_user, administrator, panel, system
):
    page = browser_user.page
    police = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )
    agency_create(
        name="Luton and Dunstable Hospital",
        agency_type=AgencyType.ACUTE_TRUST,
        panels=[panel],
        by=system,
    )
    officer = make_user("pat@example.org", by=system)
    agency_membership_add(user=officer, agency=police, role=AgencyRole.USER, by=system)
    case = make_case(panel, system, family_name="Zephyr", given_names="Ada")

    # The administrator asks both agencies from the case page.
    signed_in_as(browser_user, administrator)
    browser_user.goto(f"/cases/{case.pk}/")
    browser_user.click("Ask agencies for information", role="link")
    page.get_by_label("Bedfordshire Police").check()
    page.get_by_label("Luton and Dunstable Hospital").check()
    browser_user.click("Send")
    assert page.get_by_text("2 forms asked for").is_visible()

    # The officer finds it in "My requests" and answers section A, saved as a draft.
    signed_in_as(browser_user, officer)
    browser_user.goto("/")
    browser_user.click("1 form to complete", role="link")
    assert page.get_by_text("Zephyr").first.is_visible()
    browser_user.click(case.number, role="link")
    browser_user.click("A. Child and family details", role="link")
    assert page.get_by_label("Child's family name").input_value() == "Zephyr"  # from the case
    for radio in page.locator('input[type="radio"][value="not_known"]').all():
        radio.check()
    browser_user.click("Save and return to the task list")
    assert page.get_by_text("Section A saved as a draft").is_visible()
    assert FormRequest.objects.get(agency=police).status == RequestStatus.DRAFT

    # Check your answers says what is missing; the officer answers the rest and submits.
    browser_user.click("Check your answers and submit", role="link")
    assert page.get_by_text("not answered yet").first.is_visible()
    browser_user.click("Back to the task list", role="link")
    for key in "BCDEF":
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(rf"^{key}\. ")).click()
        browser_user.audit()
        for radio in page.locator('input[type="radio"][value="not_known"]').all():
            radio.check()
        browser_user.click("Save and return to the task list")
    browser_user.click("Check your answers and submit", role="link")
    assert page.get_by_text("not answered yet").count() == 0
    browser_user.click("Submit the form")
    assert page.get_by_text("Form submitted").is_visible()
    assert page.get_by_role("button", name="Print this form").is_visible()

    # The administrator waives the hospital's request: the case is ready for panel.
    signed_in_as(browser_user, administrator)
    browser_user.goto(f"/cases/{case.pk}/")
    hospital_request = FormRequest.objects.get(agency__name="Luton and Dunstable Hospital")
    browser_user.goto(f"/forms/requests/{hospital_request.pk}/change/")
    page.get_by_label("Waive it: the form is not needed (for example, no involvement)").check()
    browser_user.fill("Reason", "No involvement with the family")
    browser_user.click("Save the change")
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    assert page.get_by_text("Ready for panel").first.is_visible()
    # The submitted form opens from the case page.
    browser_user.click("Reporting form from Bedfordshire Police", role="link")
    assert page.get_by_role("heading", name="A. Child and family details").is_visible()
