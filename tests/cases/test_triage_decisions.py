"""Merging, "different children" and their undoing; transfers between panels."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases import services
from cases.models import CaseEvent, NotificationEvent, TriageStatus
from panels.services import panel_setup
from tests.cases.factories import make_case, make_notification
from tests.conftest import make_user, sign_in


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


@pytest.fixture
def other_panel(system):
    return panel_setup(
        code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system
    ).panel


@pytest.fixture
def other_administrator(other_panel, system):
    user = make_user("olly@example.org", by=system)
    panel_membership_add(user=user, panel=other_panel, role=PanelRole.ADMINISTRATOR, by=system)
    return user


def closed_case(panel, by):
    case = make_case(panel, by)
    services.case_mark_ready_for_panel(case=case, by=by)
    services.case_record_analysis(case=case, by=by, primary_category=5, modifiable="no")
    return services.case_close(case=case, review_date=date(2024, 9, 1), by=by)


@pytest.mark.django_db
def test_a_notification_cannot_join_a_closed_case(admin_client, panel, administrator):
    case = closed_case(panel, administrator)
    notification = make_notification(panel, administrator)
    response = admin_client.post(f"/notifications/{notification.pk}/merge/{case.pk}/", follow=True)
    assert f"{case.number} is closed: re-open it before adding a notification" in (
        response.content.decode()
    )
    notification.refresh_from_db()
    assert notification.triage_status == TriageStatus.NEW


@pytest.mark.django_db
def test_different_children_needs_two_notifications_of_one_panel(panel, other_panel, administrator):
    one = make_notification(panel, administrator)
    elsewhere = make_notification(other_panel, administrator, area=other_panel.areas.get())
    with pytest.raises(ValidationError, match="itself"):
        services.notification_mark_distinct(notification=one, other=one, by=administrator)
    with pytest.raises(ValidationError, match="same panel"):
        services.notification_mark_distinct(notification=one, other=elsewhere, by=administrator)
    assert not one.distinct_from.exists()


@pytest.mark.django_db
def test_a_wrong_merge_is_undone_with_a_reason_on_both_timelines(
    admin_client, panel, administrator
):
    case = make_case(panel, administrator)
    notification = make_notification(panel, administrator)
    services.notification_merge(notification=notification, case=case, by=administrator)
    response = admin_client.post(f"/notifications/{notification.pk}/unmerge/", {"reason": ""})
    notification.refresh_from_db()
    assert notification.triage_status == TriageStatus.MERGED  # no reason, nothing undone
    admin_client.post(
        f"/notifications/{notification.pk}/unmerge/", {"reason": "Different date of death"}
    )
    notification.refresh_from_db()
    assert (notification.triage_status, notification.case) == (TriageStatus.NEW, None)
    assert CaseEvent.objects.filter(
        case=case, kind="notification_separated", detail__contains="Different date of death"
    ).exists()
    page = admin_client.get(f"/notifications/{notification.pk}/").content.decode()
    assert "Merge undone" in page
    assert "Different date of death" in page
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_different_children_decision_is_undone_with_a_reason(admin_client, panel, administrator):
    one = make_notification(panel, administrator, nhs_number="4010232137")
    two = make_notification(panel, administrator, nhs_number="4010232137")
    services.notification_mark_distinct(notification=one, other=two, by=administrator)
    assert "Possible match" not in admin_client.get(f"/notifications/{one.pk}/").content.decode()
    admin_client.post(
        f"/notifications/{one.pk}/distinct/{two.pk}/undo/", {"reason": "Same mother, checked"}
    )
    assert not one.distinct_from.exists()
    assert "Possible match" in admin_client.get(f"/notifications/{one.pk}/").content.decode()
    for notification in (one, two):
        assert NotificationEvent.objects.filter(
            notification=notification, kind="distinct_undone", detail__contains="Same mother"
        ).exists()


@pytest.mark.django_db
def test_a_notification_moves_to_the_panel_that_accepts_it(
    client, panel, other_panel, administrator, other_administrator
):
    notification = make_notification(panel, administrator, family_name="Traveller")
    sign_in(client, administrator)
    response = client.post(
        f"/notifications/{notification.pk}/offer/",
        {"to_panel": other_panel.pk, "reason": "The family lives in Milton Keynes"},
    )
    transfer = notification.transfers.get()
    assert response["Location"] == f"/transfers/{transfer.pk}/"
    assert client.post(f"/notifications/{notification.pk}/open-case/").status_code == 302
    notification.refresh_from_db()
    assert notification.triage_status == TriageStatus.NEW  # offered: not opened here

    other = type(client)()
    sign_in(other, other_administrator)
    assert "Notification " + notification.reference in other.get("/notifications/").content.decode()
    assert other.get(f"/notifications/{notification.pk}/").status_code == 404  # not yet theirs
    other.post(
        f"/transfers/{transfer.pk}/accept/",
        {"area": other_panel.areas.get().pk, "reason": "Confirmed with the GP"},
    )
    notification.refresh_from_db()
    assert notification.panel == other_panel
    assert other.get(f"/notifications/{notification.pk}/").status_code == 200
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    kinds = list(notification.events.values_list("kind", "detail"))
    assert (
        "transfer_offered",
        "Offered to Milton Keynes CDOP: The family lives in Milton Keynes",
    ) in kinds
    assert ("transferred", "Accepted by Milton Keynes CDOP: Confirmed with the GP") in kinds


@pytest.mark.django_db
def test_a_case_moves_with_its_notifications_and_access_follows(
    client, panel, other_panel, administrator, other_administrator
):
    case = make_case(panel, administrator)
    transfer = services.transfer_offer(
        case=case, to_panel=other_panel, reason="Lived in MK", by=administrator
    )
    sign_in(client, other_administrator)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    wrong_area = panel.areas.first()
    with pytest.raises(ValidationError, match="Choose an area of Milton Keynes CDOP"):
        services.transfer_accept(
            transfer=transfer, area=wrong_area, reason="ok", by=other_administrator
        )
    services.transfer_accept(
        transfer=transfer, area=other_panel.areas.get(), reason="ok", by=other_administrator
    )
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    case.refresh_from_db()
    assert case.notifications.get().panel == other_panel
    assert list(case.events.values_list("kind", flat=True))[-2:] == [
        "transfer_offered",
        "transferred",
    ]


@pytest.mark.django_db
def test_only_the_receiving_panel_decides_and_a_declined_offer_stays_put(
    client, panel, other_panel, administrator, other_administrator
):
    notification = make_notification(panel, administrator)
    transfer = services.transfer_offer(
        notification=notification, to_panel=other_panel, reason="MK", by=administrator
    )
    sign_in(client, administrator)
    assert client.post(f"/transfers/{transfer.pk}/accept/", {}).status_code == 403
    services.transfer_decline(transfer=transfer, reason="Not our area", by=other_administrator)
    notification.refresh_from_db()
    assert notification.panel == panel
    assert notification.events.filter(kind="transfer_declined").exists()
    with pytest.raises(ValidationError):
        services.transfer_accept(
            transfer=transfer, area=other_panel.areas.get(), reason="x", by=other_administrator
        )
