"""The administrator asks agencies for reporting forms from the case (issue 10, item 1)."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add
from agency_forms.models import FormKind, FormRequest, RequestStatus
from cases.models import CaseState
from core.models import OutboxEmail
from tests.cases.factories import make_case
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(panel, system):
    police = agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )
    trust = agency_create(
        name="Luton and Dunstable Hospital",
        agency_type=AgencyType.ACUTE_TRUST,
        panels=[panel],
        by=system,
    )
    for n, agency in enumerate([police, police, trust]):
        member = make_user(f"member{n}@example.org", by=system)
        agency_membership_add(user=member, agency=agency, role=AgencyRole.USER, by=system)
    return police, trust


@pytest.fixture
def case(panel, administrator):
    return make_case(panel, administrator, family_name="Zephyr", given_names="Ada")


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


URL = "/cases/{}/forms/ask/"


@time_machine.travel(date(2025, 12, 15), tick=False)
def test_it_asks_each_agency_for_the_forms_due_in_fifteen_working_days(
    admin_client, case, agencies, django_capture_on_commit_callbacks
):
    police, trust = agencies
    page = admin_client.get(URL.format(case.pk)).content.decode()
    assert "Bedfordshire Police" in page
    assert "Sudden unexpected death in infancy (SUDI)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            URL.format(case.pk), {"agencies": [police.pk, trust.pk], "supplementary": ["sudi"]}
        )
    assert response.status_code == 302
    requests = FormRequest.objects.filter(case=case)
    assert sorted(requests.values_list("agency__name", "kind")) == [
        ("Bedfordshire Police", "core"),
        ("Bedfordshire Police", "sudi"),
        ("Luton and Dunstable Hospital", "core"),
        ("Luton and Dunstable Hospital", "sudi"),
    ]
    # 15 working days from Monday 15 December 2025, past Christmas, Boxing Day and New Year.
    assert set(requests.values_list("due_on", flat=True)) == {date(2026, 1, 8)}
    assert {r.definition.version for r in requests} == {1}
    case.refresh_from_db()
    assert case.state == CaseState.INFORMATION_GATHERING  # the first request starts it
    emails = OutboxEmail.objects.filter(kind="form_requested")
    assert emails.count() == 2 * 2 + 1 * 2  # each member, each form
    assert all("Zephyr" not in e.body and "Ada" not in e.body for e in emails)  # no child
    page = admin_client.get(f"/cases/{case.pk}/").content.decode()
    assert page.count('<td class="govuk-table__cell">Bedfordshire Police</td>') == 2
    assert "15 working days left" in page


def test_asking_again_skips_what_is_open_and_the_database_refuses_a_second(
    admin_client, case, agencies, administrator
):
    police, trust = agencies
    admin_client.post(URL.format(case.pk), {"agencies": [police.pk]})
    response = admin_client.post(URL.format(case.pk), {"agencies": [police.pk]})
    assert "already been asked" in response.content.decode()
    assert FormRequest.objects.filter(case=case).count() == 1
    admin_client.post(URL.format(case.pk), {"agencies": [police.pk, trust.pk]})
    assert FormRequest.objects.filter(case=case).count() == 2  # only the trust was new
    first = FormRequest.objects.get(case=case, agency=police)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormRequest.objects.create(
            case=case,
            agency=police,
            kind=FormKind.CORE,
            definition=first.definition,
            requested_by=administrator,
            sent_on=first.sent_on,
            due_on=first.due_on,
        )
    first.status = RequestStatus.WAIVED
    first.save()
    admin_client.post(URL.format(case.pk), {"agencies": [police.pk]})  # a waiver leaves room
    assert FormRequest.objects.filter(case=case, agency=police).count() == 2


def test_no_agency_chosen_is_a_clear_error_and_saves_nothing(admin_client, case, agencies):
    response = admin_client.post(URL.format(case.pk), {"supplementary": ["asthma"]})
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Select at least one agency" in page
    assert not FormRequest.objects.exists()


def test_only_the_panels_agencies_can_be_asked(admin_client, case, agencies, system):
    elsewhere = agency_create(
        name="Elsewhere Police", agency_type=AgencyType.POLICE, panels=[], by=system
    )
    assert "Elsewhere Police" not in admin_client.get(URL.format(case.pk)).content.decode()
    response = admin_client.post(URL.format(case.pk), {"agencies": [elsewhere.pk]})
    assert "Select a valid choice" in response.content.decode()
    assert not FormRequest.objects.exists()


def test_a_closed_case_asks_nothing(admin_client, case, agencies, administrator):
    from django.core.exceptions import ValidationError

    from agency_forms.services import form_requests_send

    case.state = CaseState.CLOSED
    case.save()
    with pytest.raises(ValidationError, match="closed case"):
        form_requests_send(case=case, agencies=[agencies[0]], supplementary=[], by=administrator)


def _asked(client, case, agencies):
    client.post(URL.format(case.pk), {"agencies": [a.pk for a in agencies]})
    return list(FormRequest.objects.filter(case=case).order_by("agency__name"))


def test_waiving_every_request_makes_the_case_ready_for_panel(admin_client, case, agencies):
    police, trust = _asked(admin_client, case, agencies)
    change = "/forms/requests/{}/change/"
    assert "Change" in admin_client.get(f"/cases/{case.pk}/").content.decode()
    response = admin_client.post(change.format(police.pk), {"action": "waive", "reason": ""})
    assert "Enter the reason" in response.content.decode()  # nothing changed
    police.refresh_from_db()
    assert police.status == RequestStatus.REQUESTED

    admin_client.post(change.format(police.pk), {"action": "waive", "reason": "No contact"})
    case.refresh_from_db()
    assert case.state == CaseState.INFORMATION_GATHERING  # the trust's form is still out
    admin_client.post(change.format(trust.pk), {"action": "waive", "reason": "Not involved"})
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    page = admin_client.get(f"/cases/{case.pk}/").content.decode()
    assert "Not involved" in page
    response = admin_client.post(change.format(trust.pk), {"action": "cancel", "reason": "x"})
    assert "A waived request cannot be cancelled" in response.content.decode()


def test_more_time_moves_the_due_date_on_and_refuses_an_earlier_one(admin_client, case, agencies):
    [police] = _asked(admin_client, case, agencies[:1])
    change = f"/forms/requests/{police.pk}/change/"
    earlier = police.due_on
    response = admin_client.post(change, {"action": "extend", "reason": "Asked for time"})
    assert "Enter the new due date" in response.content.decode()
    later = date.fromordinal(police.due_on.toordinal() + 10)
    response = admin_client.post(
        change,
        {
            "action": "extend",
            "reason": "Asked for time",
            "due_on_0": earlier.day,
            "due_on_1": earlier.month,
            "due_on_2": earlier.year,
        },
    )
    assert "must be after the current one" in response.content.decode()
    admin_client.post(
        change,
        {
            "action": "extend",
            "reason": "Asked for time",
            "due_on_0": later.day,
            "due_on_1": later.month,
            "due_on_2": later.year,
        },
    )
    police.refresh_from_db()
    assert (police.due_on, police.reason) == (later, "Asked for time")


def test_cancelling_leaves_room_to_ask_again_and_another_panel_cannot_change_it(
    admin_client, case, agencies, client, system
):
    from django.test import Client

    from accounts.models import PanelRole
    from accounts.services import panel_membership_add
    from panels.services import panel_setup

    [police] = _asked(admin_client, case, agencies[:1])
    other = panel_setup(code="MK", name="Milton Keynes CDOP", areas=["MK"], by=system).panel
    outsider = make_user("olly@example.org", by=system)
    panel_membership_add(user=outsider, panel=other, role=PanelRole.ADMINISTRATOR, by=system)
    theirs = Client()
    sign_in(theirs, outsider)
    change = f"/forms/requests/{police.pk}/change/"
    assert theirs.post(change, {"action": "cancel", "reason": "x"}).status_code == 404
    admin_client.post(change, {"action": "cancel", "reason": "Wrong agency"})
    police.refresh_from_db()
    assert police.status == RequestStatus.CANCELLED
    case.refresh_from_db()
    assert case.state == CaseState.INFORMATION_GATHERING  # nothing counted is left in
    _asked(admin_client, case, agencies[:1])
    assert FormRequest.objects.filter(case=case, status=RequestStatus.REQUESTED).count() == 1


def test_the_agencies_the_notification_names_are_offered_first_and_chosen(
    admin_client, panel, administrator, agencies
):
    _, trust = agencies
    # The hospital comes second by name; named on the notification, it comes first.
    case = make_case(panel, administrator, involved_agencies=[trust.pk])
    page = admin_client.get(URL.format(case.pk)).content.decode()
    assert "Luton and Dunstable Hospital (named on the notification)" in page
    assert page.index("Luton and Dunstable Hospital") < page.index("Bedfordshire Police")
    box = page.index(f'value="{trust.pk}"')
    trust_box = page[box : page.index(">", box)]
    assert "checked" in trust_box


def test_the_notification_form_offers_the_panels_agencies_and_keeps_others_as_text(
    admin_client, panel, agencies
):
    from tests.cases.factories import post_notification
    from tests.cases.test_redis_down_and_robots import form_post

    police, _ = agencies
    data = form_post(panel, involved_agencies=[police.pk], agencies_involved="Luton Sixth Form")
    _, response = post_notification(admin_client, "/notifications/new/", data)
    assert response.status_code == 302
    from cases.models import Notification

    notification = Notification.objects.get(family_name=data["family_name"])
    assert notification.involved_agencies == [police.pk]
    assert notification.agencies_involved == "Luton Sixth Form"
    page = admin_client.get(f"/notifications/{notification.pk}/").content.decode()
    assert "Bedfordshire Police" in page
