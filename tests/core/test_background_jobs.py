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
from django.db import connection

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
