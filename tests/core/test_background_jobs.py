"""The periodic jobs really run: a real Celery worker on Redis, and `make run`'s embedded setup.

These start real worker processes and wait for the effect in the database (bounded polling,
no fixed sleeps in assertions).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from cdop.celery import app as celery_app
from core.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
TIMEOUT = 60


def start_worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own worker with fixed arguments)
        [CELERY, "-A", "cdop", "worker", "--pool", "solo", "--loglevel", "INFO", *extra],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker: subprocess.Popen) -> str:
    worker.send_signal(signal.SIGTERM)
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output


def wait_for(condition, worker: subprocess.Popen) -> bool:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker.poll() is not None:
            return False
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # we mean to send it
def test_a_worker_on_redis_runs_a_queued_job(redis_client):
    redis_client.delete("celery")  # a queue left over from an earlier run would confuse this
    database = connection.settings_dict["NAME"]
    worker = start_worker(
        {
            "DJANGO_SETTINGS_MODULE": "cdop.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": settings.REDIS_URL,
        }
    )
    try:
        celery_app.send_task("core.tasks.record_heartbeat")
        ran = wait_for(lambda: Heartbeat.objects.filter(name="beat").exists(), worker)
    finally:
        output = stop(worker)
    assert ran, output


@pytest.mark.celery_worker
def test_make_runs_embedded_worker_and_beat_run_the_periodic_jobs(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "cdop.settings",
        "DEBUG": "True",
        "MFA_REQUIRED": "False",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cdop.sqlite3'}",
        "REDIS_URL": "",
        "HEARTBEAT_SECONDS": "1",
    }
    for folder in ("broker/queue", "broker/processed", "broker/control"):
        (tmp_path / folder).mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )

    def heartbeat_recorded() -> bool:
        with sqlite3.connect(tmp_path / "cdop.sqlite3") as db:
            return db.execute("SELECT count(*) FROM core_heartbeat").fetchone()[0] > 0

    worker = start_worker(env, "--beat", "--schedule", str(tmp_path / "beat-schedule"))
    try:
        ran = wait_for(heartbeat_recorded, worker)
    finally:
        output = stop(worker)
    assert ran, output


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_worker_killed_while_sending_loses_no_email(redis_client, mailoutbox):
    """The worker holds the email's row while it talks to the mail server; killed there, its
    transaction dies with it and the email is still waiting, for the sweep to send once."""
    import socket
    import threading

    from core import outbox
    from core.models import OutboxEmail, OutboxStatus

    redis_client.delete("celery")
    server = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()

    def mail_server_that_never_answers():
        conn, _ = server.accept()
        connected.set()
        conn.recv(1)  # holds the connection open, silent, until the worker is gone
        conn.close()

    threading.Thread(target=mail_server_that_never_answers, daemon=True).start()
    email = OutboxEmail.objects.create(
        key="kill-test", to="alice@example.org", subject="s", body="b", kind="test"
    )
    database = connection.settings_dict["NAME"]
    worker = start_worker(
        {
            "DJANGO_SETTINGS_MODULE": "cdop.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": settings.REDIS_URL,
            "MAIL_HOST": "127.0.0.1",
            "MAIL_PORT": str(server.getsockname()[1]),
            "MAIL_USE_TLS": "False",
        }
    )
    try:
        celery_app.send_task("core.tasks.send_outbox_email", args=[email.pk])
        assert wait_for(connected.is_set, worker), "the worker never reached the mail server"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
        server.close()

    def row_released() -> bool:  # the killed worker's transaction has been rolled back
        return OutboxEmail.objects.filter(pk=email.pk).select_for_update(skip_locked=True).exists()

    deadline = time.monotonic() + TIMEOUT
    with transaction.atomic():
        while not row_released() and time.monotonic() < deadline:
            time.sleep(0.2)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.WAITING, 0)
    assert [e.pk for e in outbox.sweep().sent] == [email.pk]
    assert outbox.sweep().sent == []
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == outbox.message_id(email)
