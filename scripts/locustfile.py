"""The load run of `make bench` (scripts/bench.py): simulated staff browsing the case list,
searches and case pages, each signed in with a session of their own, through the TLS proxy's
header as in production. A person reads a page before the next click: 1 to 3 seconds."""

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

WORK = Path(os.environ["BENCH_WORK"])
SESSIONS = itertools.cycle(json.loads((WORK / "sessions.json").read_text()))
TARGETS = json.loads((WORK / "targets.json").read_text())
FILTERS = [
    "state=closed",
    "state=notified",
    "death_type=unexpected",
    "age_band=under_1",
    "at_risk=yes",
    "sort=family_name",
    "sort=-date_of_death",
    "sort=state",
    "page=2",
    "page=40",
]


class Staff(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.cookies.set("sessionid", next(SESSIONS))

    def _get(self, url, name):
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")

    @task(4)
    def case_list(self):
        self._get("/cases/", "case list")

    @task(3)
    def filtered_list(self):
        self._get(f"/cases/?{random.choice(FILTERS)}", "case list, filtered or sorted")  # noqa: S311

    @task(3)
    def search(self):
        kind = random.choice(["names", "refs", "nhs"])  # noqa: S311
        term = random.choice(TARGETS[kind] or TARGETS["refs"])  # noqa: S311
        self._get(f"/cases/?q={term}", f"search by {kind}")

    @task(4)
    def case_page(self):
        self._get(f"/cases/{random.choice(TARGETS['cases'])}/", "case page")  # noqa: S311

    @task(1)
    def home(self):
        self._get("/", "home")
