"""An administrator asks for a spreadsheet too large to write at once, and downloads it from
its page when the worker has written it, in the browser."""

import zipfile

import pytest

from tests.cases.factories import make_case
from tests.e2e.test_transfer_journey import signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_large_spreadsheet_is_written_in_the_background_then_downloaded(
    browser_user, administrator, panel, settings, tmp_path
):
    settings.CASE_EXPORT_DIRECT_ROWS = 2  # three cases are "large" here
    for n in range(3):
        make_case(panel, administrator, family_name=f"Child{n}")
    page = browser_user.page
    signed_in_as(browser_user, administrator)
    browser_user.goto("/cases/")
    browser_user.click("Excel file", role="link")
    assert page.get_by_role("heading", name="Download 3 cases as a spreadsheet").is_visible()
    browser_user.click("Write the spreadsheet")  # the worker runs at once here (eager)
    assert page.get_by_text("Ready to download").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the spreadsheet of 3 cases").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 1 + 3
    assert "Child0" in sheet  # constant memory mode writes its strings inline
