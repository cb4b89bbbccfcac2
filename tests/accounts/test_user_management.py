"""Administrators invite and manage the people of their own panel and its agencies."""

import re

import pytest
from django.core import mail

from accounts.models import AgencyMembership, PanelMembership, PanelRole, User
from accounts.services import panel_membership_add, user_create
from core.history import system_user
from panels.services import panel_setup
from tests.conftest import PASSWORD, sign_in


@pytest.fixture
def other_panel(system):
    return panel_setup(
        code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system
    ).panel


@pytest.fixture
def other_panels_chair(other_panel, system):
    user = user_create(
        email="olly@example.org", full_name="Olly Other", password=PASSWORD, by=system
    )
    panel_membership_add(user=user, panel=other_panel, role=PanelRole.CHAIR, by=system)
    return user


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


def invite(client, **data):
    return client.post("/manage/users/invite/", data)


@pytest.mark.django_db
def test_it_invites_a_user_by_email_with_a_one_time_link(
    admin_client, panel, agency_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            admin_client,
            full_name="Dana Doctor",
            email="Dana@Example.org",
            job_title="Paediatrician",
            role=f"agency:{agency_a.pk}:lead",
        )
    dana = User.objects.get(email="dana@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/users/{dana.pk}/"
    assert not dana.has_usable_password()
    assert AgencyMembership.objects.get(user=dana).role == "lead"

    [email] = mail.outbox
    assert email.to == ["dana@example.org"]
    link = re.search(r"https?://\S+", email.body).group(0)
    path = link.split("127.0.0.1:8000")[-1]

    response = admin_client.get(path, follow=True)  # the link opens the set-password page
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = admin_client.post(
        form_url,
        {"password1": "a brand new long password", "password2": "a brand new long password"},
    )
    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.check_password("a brand new long password")

    # The link works once.
    response = admin_client.get(path, follow=True)
    assert "password1" not in response.content.decode()


@pytest.mark.django_db
def test_it_keeps_what_was_typed_when_the_invitation_has_errors(admin_client, panel):
    response = invite(admin_client, full_name="Dana Doctor", email="not-an-email", role="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter an email address in the correct format" in html
    assert "Select a role" in html
    assert 'value="Dana Doctor"' in html
    assert not User.objects.filter(full_name="Dana Doctor").exists()


@pytest.mark.django_db
def test_it_refuses_to_invite_an_existing_address(admin_client, panel, agency_a_user):
    response = invite(
        admin_client,
        full_name="Bob Again",
        email="BOB@example.org",
        role=f"panel:{panel.pk}:member",
    )
    assert "A user with this email address already exists" in response.content.decode()


@pytest.mark.django_db
def test_it_offers_only_roles_in_the_administrators_own_panel_and_agencies(
    admin_client, panel, other_panel, agency_a
):
    response = invite(
        admin_client,
        full_name="Eve",
        email="eve@example.org",
        role=f"panel:{other_panel.pk}:administrator",
    )
    assert "Select a role" in response.content.decode()
    assert not User.objects.filter(email="eve@example.org").exists()
    page = admin_client.get("/manage/users/invite/").content.decode()
    assert f"panel:{panel.pk}:administrator" in page
    assert f"agency:{agency_a.pk}:user" in page
    assert "Milton Keynes" not in page


@pytest.mark.django_db
def test_it_lists_exactly_the_people_of_the_administrators_panel_and_agencies(
    admin_client, administrator, agency_a_user, other_panels_chair
):
    response = admin_client.get("/manage/users/")
    listed = set(response.context["users"].values_list("email", flat=True))
    assert listed == {"alice@example.org", "bob@example.org"}
    assert admin_client.get(f"/manage/users/{other_panels_chair.pk}/").status_code == 404


@pytest.mark.django_db
def test_its_user_list_does_a_fixed_number_of_queries(
    admin_client, panel, agency_a, django_assert_max_num_queries, system
):
    from accounts.services import agency_membership_add

    def add_people(count: int, start: int) -> None:
        for n in range(start, start + count):
            user = user_create(email=f"p{n}@example.org", full_name=f"Person {n}", by=system)
            agency_membership_add(user=user, agency=agency_a, role="user", by=system)

    add_people(1, 0)
    with django_assert_max_num_queries(20) as one:
        admin_client.get("/manage/users/?show=all")
    add_people(49, 1)
    with django_assert_max_num_queries(20) as fifty:
        admin_client.get("/manage/users/?show=all")
    assert len(fifty.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_a_deactivated_user_cannot_sign_in_and_the_change_is_in_the_history(
    admin_client, administrator, agency_a_user
):
    response = admin_client.post(f"/manage/users/{agency_a_user.pk}/deactivate/")
    assert response.status_code == 302
    agency_a_user.refresh_from_db()
    assert not agency_a_user.is_active
    page = admin_client.get(f"/manage/users/{agency_a_user.pk}/").content.decode()
    assert "Deactivated: cannot sign in" in page
    assert administrator.full_name in page  # the history says who did it

    from django.test import Client

    other = Client()
    other.post("/accounts/login/", {"login": "bob@example.org", "password": PASSWORD})
    assert other.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_administrator_cannot_deactivate_themself(admin_client, administrator):
    admin_client.post(f"/manage/users/{administrator.pk}/deactivate/")
    administrator.refresh_from_db()
    assert administrator.is_active


@pytest.mark.django_db
def test_it_adds_and_removes_roles_and_the_role_is_the_membership(
    admin_client, panel, agency_a_user
):
    from accounts.permissions import panels_where

    admin_client.post(
        f"/manage/users/{agency_a_user.pk}/roles/add/", {"role": f"panel:{panel.pk}:member"}
    )
    membership = PanelMembership.objects.get(user=agency_a_user, panel=panel)
    assert list(panels_where(agency_a_user, "member")) == [panel]
    assert not agency_a_user.groups.exists()  # nothing copied into groups
    admin_client.post(f"/manage/users/{agency_a_user.pk}/roles/panel/{membership.pk}/remove/")
    assert not PanelMembership.objects.filter(user=agency_a_user, panel=panel).exists()
    assert not panels_where(agency_a_user, "member").exists()
    history = [h.history_type for h in PanelMembership.history.filter(user_id=agency_a_user.pk)]
    assert sorted(history) == ["+", "-"]


@pytest.mark.django_db
def test_it_ignores_ownership_fields_slipped_into_a_form(admin_client, panel, agency_a_user):
    admin_client.post(
        f"/manage/users/{agency_a_user.pk}/roles/add/",
        {"role": f"panel:{panel.pk}:member", "is_staff": "on", "is_superuser": "on"},
    )
    agency_a_user.refresh_from_db()
    assert not agency_a_user.is_staff
    assert not agency_a_user.is_superuser


@pytest.mark.django_db
def test_an_administrator_adds_an_agency_serving_their_panel(admin_client, panel, other_panel):
    response = admin_client.post(
        "/manage/agencies/new/",
        {
            "name": "Luton Borough Council",
            "agency_type": "social_care",
            "email": "",
            "panels": [panel.pk, other_panel.pk],
        },
    )
    # Another panel is not theirs to choose: the form says so and saves nothing.
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = admin_client.post(
        "/manage/agencies/new/",
        {
            "name": "Luton Borough Council",
            "agency_type": "social_care",
            "email": "",
            "panels": [panel.pk],
        },
    )
    assert response.status_code == 302
    from accounts.models import Agency

    agency = Agency.objects.get(name="Luton Borough Council")
    assert list(agency.panels.all()) == [panel]
    assert agency.history.first().history_user.email == "alice@example.org"


def test_system_user_is_never_listed(db, admin_client):
    system_user()
    assert "system@cdop.invalid" not in admin_client.get("/manage/users/?show=all").content.decode()
