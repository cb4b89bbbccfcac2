"""Access follows the roles as they are now, by whatever path they changed (issue 7's faults)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import PanelMembership, PanelRole
from accounts.services import (
    panel_membership_add,
    panel_membership_remove,
    user_create,
    user_deactivate,
)
from cases.models import Case
from panels.services import panel_setup
from tests.cases.factories import make_case
from tests.conftest import PASSWORD, make_user, sign_in


@pytest.fixture
def other_panel(system):
    return panel_setup(
        code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system
    ).panel


@pytest.fixture
def two_cases(panel, other_panel, system):
    return (
        make_case(panel, system, family_name="Bedsford"),
        make_case(other_panel, system, family_name="Keynes", area=other_panel.areas.get()),
    )


def reachable(client, case: Case) -> dict[str, int]:
    return {
        "detail": client.get(f"/cases/{case.pk}/").status_code,
        "edit": client.get(f"/cases/{case.pk}/details/").status_code,
        "move on": client.post(f"/cases/{case.pk}/gather/").status_code,
    }


def listed(client) -> set[str]:
    html = (
        client.get("/cases/").content.decode() if client.get("/cases/").status_code == 200 else ""
    )
    return {name for name in ("BEDSFORD", "KEYNES") if name in html.upper()}


SEES = {"detail": 200, "edit": 200, "move on": 302}
HIDDEN = {"detail": 404, "edit": 404, "move on": 404}


@pytest.mark.django_db
def test_an_administrator_moved_to_another_panel_sees_only_the_new_panels_cases(
    client, administrator, panel, other_panel, two_cases, system
):
    beds_case, mk_case = two_cases
    sign_in(client, administrator)
    assert reachable(client, beds_case) == SEES
    assert listed(client) == {"BEDSFORD"}
    # Moved as any path would move them: here the row itself changes, as in a database console.
    PanelMembership.objects.filter(user=administrator).update(panel=other_panel)
    assert reachable(client, beds_case) == HIDDEN
    assert reachable(client, mk_case) == SEES
    assert listed(client) == {"KEYNES"}
    export = b"".join(client.get("/cases/export.csv").streaming_content).decode()
    assert "Keynes" in export
    assert "Bedsford" not in export


@pytest.mark.django_db
def test_a_demoted_administrator_loses_the_cases_on_the_next_request(
    client, administrator, panel, two_cases, system
):
    beds_case, _ = two_cases
    sign_in(client, administrator)
    assert reachable(client, beds_case) == SEES
    membership = administrator.panel_memberships.get()
    granter = make_user("grace@example.org", by=system)
    panel_membership_remove(membership=membership, by=granter)
    panel_membership_add(user=administrator, panel=panel, role=PanelRole.MEMBER, by=granter)
    assert reachable(client, beds_case) == HIDDEN
    assert client.get("/cases/").status_code == 404
    assert client.get(f"/cases/?q={beds_case.nhs_number}").status_code == 404


@pytest.mark.django_db
def test_an_administrator_whose_roles_are_all_deleted_sees_nothing(
    client, administrator, two_cases
):
    beds_case, _ = two_cases
    sign_in(client, administrator)
    PanelMembership.objects.filter(user=administrator).delete()
    assert reachable(client, beds_case) == HIDDEN
    assert client.get("/notifications/").status_code == 404


@pytest.mark.django_db
def test_a_deactivated_administrator_is_signed_out_and_sees_nothing(
    client, administrator, two_cases, system
):
    beds_case, _ = two_cases
    sign_in(client, administrator)
    user_deactivate(user=administrator, by=make_user("grace@example.org", by=system))
    assert client.get(f"/cases/{beds_case.pk}/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_panel_is_found_by_its_id_not_its_code(client, administrator, panel, two_cases):
    """Renaming a code (in the database, since nothing offers it) neither cuts the panel's
    administrators off nor hands its cases to a new panel given the old code."""
    beds_case, _ = two_cases
    sign_in(client, administrator)
    type(panel).objects.filter(pk=panel.pk).update(code="BEDS2")
    newcomer = panel_setup(code="BEDS", name="A new panel", areas=["Elsewhere"], by=administrator)
    newcomers_admin = make_user("nora@example.org", by=administrator)
    panel_membership_add(
        user=newcomers_admin, panel=newcomer.panel, role=PanelRole.ADMINISTRATOR, by=administrator
    )
    assert reachable(client, beds_case) == SEES
    other = type(client)()
    sign_in(other, newcomers_admin)
    assert other.get(f"/cases/{beds_case.pk}/").status_code == 404
    assert "Bedsford".upper() not in other.get("/cases/").content.decode().upper()


@pytest.mark.django_db
def test_the_django_admin_keeps_the_panel_code_fixed(client, panel, system):
    sysadmin = user_create(email="sys@example.org", full_name="Sys", is_staff=True, by=system)
    sign_in(client, sysadmin)
    response = client.post(
        f"/admin/panels/panel/{panel.pk}/change/",
        {
            "code": "HACKED",
            "name": "Renamed panel",
            "form_due_working_days": "10",
            "areas-TOTAL_FORMS": "0",
            "areas-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    panel.refresh_from_db()
    assert (panel.code, panel.name, panel.form_due_working_days) == ("BEDS", "Renamed panel", 10)
    assert panel.history.first().history_user == sysadmin


@pytest.mark.django_db
def test_the_django_admin_cannot_change_roles(client, administrator, panel, other_panel, system):
    sysadmin = user_create(email="sys@example.org", full_name="Sys", is_staff=True, by=system)
    sign_in(client, sysadmin)
    membership = administrator.panel_memberships.get()
    page = client.get(f"/admin/accounts/user/{administrator.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/accounts/user/{administrator.pk}/change/",
        {
            "full_name": "Alice Renamed",
            "job_title": "Coordinator",
            "panel_memberships-TOTAL_FORMS": "1",
            "panel_memberships-INITIAL_FORMS": "1",
            "panel_memberships-0-id": str(membership.pk),
            "panel_memberships-0-user": str(administrator.pk),
            "panel_memberships-0-panel": str(other_panel.pk),
            "panel_memberships-0-role": "administrator",
            "agency_memberships-TOTAL_FORMS": "0",
            "agency_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.full_name == "Alice Renamed"  # through the user service
    assert list(administrator.panel_memberships.values_list("panel", flat=True)) == [panel.pk]
    assert client.post(f"/admin/accounts/panelmembership/{membership.pk}/delete/").status_code in {
        403,
        404,
    }
    assert administrator.panel_memberships.exists()


@pytest.mark.django_db
def test_nobody_grants_a_role_to_themselves(client, administrator, panel):
    sign_in(client, administrator)
    response = client.post(
        f"/manage/users/{administrator.pk}/roles/add/", {"role": f"panel:{panel.pk}:chair"}
    )
    assert response.status_code == 400
    assert "You cannot give a role to yourself" in response.content.decode()
    assert not administrator.panel_memberships.filter(role="chair").exists()


@pytest.mark.django_db
def test_a_system_administrator_cannot_hold_a_role_that_sees_cases(
    client, panel, two_cases, system
):
    sysadmin = user_create(
        email="sys@example.org", full_name="Sys", password=PASSWORD, is_staff=True, by=system
    )
    sign_in(client, sysadmin)
    response = client.post(
        f"/manage/users/{sysadmin.pk}/roles/add/", {"role": f"panel:{panel.pk}:administrator"}
    )
    assert response.status_code == 400
    other = make_user("grace@example.org", by=system)
    with pytest.raises(ValidationError, match="does not hold panel or agency roles"):
        panel_membership_add(user=sysadmin, panel=panel, role=PanelRole.ADMINISTRATOR, by=other)
    # Even a row put there by hand gives no case content.
    PanelMembership.objects.create(user=sysadmin, panel=panel, role=PanelRole.ADMINISTRATOR)
    beds_case, _ = two_cases
    assert client.get(f"/cases/{beds_case.pk}/").status_code == 404
    assert client.get("/cases/").status_code == 404
    assert client.get("/notifications/").status_code == 404


@pytest.mark.django_db
def test_role_changes_show_on_the_users_page_with_who_made_them(
    client, administrator, agency_a_user, panel
):
    sign_in(client, administrator)
    client.post(f"/manage/users/{agency_a_user.pk}/roles/add/", {"role": f"panel:{panel.pk}:chair"})
    page = client.get(f"/manage/users/{agency_a_user.pk}/").content.decode()
    assert "Panel chair, Bedfordshire CDOP: added" in page
    assert administrator.full_name in page


@pytest.mark.django_db
def test_the_case_list_asks_the_memberships_as_they_are_now_not_a_list_of_grants(
    administrator, panel, system
):
    from cases.permissions import cases_visible_to

    case = make_case(panel, system)
    sql = str(cases_visible_to(administrator).query).upper()
    assert f'WHERE "CASES_CASE"."PANEL_ID" IN ({panel.pk})' in sql  # the panel's index leads
    assert "GUARDIAN" not in sql
    assert "OBJECTPERMISSION" not in sql
    assert list(cases_visible_to(administrator)) == [case]
    membership = PanelMembership.objects.get(user=administrator, panel=panel)
    panel_membership_remove(membership=membership, by=system)
    assert not cases_visible_to(administrator).exists()


@pytest.mark.django_db
def test_a_grant_shows_on_the_panels_timeline(client, administrator, agency_a_user, panel):
    sign_in(client, administrator)
    client.post(f"/manage/users/{agency_a_user.pk}/roles/add/", {"role": f"panel:{panel.pk}:chair"})
    assert f"/manage/panels/{panel.pk}/roles/" in client.get("/manage/users/").content.decode()
    page = client.get(f"/manage/panels/{panel.pk}/roles/").content.decode()
    assert f"Panel chair given: {agency_a_user}" in page
    assert f"by {administrator}" in page
