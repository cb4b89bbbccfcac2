"""The first pages a person meets: sign-in, home and the accessibility statement."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_it_sends_an_anonymous_visitor_to_the_sign_in_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<title>Sign in – CDOP</title>" in html
    assert 'class="govuk-generic-header"' in html
    assert "Skip to main content" in html
    assert "Accessibility statement" in html
    assert "GOV.UK" not in html  # this service is not on GOV.UK


@pytest.mark.django_db
def test_it_shows_an_error_summary_when_sign_in_fails(client, administrator):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "wrong password"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in – CDOP</title>" in html
    assert "There is a problem" in html
    assert 'value="alice@example.org"' in html  # what was typed is kept


@pytest.mark.django_db
def test_it_signs_in_by_email_and_shows_the_users_roles(client, administrator, settings):
    settings.MFA_REQUIRED = False
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "CDOP administrator, Bedfordshire CDOP" in html
    assert "Sign out" in html


@pytest.mark.django_db
def test_it_sends_security_headers_on_every_page(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp  # inline bootstrap script carries the nonce, nothing else runs
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_it_publishes_an_accessibility_statement(client, db):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert "WCAG 2.2" in response.content.decode()


@pytest.mark.django_db
def test_it_offers_no_self_sign_up(client):
    assert client.get("/accounts/signup/").status_code == 404
    response = client.post(
        "/accounts/signup/",
        {"email": "intruder@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 404
    from accounts.models import User

    assert not User.objects.filter(email="intruder@example.org").exists()


@pytest.mark.django_db
def test_a_missing_page_says_so_in_the_services_own_words(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_error_page_shows_no_internals(rf, settings):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "Traceback" not in html
    assert settings.SECRET_KEY not in html
