"""With Redis down the service degrades but works; the robot trap keeps what it catches."""

import pytest
from django.test import Client

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.models import Notification, TriageStatus
from core.models import OutboxEmail
from tests.cases.factories import make_case, notification_fields, post_notification
from tests.conftest import PASSWORD, enrol_two_factor, make_user, sign_in, totp_code


def form_post(panel, **changes) -> dict:
    dates = {"date_of_birth": "1 2 2020", "date_of_death": "4 3 2024", "notified_on": "5 3 2024"}
    post = {k: getattr(v, "pk", v) for k, v in notification_fields(panel).items() if k not in dates}
    for name, value in dates.items():
        for part, number in enumerate(value.split()):
            post[f"{name}_{part}"] = number
    post.update(
        notifier_email="nina@example.org", notifier_phone="01234 567890", notifier_role="Nurse"
    )
    post.update(changes)
    return post


@pytest.mark.django_db
def test_with_redis_down_an_administrator_signs_in_again_and_records_a_notification(
    panel, administrator, redis_down
):
    enrol_two_factor(administrator)
    client = Client()
    response = client.post("/accounts/login/", {"login": administrator.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": totp_code()})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    post = form_post(panel)
    post.pop("notifier_role")
    _, response = post_notification(client, "/notifications/new/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Notification.objects.filter(panel=panel, family_name="Example").exists()


@pytest.mark.django_db
def test_the_robot_trap_is_hidden_from_everyone_and_keeps_what_it_catches(
    client, panel, administrator
):
    page = client.get(f"/notify/{panel.code}/notifier/").content.decode()
    trap = page[page.index("<div hidden") : page.index("</div>", page.index("<div hidden"))]
    assert 'aria-hidden="true"' in trap
    assert 'tabindex="-1"' in trap
    _, response = post_notification(
        client, f"/notify/{panel.code}/", form_post(panel, website="http://spam")
    )
    assert response.status_code == 302  # it looks the same to the robot
    caught = Notification.objects.get()
    assert caught.triage_status == TriageStatus.HELD
    assert not OutboxEmail.objects.exists()  # nobody is emailed about it

    sign_in(client, administrator)
    triage = client.get("/notifications/").content.decode()
    assert "Held for review" in triage
    assert caught.reference in triage
    client.post(f"/notifications/{caught.pk}/release/")
    caught.refresh_from_db()
    assert caught.triage_status == TriageStatus.NEW
    assert [e.kind for e in caught.events.all()] == ["received", "held", "released"]


@pytest.mark.django_db
def test_a_pause_reason_that_is_too_long_is_refused_with_a_message(client, panel, administrator):
    case = make_case(panel, administrator)
    sign_in(client, administrator)
    response = client.post(f"/cases/{case.pk}/pause/", {"reason": "x" * 301}, follow=True)
    assert response.status_code == 200
    assert "The reason must be 300 characters or fewer" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "notified"


@pytest.mark.django_db
def test_a_role_that_sees_cases_is_news_to_the_panels_other_administrators(
    panel, administrator, system
):
    colleague = make_user("carol@example.org", by=system)
    panel_membership_add(user=colleague, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
    before = set(OutboxEmail.objects.values_list("pk", flat=True))
    newcomer = make_user("dan@example.org", by=system)
    panel_membership_add(user=newcomer, panel=panel, role=PanelRole.MEMBER, by=administrator)
    told = OutboxEmail.objects.exclude(pk__in=before)
    # Only the other administrator: not the one who gave it, nor the one who got it.
    assert list(told.values_list("kind", "to")) == [("role_granted", colleague.email)]
    assert "Dan" in told.get().body
    panel_membership_add(user=make_user("eve@example.org", by=system), panel=panel,
                         role=PanelRole.MANAGER, by=administrator)  # fmt: skip
    assert OutboxEmail.objects.exclude(pk__in=before).count() == 1  # aggregates only: no news
