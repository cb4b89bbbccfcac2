"""A spreadsheet too large to write while the browser waits is written by a worker and
downloaded from its own page: only by its requester, while they still administer its panels,
until it expires; nothing lost when the queue or the worker is (issue 9)."""

import os
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import PanelRole
from accounts.services import panel_membership_add, panel_membership_remove, user_deactivate
from cases import exports
from cases.exports import case_export_write, case_exports_sweep
from cases.models import CaseExport, ExportStatus
from core.models import AccessAction, AccessEvent, AccessEventObject
from panels.services import panel_setup
from tests.cases.factories import make_case
from tests.conftest import make_user, sign_in


@pytest.fixture(autouse=True)
def small_spreadsheets_go_to_a_worker(settings):
    settings.CASE_EXPORT_DIRECT_ROWS = 2


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


@pytest.fixture
def cases(panel, administrator):
    return [
        make_case(panel, administrator, family_name=f"Child{n}", death_type=death_type)
        for n, death_type in enumerate(["unexpected", "unexpected", "unexpected", "expected"])
    ]


def ask(client, query: str, django_capture_on_commit_callbacks):
    """The administrator's steps: the Excel link, then the button on the page it opens."""
    offer = client.get(f"/cases/export.xlsx?{query}")
    assert offer["Content-Type"].startswith("text/html")
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs (eager here)
        response = client.post("/cases/exports/", {"query": query})
    assert response.status_code == 302
    return offer, CaseExport.objects.get(), response["Location"]


def rows_of(content: bytes) -> int:
    sheet = zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    return sheet.count("<row ") - 1  # the heading


@pytest.mark.django_db
def test_it_writes_a_large_spreadsheet_in_the_background_and_logs_it_once(
    admin_client, cases, django_capture_on_commit_callbacks
):
    offer, export, status_url = ask(
        admin_client, "death_type=unexpected", django_capture_on_commit_callbacks
    )
    assert "Download 3 cases as a spreadsheet" in offer.content.decode()
    assert "Write the spreadsheet" in offer.content.decode()
    page = admin_client.get(status_url).content.decode()
    assert "Ready to download" in page
    assert f"/cases/exports/{export.pk}/download/" in page

    response = admin_client.get(f"/cases/exports/{export.pk}/download/")
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert (
        rows_of(b"".join(response.streaming_content)) == 3
    )  # the filter applied: the expected death is not in

    # One export event, with its filter and its rows; the file's download is a second event.
    [event] = AccessEvent.objects.filter(action=AccessAction.EXPORT)
    assert (event.detail, event.row_count) == ("filters: death_type", 3)
    shown = set(AccessEventObject.objects.filter(event=event).values_list("object_id", flat=True))
    assert shown == {str(c.pk) for c in cases[:3]}
    assert AccessEvent.objects.filter(action=AccessAction.DOWNLOAD, row_count=3).count() == 1
    viewed = admin_client.get(f"/cases/{cases[0].pk}/viewed-by/").content.decode()
    assert "exported (filters: death_type)" in viewed
    viewed = admin_client.get(f"/cases/{cases[3].pk}/viewed-by/").content.decode()
    assert "exported" not in viewed


@pytest.mark.django_db
def test_the_offer_page_writes_nothing_and_a_small_spreadsheet_still_comes_at_once(
    admin_client, cases, settings
):
    admin_client.get("/cases/export.xlsx")
    assert not CaseExport.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT).exists()
    settings.CASE_EXPORT_DIRECT_ROWS = 10
    response = admin_client.get("/cases/export.xlsx")
    assert rows_of(b"".join(response.streaming_content)) == 4


@pytest.mark.django_db
def test_the_progress_page_says_how_far_the_worker_has_got(
    admin_client, cases, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "_ask_a_worker", lambda pk: None)  # no worker yet
    _, export, status_url = ask(admin_client, "", django_capture_on_commit_callbacks)
    page = admin_client.get(status_url).content.decode()
    assert "Waiting to be written" in page
    assert "Check again" in page
    assert admin_client.get(f"/cases/exports/{export.pk}/download/").status_code == 404
    export.status, export.rows_written = ExportStatus.WRITING, 2
    export.save()
    assert (
        "Being written: 2 of about 4 cases so far" in admin_client.get(status_url).content.decode()
    )


