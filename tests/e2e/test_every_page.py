"""Every page each person can open, at 320 px wide and on a laptop: axe finds nothing, and
nothing scrolls sideways but a data table in its own labelled area (WCAG 1.4.10, 2.4.11)."""

import pytest

from tests.e2e.test_small_screens import page_scrolls_sideways
from tests.e2e.test_transfer_journey import signed_in_as
from tests.security.test_authz_matrix import EXPECTED, LIKE, ROUTES, concrete_path, is_admin
from tests.security.world import (
    ADMINISTRATOR,
    AGENCY_A_LEAD,
    CHAIR,
    MANAGER,
    SYSTEM_ADMINISTRATOR,
    build_world,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Pages that are not pages: files, JSON, or signing out.
NOT_PAGES = {
    "healthz",
    "cases:case_export_csv",
    "cases:case_export_xlsx",
    "cases:case_export_download",
    "agency_forms:data_dictionary_csv",
    "agency_forms:form_attachment",  # a file, always a download
    "meetings:meeting_minutes_pdf",
    "meetings:meeting_papers_pdf",
    "meetings:follow_up_letter",
    "meetings:digest_pdf",
    "account_logout",
    "mfa_download_recovery_codes",
}


def pages_of(persona: str, world) -> list[str]:
    return [
        concrete_path(route, name, world)
        for route, name, _ in ROUTES
        if not is_admin(route)
        and (name or route) not in NOT_PAGES
        and EXPECTED[name or route].get(
            persona, EXPECTED[name or route][LIKE.get(persona, persona)]
        )[0]
        == 200
    ]


# Every person's pages at 320 px (reflow and axe); on a laptop, the administrator's and the
# agency lead's, which render nearly every template (the others' pages are the same templates,
# and the journeys visit the rest, such as the chair's run of a meeting, at laptop width).
@pytest.mark.parametrize(
    ("persona", "width"),
    [
        *((persona, 320) for persona in (ADMINISTRATOR, SYSTEM_ADMINISTRATOR, CHAIR, MANAGER,
                                         AGENCY_A_LEAD)),
        (ADMINISTRATOR, 1280),
        (AGENCY_A_LEAD, 1280),
    ],
)  # fmt: skip
def test_every_page_reflows_and_passes_axe(browser_user, persona, width):
    world = build_world()
    page = browser_user.page
    page.set_viewport_size({"width": width, "height": 800})
    signed_in_as(browser_user, world.people[persona])
    wide = []
    for path in pages_of(persona, world):
        browser_user.goto(path)  # axe runs on each
        if page_scrolls_sideways(page):
            wide.append(path)
    assert wide == []
