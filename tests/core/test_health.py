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


def test_without_redis_it_runs_on_degraded_and_says_what_is_down(client, db, redis_down):
    response = client.get("/healthz/")
    assert response.status_code == 200  # the web still serves: a balancer keeps it
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "error"}


def test_it_answers_only_reads(client, db, redis_client):
    assert client.post("/healthz/").status_code == 405
