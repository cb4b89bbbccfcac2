"""At 320 px wide (a phone, or a laptop at 400% zoom) everything reflows: nothing is hidden and
nothing scrolls sideways but a data table, inside its own labelled area (WCAG 1.4.10)."""

import pytest

from tests.cases.factories import make_case, make_notification
from tests.e2e.test_transfer_journey import signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def page_scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_at_320_pixels_an_administrator_filters_the_case_list_and_opens_a_case(
    browser_user, administrator, panel, system
):
    page = browser_user.page
    page.set_viewport_size({"width": 320, "height": 640})
    case = make_case(panel, system, family_name="Zoë", given_names="Amélie")
    make_case(panel, system, family_name="Other", nhs_number="4010232137")
    notification = make_notification(panel, system, family_name="Newcomer")
    signed_in_as(browser_user, administrator)

    for path in ("/", "/notifications/", f"/notifications/{notification.pk}/", "/manage/users/"):
        browser_user.goto(path)
        assert not page_scrolls_sideways(page), path

    browser_user.goto("/cases/")
    assert not page_scrolls_sideways(page)
    # The filters are in the page, not over it, and can be hidden and shown again.
    toggle = page.get_by_text("Show or hide filters")
    toggle.click()
    assert not page.get_by_label("Search").is_visible()
    toggle.click()
    browser_user.fill("Search", "zoe amelie")
    browser_user.click("Apply filters")
    assert page.get_by_text("1 case", exact=True).is_visible()
    table = page.get_by_role("region", name="Cases")
    assert table.is_visible()
    assert not page_scrolls_sideways(page)
    browser_user.click(case.number, role="link")
    assert page.get_by_role("heading", name="ZOË, Amélie").is_visible()
    assert not page_scrolls_sideways(page)
