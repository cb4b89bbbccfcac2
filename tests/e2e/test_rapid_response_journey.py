"""The first days after an unexpected death, in the browser: the administrator starts a rapid
response, names the team and records the planning discussion with two actions; the police
user on the team sees it and marks an action done; a police user off the team is told it does
not exist. axe checks every page on the way."""

import pytest
from django.utils import timezone

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from rapid_response.models import EpisodeAction, RapidResponseEpisode
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.e2e.test_transfer_journey import signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page, prefix: str, day) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_the_team_works_the_response_and_an_outsider_is_kept_out(
    browser_user, administrator, panel, system
):
    page = browser_user.page
    police = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )
    on_team = make_user("dc.smith@example.org", by=system)
    off_team = make_user("dc.jones@example.org", by=system)
    for officer in (on_team, off_team):
        agency_membership_add(user=officer, agency=police, role=AgencyRole.USER, by=system)
    case = make_case(panel, system, family_name="Zephyr", death_type="unexpected")
    today = timezone.localdate()

    signed_in_as(browser_user, administrator)
    browser_user.goto(f"/cases/{case.pk}/")
    browser_user.click("Start a rapid response", role="link")
    page.get_by_label("Sudden death with no immediately apparent cause (including SUDI/C)").check()
    fill_date(page, "on", today)
    browser_user.fill("Time the response started", "00:05")
    browser_user.click("Start it")
    assert page.get_by_role("heading", name="The team").is_visible()
    page.get_by_label("Police investigator").check()
    page.get_by_label("A user of this service").select_option(
        label="Dc.Smith (dc.smith@example.org)"
    )
    browser_user.click("Add to the team")
    assert page.get_by_text("Added to the team").is_visible()
    browser_user.click("Back to the rapid response", role="link")

    browser_user.click("Information-sharing and planning discussion", role="link")
    fill_date(page, "on", today)
    browser_user.fill("Time it was held", "00:10")
    browser_user.fill("Who took part", "Dr Patel, DC Smith, duty social worker")
    browser_user.fill("Decisions (optional)", "Joint home visit today")
    browser_user.click("Save")
    for description in ("Visit the home with the paediatrician", "Check the siblings' school"):
        browser_user.click("Add an action", role="link")
        browser_user.fill("What needs doing", description)
        page.get_by_label("Who will do it").select_option(label="Dc.Smith (dc.smith@example.org)")
        fill_date(page, "due_on", today)
        browser_user.click("Add it")
    assert EpisodeAction.objects.count() == 2

    # The police user on the team sees it from home and marks an action done.
    signed_in_as(browser_user, on_team)
    browser_user.goto("/")
    browser_user.click("Visit the home with the paediatrician", role="link")
    assert page.get_by_text("Joint home visit today").is_visible()
    browser_user.click("Visit the home with the paediatrician")  # "Mark as done: …"
    assert page.get_by_text("Done: Visit the home with the paediatrician").is_visible()
    assert EpisodeAction.objects.filter(done_at__isnull=False).count() == 1

    # The police user off the team: not found.
    signed_in_as(browser_user, off_team)
    episode = RapidResponseEpisode.objects.get()
    response = page.goto(f"{browser_user.base_url}/rapid-response/{episode.pk}/")
    assert response.status == 404
    browser_user.audit()
