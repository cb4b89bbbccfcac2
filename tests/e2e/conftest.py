"""Browser tests: Debian's Chromium driven by Playwright, axe run on every page visited.

Playwright cannot download its own browser here; `.ci/run` installs Debian's `chromium`.
A missing Chromium fails these tests; it never skips them.
"""

import os
import shutil
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

AXE_OPTIONS = {
    # WCAG 2.2 A and AA, and axe's best practices (landmarks, headings, regions).
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is needed for the browser tests: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def assert_accessible(page) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    # Nothing of any impact: minor and moderate findings (a back link outside every landmark)
    # fail the test as much as serious ones.
    found = [(v["id"], v["impact"]) for v in results.response["violations"]]
    assert found == [], f"{page.url}\n{results.generate_report()}"


@dataclass
class Browser:
    """A person at a browser. Every page it lands on is checked with axe."""

    page: object
    base_url: str
    audited: list[str] = field(default_factory=list)

    def audit(self) -> None:
        self.page.wait_for_load_state("load")
        assert_accessible(self.page)
        self.audited.append(self.page.url)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.audit()

    def click(self, name: str, role: str = "button", *, exact: bool = False) -> None:
        """Follow a button or link that leads to another page."""
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, exact=exact).click()
        self.audit()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)


@pytest.fixture
def browser_user(page, live_server):
    visited: list[str] = []
    page.on("load", lambda p: visited.append(p.url))
    user = Browser(page=page, base_url=live_server.url)
    yield user
    unaudited = [url for url in visited if url not in user.audited]
    assert unaudited == [], f"pages visited without an accessibility check: {unaudited}"
