from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Agency, AgencyMembership, PanelMembership, User
from cases.models import Case, CaseState, Notification
from panels.models import Area, Panel, Ward


def load_demo(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        Panel,
        Area,
        Ward,
        Agency,
        User,
        PanelMembership,
        AgencyMembership,
        Case,
        Notification,
    ]
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db
def test_it_loads_a_panel_with_areas_wards_agencies_and_a_user_per_role(settings):
    settings.DEBUG = True
    output = load_demo()
    panel = Panel.objects.get(code="BEDS")
    assert panel.areas.count() == 3
    assert Ward.objects.filter(area__panel=panel).count() >= 9
    assert Agency.objects.count() == 12
    roles = set(PanelMembership.objects.values_list("role", flat=True))
    assert roles == {"administrator", "chair", "member", "manager"}
    assert set(AgencyMembership.objects.values_list("role", flat=True)) == {"user", "lead"}
    for email in [
        "administrator@cdop.example",
        "chair@cdop.example",
        "member@cdop.example",
        "manager@cdop.example",
        "police@cdop.example",
        "police.lead@cdop.example",
        "sysadmin@cdop.example",
    ]:
        assert email in output
    assert "demo-password-2026" in output


@pytest.mark.django_db
def test_it_duplicates_nothing_when_run_twice(settings):
    settings.DEBUG = True
    load_demo()
    before = counts()
    load_demo()
    assert counts() == before


@pytest.mark.django_db
def test_its_demo_users_can_sign_in(client, settings):
    settings.DEBUG = True
    settings.MFA_REQUIRED = False
    load_demo()
    response = client.post(
        "/accounts/login/",
        {"login": "administrator@cdop.example", "password": "demo-password-2026"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_it_refuses_to_load_demo_accounts_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=True"):
        load_demo()
    assert not User.objects.filter(email__endswith="@cdop.example").exists()


@pytest.mark.django_db
def test_it_leaves_no_history_row_without_an_actor(settings):
    settings.DEBUG = True
    load_demo()
    tracked = [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and hasattr(m, "history_user")
    ]
    assert tracked
    anonymous = {m.__name__: m.objects.filter(history_user__isnull=True).count() for m in tracked}
    assert {name: n for name, n in anonymous.items() if n} == {}


@pytest.mark.django_db
def test_it_has_cases_in_every_stage_and_notifications_to_triage(settings):
    settings.DEBUG = True
    load_demo()
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert Notification.objects.filter(triage_status="new").count() == 2


@pytest.mark.django_db
def test_it_shows_reporting_form_requests_in_every_status_at_once(settings):
    from agency_forms.models import FormReminder, FormRequest

    settings.DEBUG = True
    load_demo()
    statuses = set(FormRequest.objects.values_list("status", flat=True))
    assert statuses >= {"requested", "draft", "submitted", "returned", "waived"}
    overdue = FormRequest.objects.filter(
        case__family_name="Carrow", agency__name__contains="Police"
    )
    assert overdue.filter(reminders__isnull=False).exists()  # chased on its ladder
    assert FormReminder.objects.filter(number__gte=2).exists()  # an overdue reminder
    paused = Case.objects.get(family_name="Dunmore")
    assert paused.state == CaseState.PAUSED  # all its information is in; it stays paused
    assert not paused.form_requests.exclude(status="submitted").exists()


@pytest.mark.django_db
def test_it_shows_a_rapid_response_in_progress_with_open_actions_and_a_missed_clock(settings):
    from rapid_response.models import EpisodeAction, PlanningMissed, RapidResponseEpisode

    settings.DEBUG = True
    load_demo()
    episode = RapidResponseEpisode.objects.get(case__family_name="Carrow")
    assert episode.status == "open"
    assert episode.stages.count() == 2
    assert EpisodeAction.objects.filter(episode=episode, done_at__isnull=True).count() == 2
    assert PlanningMissed.objects.filter(case__family_name="Ashdown").exists()
    assert not PlanningMissed.objects.filter(case__family_name="Carrow").exists()
