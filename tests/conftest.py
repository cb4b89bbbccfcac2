"""Shared fixtures: the personas, the system actor and the real services.

Tests that need PostgreSQL, Redis or Chromium fail when the service is missing; none skip.
"""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from accounts.models import AgencyRole, AgencyType, PanelRole, User
from accounts.services import (
    agency_create,
    agency_membership_add,
    panel_membership_add,
    user_create,
)
from core.history import system_user
from panels.services import panel_setup

PASSWORD = "a-long-test-password-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_two_factor(user: User) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app would show now."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user: User) -> None:
    """Signed in as after the full two-factor sign-in (enrolled, session started)."""
    enrol_two_factor(user)
    client.force_login(user)


def signed_in_client(user: User):
    """A browser of its own for `user`, signed in with two factors (enrolled once)."""
    from allauth.mfa.models import Authenticator
    from django.test import Client

    client = Client()
    if Authenticator.objects.filter(user=user).exists():
        client.force_login(user)
    else:
        sign_in(client, user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis), as each starts with an empty database."""
    cache.clear()


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is needed at {settings.REDIS_URL} ({error}); start redis-server.")
    return client


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: Redis is down


@pytest.fixture
def redis_down(settings):
    """Redis unreachable, as the cache and as the broker, through the real clients."""
    from cdop.celery import app as celery_app

    settings.REDIS_URL = DEAD_REDIS
    # Django's setting_changed handler rebuilds the cache connections from this.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS},
    }
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def fresh_connections():  # the producer pools are built on first use from broker_url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = DEAD_REDIS, False
    fresh_connections()
    yield
    conf.broker_url, conf.task_always_eager = saved
    fresh_connections()


@pytest.fixture
def system(db):
    return system_user()


@pytest.fixture
def panel(system):
    return panel_setup(
        code="BEDS",
        name="Bedfordshire CDOP",
        areas=["Luton", "Bedford Borough", "Central Bedfordshire"],
        by=system,
    ).panel


def make_user(email: str, *, by: User, **fields) -> User:
    return user_create(
        email=email, full_name=email.split("@")[0].title(), password=PASSWORD, by=by, **fields
    )


@pytest.fixture
def administrator(panel, system):
    user = make_user("alice@example.org", by=system)
    panel_membership_add(user=user, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
    return user


@pytest.fixture
def agency_a(panel, system):
    return agency_create(
        name="Agency A Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )


@pytest.fixture
def agency_a_user(agency_a, system):
    user = make_user("bob@example.org", by=system)
    agency_membership_add(user=user, agency=agency_a, role=AgencyRole.USER, by=system)
    return user