@pytest.mark.django_db
def test_only_the_requester_sees_the_spreadsheet_and_only_while_they_administer_its_panel(
    admin_client, panel, administrator, cases, system, django_capture_on_commit_callbacks
):
    from django.test import Client

    _, export, status_url = ask(admin_client, "", django_capture_on_commit_callbacks)
    download = f"/cases/exports/{export.pk}/download/"
    colleague = make_user("carol@example.org", by=system)
    panel_membership_add(user=colleague, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
    theirs = Client()
    sign_in(theirs, colleague)
    assert theirs.get(status_url).status_code == 404  # another administrator of the panel
    assert theirs.get(download).status_code == 404

    # Moved to another panel: the file of the first panel's cases is out of reach at once.
    membership = administrator.panel_memberships.get(panel=panel)
    panel_membership_remove(membership=membership, by=system)
    other = panel_setup(code="MK", name="Milton Keynes CDOP", areas=["MK"], by=system).panel
    panel_membership_add(user=administrator, panel=other, role=PanelRole.ADMINISTRATOR, by=system)
    assert admin_client.get(status_url).status_code == 404
    assert admin_client.get(download).status_code == 404

    # Back as the panel's administrator, then demoted to member: out of reach again.
    back = panel_membership_add(
        user=administrator, panel=panel, role=PanelRole.ADMINISTRATOR, by=system
    )
    assert admin_client.get(download).status_code == 200
    panel_membership_remove(membership=back, by=system)
    panel_membership_add(user=administrator, panel=panel, role=PanelRole.MEMBER, by=system)
    assert admin_client.get(download).status_code == 404


@pytest.mark.django_db
def test_a_requester_whose_access_ends_before_the_worker_starts_gets_no_file(
    admin_client, administrator, cases, system, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "_ask_a_worker", lambda pk: None)
    _, export, _ = ask(admin_client, "", django_capture_on_commit_callbacks)
    user_deactivate(user=administrator, by=system)
    case_export_write(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "access to these cases ended" in export.problem
    assert not export.parts.exists()
    assert not AccessEventObject.objects.filter(event=export.access_event).exists()


@pytest.mark.django_db
def test_a_lost_task_is_asked_for_again_and_a_lost_worker_retried_then_failed(
    admin_client, cases, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    monkeypatch.setattr(exports, "_ask_a_worker", asked.append)  # the queue loses it
    _, export, status_url = ask(admin_client, "", django_capture_on_commit_callbacks)
    assert case_exports_sweep()["asked"] == 0  # not yet a minute
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert case_exports_sweep()["asked"] == 1
    assert asked == [export.pk, export.pk]

    for attempt in range(1, exports.MAX_ATTEMPTS + 1):
        assert exports._claim(export.pk).attempts == attempt  # a worker starts, then dies
        assert exports._claim(export.pk) is None  # nobody else takes it meanwhile
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            assert case_exports_sweep()["reset"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "The worker writing it stopped" in admin_client.get(status_url).content.decode()


@pytest.mark.django_db
def test_a_spreadsheet_expires_and_its_file_is_deleted(
    admin_client, administrator, cases, django_capture_on_commit_callbacks
):
    _, export, status_url = ask(admin_client, "", django_capture_on_commit_callbacks)
    download = f"/cases/exports/{export.pk}/download/"
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        admin_client.force_login(administrator)  # the session itself ended meanwhile
        assert admin_client.get(download).status_code == 200
        assert case_exports_sweep()["expired"] == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        admin_client.force_login(administrator)
        assert admin_client.get(download).status_code == 404  # before the sweep, too
        assert "has expired" in admin_client.get(status_url).content.decode()
        assert case_exports_sweep()["expired"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED
    assert not export.parts.exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # we mean to send it
def test_a_real_worker_on_redis_writes_the_spreadsheet(
    redis_client, admin_client, cases, monkeypatch
):
    from django.conf import settings

    from cdop.celery import app as celery_app
    from tests.core.test_background_jobs import start_worker, stop, wait_for

    monkeypatch.setattr(exports, "_ask_a_worker", lambda pk: None)
    redis_client.delete("celery")
    admin_client.post("/cases/exports/", {"query": ""})
    export = CaseExport.objects.get()
    database = connection.settings_dict["NAME"]
    worker = start_worker(
        {
            "DJANGO_SETTINGS_MODULE": "cdop.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": settings.REDIS_URL,
            "PATH": os.environ["PATH"],
        }
    )
    try:
        celery_app.send_task("cases.tasks.write_case_export", args=[export.pk])
        ready = wait_for(
            lambda: CaseExport.objects.filter(pk=export.pk, status=ExportStatus.READY).exists(),
            worker,
        )
    finally:
        output = stop(worker)
    assert ready, output
    response = admin_client.get(f"/cases/exports/{export.pk}/download/")
    assert rows_of(b"".join(response.streaming_content)) == 4
