"""Dated notes on a case's timeline: changeable by their author for an hour, then fixed."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.models import CaseNote
from tests.cases.factories import make_case
from tests.conftest import make_user, sign_in

NOTE = {
    "kind": "call",
    "occurred_on_0": "4",
    "occurred_on_1": "3",
    "occurred_on_2": "2024",
    "text": "Coroner's officer: inquest opened",
}


@pytest.mark.django_db
def test_an_administrator_adds_a_note_and_may_change_it_for_an_hour(client, panel, administrator):
    case = make_case(panel, administrator)
    sign_in(client, administrator)
    response = client.post(f"/cases/{case.pk}/notes/new/", NOTE)
    assert response.status_code == 302
    note = CaseNote.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Note: phone call, 4 Mar 2024" in page
    assert "Coroner&#x27;s officer: inquest opened" in page
    edit = f"/cases/{case.pk}/notes/{note.pk}/edit/"
    assert edit in page
    client.post(edit, {**NOTE, "text": "Coroner's officer: inquest opened and adjourned"})
    note.refresh_from_db()
    assert note.text.endswith("and adjourned")
    assert [h.text for h in note.history.order_by("history_date")] == [
        "Coroner's officer: inquest opened",
        "Coroner's officer: inquest opened and adjourned",
    ]
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        client.force_login(administrator)  # the session of an hour ago has timed out
        assert edit not in client.get(f"/cases/{case.pk}/").content.decode()
        assert client.post(edit, {**NOTE, "text": "rewritten"}).status_code == 403
    note.refresh_from_db()
    assert note.text.endswith("and adjourned")


@pytest.mark.django_db
def test_only_the_author_changes_a_note(client, panel, administrator, system):
    colleague = make_user("carol@example.org", by=system)
    panel_membership_add(user=colleague, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
    case = make_case(panel, administrator)
    sign_in(client, administrator)
    client.post(f"/cases/{case.pk}/notes/new/", NOTE)
    note = CaseNote.objects.get()
    sign_in(client, colleague)
    assert client.get(f"/cases/{case.pk}/notes/{note.pk}/edit/").status_code == 403


@pytest.mark.django_db
def test_a_note_needs_its_text_and_a_date_not_in_the_future(client, panel, administrator):
    case = make_case(panel, administrator)
    sign_in(client, administrator)
    response = client.post(
        f"/cases/{case.pk}/notes/new/", {**NOTE, "text": " ", "occurred_on_2": "2999"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert not CaseNote.objects.exists()
