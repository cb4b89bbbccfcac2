"""Signing in: two-factor, lockouts, session limits, the admin's door."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.services import user_deactivate
from tests.conftest import PASSWORD, enrol_two_factor, sign_in, totp_code

LOGIN = "/accounts/login/"


def post_login(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


@pytest.mark.django_db
def test_it_asks_an_enrolled_user_for_their_code_and_then_signs_them_in(client, administrator):
    enrol_two_factor(administrator)
    response = post_login(client, "alice@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in until the code is given

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_code_used_once_already(client, administrator):
    enrol_two_factor(administrator)
    code = totp_code()
    post_login(client, "alice@example.org", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/logout/")

    post_login(client, "alice@example.org", PASSWORD)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_it_sends_a_user_without_two_factor_to_enrol_before_anything_else(client, administrator):
    response = post_login(client, "alice@example.org", PASSWORD, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert "Authenticator" in response.content.decode() or response.status_code == 200
    assert client.get("/manage/users/")["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_the_demo_setting_lets_a_user_in_without_two_factor(client, administrator, settings):
    settings.MFA_REQUIRED = False
    post_login(client, "alice@example.org", PASSWORD)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_locks_a_username_at_an_address_after_ten_failures(client, administrator):
    enrol_two_factor(administrator)
    for _ in range(10):
        post_login(client, "alice@example.org", "wrong password", REMOTE_ADDR="10.0.0.1")
    response = post_login(client, "alice@example.org", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username="alice@example.org").exists()

    # The same trust's other staff, behind the same address, can still sign in.
    from accounts.services import user_create
    from core.history import system_user

    user_create(email="carol@example.org", full_name="Carol", password=PASSWORD, by=system_user())
    other = post_login(client, "carol@example.org", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_lockout_ends_after_fifteen_minutes(client, administrator):
    enrol_two_factor(administrator)
    for _ in range(10):
        post_login(client, "alice@example.org", "wrong password")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = post_login(client, "alice@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.django_db
def test_the_system_administrator_can_unlock_an_account(client, administrator):
    for _ in range(10):
        post_login(client, "alice@example.org", "wrong password")
    AccessAttempt.objects.filter(username="alice@example.org").delete()  # the admin's action
    assert post_login(client, "alice@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_it_ends_a_session_after_thirty_idle_minutes(client, administrator, settings):
    # Redis expires the cached copy in real time, which the travelling clock cannot move;
    # the database copy carries the same 30-minute expiry and follows the clock.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    sign_in(client, administrator)
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_it_ends_a_session_after_twelve_hours_however_busy(client, administrator):
    sign_in(client, administrator)
    start = timezone.now()
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5)):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_it_gives_a_new_session_id_at_sign_in(client, administrator, settings):
    settings.MFA_REQUIRED = False
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    post_login(client, "alice@example.org", PASSWORD)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_a_signed_out_session_cannot_be_reused(client, administrator):
    sign_in(client, administrator)
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    client.cookies["sessionid"] = cookie
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_deactivating_an_account_ends_its_sessions_at_once(
    client, administrator, agency_a_user, django_capture_on_commit_callbacks
):
    sign_in(client, agency_a_user)
    assert client.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(user=agency_a_user, by=administrator)
    assert client.get("/").status_code == 302
    from django.contrib.sessions.models import Session

    assert not any(
        s.get_decoded().get("_auth_user_id") == str(agency_a_user.pk) for s in Session.objects.all()
    )


@pytest.mark.django_db
def test_the_admin_sign_in_goes_through_two_factor(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short-pass1", False),
        ("password1234", False),
        ("123456789012345", False),
        ("correct horse battery staple", True),
        ("ünïcødé-pässwörd-long", True),
        ("x" * 64 + "Y1", True),
    ],
)
def test_it_applies_the_password_policy(password, accepted):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted
