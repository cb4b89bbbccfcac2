"""The access log records reads of case data and cannot be rewritten."""

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.test import RequestFactory

from accounts.access_log import record_access
from accounts.models import User
from core.models import AccessAction, AccessEvent
from panels.models import Panel


@pytest.fixture
def event(administrator, panel):
    request = RequestFactory().get("/cases/1/", REMOTE_ADDR="192.0.2.7")
    request.user = administrator
    request.id = "req-12345678"
    return record_access(request, action=AccessAction.VIEW, model=Panel, object_id=panel.pk)


@pytest.mark.django_db
def test_it_records_who_saw_what_from_where(event, administrator, panel):
    assert event.user == administrator
    assert event.roles == "administrator@BEDS"
    assert event.object_type.model == "panel"
    assert event.object_id == str(panel.pk)
    assert event.ip_address == "192.0.2.7"
    assert event.request_id == "req-12345678"
    assert event.path == "/cases/1/"


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_entry(event):
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action="list")


@pytest.mark.django_db
def test_the_database_refuses_to_delete_an_entry(event):
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_a_user_with_entries_cannot_be_deleted(event, administrator):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        User.objects.get(pk=administrator.pk).delete()


@pytest.mark.django_db
def test_the_system_administrator_cannot_read_the_log_in_the_admin(client, event):
    from accounts.services import user_create
    from core.history import system_user
    from tests.conftest import sign_in

    sysadmin = user_create(
        email="sys@example.org", full_name="Sys", is_staff=True, by=system_user()
    )
    sign_in(client, sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/core/accessevent/").status_code == 404
    assert client.get(f"/admin/core/accessevent/{event.pk}/change/").status_code == 404
    assert "accessevent" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_it_keeps_the_path_but_never_the_search_terms(client, administrator, panel):
    from tests.cases.factories import make_case
    from tests.conftest import sign_in

    make_case(panel, administrator, family_name="Smith", nhs_number="4010232137")
    sign_in(client, administrator)
    client.get("/cases/?q=401+023+2137&state=notified")
    client.get("/cases/?q=Smith")
    searches = list(AccessEvent.objects.filter(action="list").order_by("pk"))
    assert [e.path for e in searches] == ["/cases/", "/cases/"]
    assert searches[0].detail == "search by NHS number; filters: state"
    assert searches[1].detail == "search by name or reference"
    stored = " ".join(f"{e.path} {e.detail}" for e in AccessEvent.objects.all())
    assert "Smith" not in stored
    assert "2137" not in stored
