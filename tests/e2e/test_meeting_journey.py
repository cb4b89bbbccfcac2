"""A panel meeting in the browser: the administrator schedules it, invites the chair and a
member, releases the papers and builds a two-case agenda; the member reads the papers (no
names); the chair records attendance, closes one case with a full analysis (consanguinity,
modifiable) and defers the other, and the letter to the family's GP is drafted; after the
window the member is told the papers do not exist. axe checks every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.models import Case, CaseState
from cases.services import case_mark_ready_for_panel
from meetings.models import AgendaItem, Attendance, Invitation, Meeting, MeetingStatus
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.e2e.test_rapid_response_journey import fill_date
from tests.e2e.test_transfer_journey import signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_chair_runs_a_two_case_meeting_and_the_member_reads_the_papers_in_time(
    browser_user, administrator, panel, system, settings
):
    page = browser_user.page
    chair = make_user("chloe@example.org", by=system)
    member = make_user("milo@example.org", by=system)
    panel_membership_add(user=chair, panel=panel, role=PanelRole.CHAIR, by=system)
    panel_membership_add(user=member, panel=panel, role=PanelRole.MEMBER, by=system)
    first, second = (
        case_mark_ready_for_panel(
            case=make_case(panel, system, family_name=name, given_names="Ada"), by=system
        )
        for name in ("Zephyr", "Yarrow")
    )
    tomorrow = timezone.localdate() + timedelta(days=1)

    # The administrator prepares the meeting.
    signed_in_as(browser_user, administrator)
    browser_user.goto("/meetings/")
    browser_user.click("Schedule a meeting", role="link")
    fill_date(page, "on", tomorrow)
    browser_user.fill("Start time", "10:00")
    browser_user.fill("Where (optional)", "Room 4, Borough Hall")
    browser_user.click("Schedule it")
    browser_user.click("Invite panel members", role="link")
    page.get_by_label("Chloe").check()
    page.get_by_label("Milo").check()
    browser_user.click("Invite them")
    browser_user.click("Release the papers to members", role="link")
    fill_date(page, "on", timezone.localdate())
    browser_user.fill("Time they open", "00:00")
    browser_user.click("Save")
    for case in (first, second):
        browser_user.click(case.number)  # "Add" it
        assert page.get_by_text(f"{case.number} is on the agenda").is_visible()
    meeting = Meeting.objects.get()
    assert Case.objects.filter(state=CaseState.SCHEDULED).count() == 2

    # The member reads the first case's papers: pseudonymised.
    signed_in_as(browser_user, member)
    browser_user.goto("/")
    browser_user.click("All meetings", role="link")
    browser_user.click(
        meeting.starts_at.astimezone(timezone.get_current_timezone()).strftime("%-d %B %Y"),
        role="link",
    )
    browser_user.click(first.number, role="link")
    assert page.get_by_role("heading", name=f"Case {first.number}").is_visible()
    assert "Zephyr" not in page.content()

    # The chair runs it: attendance, then the first case closed with its analysis.
    signed_in_as(browser_user, chair)
    browser_user.goto(f"/meetings/{meeting.pk}/")
    browser_user.click("Run the meeting", role="link")
    page.get_by_role("group", name="Chloe").get_by_label("Present").check()
    page.get_by_role("group", name="Milo").get_by_label("Sent apologies").check()
    browser_user.click("Start the meeting")
    assert page.get_by_role("heading", name=f"Case {first.number}").is_visible()
    browser_user.fill("Case summary (optional)", "A recessive condition; parents are cousins.")
    page.get_by_role("group", name="Primary category of death").get_by_label(
        "Chromosomal, genetic and congenital anomalies"
    ).check()
    consanguinity = page.get_by_role("group", name="Consanguinity")
    for flag in ("Identified", "Contributed", "Modifiable"):
        consanguinity.get_by_label(flag).check()
    page.get_by_label("Yes: modifiable factors identified").check()
    browser_user.fill("Learning points (optional)", "Offer genetic counselling to related parents.")
    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("Action (optional)").fill("Write to the GP about genetic counselling")
    action.get_by_label("Owner (optional)").fill("CDOP administrator")
    browser_user.click("Save and close the case")
    assert page.get_by_text(f"{first.number} is closed").is_visible()

    # The second case: deferred, with a reason.
    assert page.get_by_role("heading", name=f"Case {second.number}").is_visible()
    browser_user.click("Defer the case to a later meeting", role="link")
    browser_user.fill("Reason", "Post-mortem report awaited")
    browser_user.click("Defer the case")
    assert page.get_by_text(f"{second.number} is deferred").is_visible()
    browser_user.click("Finish the meeting")
    assert page.get_by_text("Meeting finished").is_visible()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.closed_on) == (CaseState.CLOSED, tomorrow)
    assert first.analysis.factors.get().factor.code == "consanguinity"
    assert first.analysis.actions.get().owner == "CDOP administrator"
    assert second.state == CaseState.READY_FOR_PANEL
    assert AgendaItem.objects.get(case=second).reason == "Post-mortem report awaited"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert dict(Invitation.objects.values_list("user__email", "attendance")) == {
        "chloe@example.org": Attendance.PRESENT,
        "milo@example.org": Attendance.APOLOGIES,
    }

    # The consanguinity recorded as modifiable drafted the letter to the GP.
    signed_in_as(browser_user, administrator)
    browser_user.goto("/meetings/")
    browser_user.click("Follow-ups", role="link")
    assert page.get_by_role("cell", name="Genetic counselling Consanguinity").is_visible()
    assert page.get_by_role("link", name=first.number, exact=True).is_visible()
    browser_user.click("Mark as sent")
    assert page.get_by_text(f"Sent: Genetic counselling for case {first.number}").is_visible()

    # After the window (it ends a set time after the meeting): not found.
    settings.MEETING_PAPERS_DAYS_AFTER = -2
    signed_in_as(browser_user, member)
    item = AgendaItem.objects.get(case=first)
    response = page.goto(f"{browser_user.base_url}/meetings/agenda/{item.pk}/")
    browser_user.audit()
    assert response.status == 404
