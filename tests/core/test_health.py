import pytest

from core.tasks import record_heartbeat


def test_it_reports_healthy_when_the_database_and_redis_answer(client, db, redis_client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_it_shows_when_the_background_jobs_last_ran(client, db, redis_client):
    assert client.get("/healthz/").json()["last_heartbeat"] is None
    record_heartbeat()
    assert client.get("/healthz/").json()["last_heartbeat"] is not None


@pytest.fixture
def dead_redis(settings):
    # Django's setting_changed handler rebuilds the cache connections from this.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }


def test_it_fails_when_redis_is_down(client, db, dead_redis):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"


def test_it_answers_only_reads(client, db, redis_client):
    assert client.post("/healthz/").status_code == 405
