"""Every write records who made it: web requests, commands and background jobs alike."""

import pytest

from core.history import acting_as, system_user
from panels.models import Panel
from tests.conftest import sign_in


@pytest.mark.django_db
def test_it_records_the_signed_in_user_for_a_change_made_through_the_web(client, panel):
    from accounts.services import user_create

    staff = user_create(
        email="sys@example.org",
        full_name="Sys Admin",
        password="x" * 16,
        is_staff=True,
        by=system_user(),
    )
    staff.is_superuser = True
    staff.save()
    sign_in(client, staff)
    response = client.post(
        f"/admin/panels/panel/{panel.pk}/change/",
        {
            "code": "BEDS",
            "name": "Bedfordshire and Luton CDOP",
            "form_due_working_days": "20",
            "areas-TOTAL_FORMS": "0",
            "areas-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Panel.history.filter(id=panel.pk).latest("history_date")
    assert latest.name == "Bedfordshire and Luton CDOP"
    assert latest.history_user == staff


@pytest.mark.django_db
def test_it_records_the_actor_given_to_acting_as(panel):
    person = system_user()
    with acting_as(person):
        panel.name = "Renamed"
        panel.save()
    assert Panel.history.filter(id=panel.pk).latest("history_date").history_user == person


@pytest.mark.django_db
def test_acting_as_restores_the_previous_actor(panel):
    from simple_history.models import HistoricalRecords

    with acting_as(system_user()):
        pass
    assert getattr(HistoricalRecords.context, "request", None) is None
