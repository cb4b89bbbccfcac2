"""Heavy reads on the read replica, writes and a user's reads-after-write on the primary.

The test settings give every test a "replica" alias that mirrors default: a second connection
to the same test database, so a query can be seen going through one or the other. These tests
commit (transaction=True), as the replica only sees committed rows, and switch on
READ_FROM_REPLICA, as REPLICA_DATABASE_URL does in a deployment.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.models import Case
from core.models import AccessEvent, AccessEventObject
from core.replica import replica_alias
from tests.cases.factories import make_case
from tests.cases.test_case_notes import NOTE
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.READ_FROM_REPLICA = True
    return settings


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


class Queries:
    """What went through the primary's connection and the replica's, side by side."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _sql(captured) -> list[str]:
        return [query["sql"] for query in captured.captured_queries]

    def cases_read_on(self, alias: str) -> list[str]:
        captured = self.primary if alias == "default" else self.replica
        return [sql for sql in self._sql(captured) if 'FROM "cases_case"' in sql]

    def writes_on(self, alias: str) -> list[str]:
        captured = self.primary if alias == "default" else self.replica
        return [
            sql
            for sql in self._sql(captured)
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]


def listed(response) -> set[str]:
    return {case.number for case in response.context["page"].object_list}


def test_the_case_list_reads_on_the_replica(with_replica, admin_client, panel, administrator):
    cases = [make_case(panel, administrator, family_name=f"Child{n}") for n in range(3)]
    with Queries() as queries:
        response = admin_client.get("/cases/")
    assert listed(response) == {case.number for case in cases}
    assert any("COUNT(" in sql for sql in queries.cases_read_on("replica"))  # the capped count
    assert queries.cases_read_on("default") == []
    assert queries.writes_on("replica") == []
    # The list's access-log row is written, on the primary.
    assert AccessEvent.objects.filter(action="list").count() == 1


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_reads_on_the_replica_and_logs_on_the_primary(
    with_replica, admin_client, panel, administrator, file_format
):
    cases = [make_case(panel, administrator, family_name=f"Child{n}") for n in range(3)]
    with Queries() as queries:
        response = admin_client.get(f"/cases/export.{file_format}")
        b"".join(response.streaming_content)
    assert queries.cases_read_on("replica")  # the count and the rows
    assert queries.cases_read_on("default") == []
    assert queries.writes_on("replica") == []
    assert any("core_accesseventobject" in sql for sql in queries.writes_on("default"))
    assert sorted(AccessEventObject.objects.values_list("object_id", flat=True)) == sorted(
        str(case.pk) for case in cases
    )


def test_right_after_a_change_the_user_reads_the_primary_until_the_grace_period_ends(
    with_replica, admin_client, panel, administrator
):
    case = make_case(panel, administrator)
    assert admin_client.post(f"/cases/{case.pk}/notes/new/", NOTE).status_code == 302
    with Queries() as queries:
        assert listed(admin_client.get("/cases/")) == {case.number}
    assert queries.cases_read_on("default")
    assert queries.cases_read_on("replica") == []

    grace = timedelta(seconds=with_replica.REPLICA_READ_AFTER_WRITE_SECONDS)
    with time_machine.travel(timezone.now() + grace - timedelta(seconds=5)):
        with Queries() as queries:
            admin_client.get("/cases/")
        assert queries.cases_read_on("replica") == []  # still within the grace period
    with time_machine.travel(timezone.now() + grace + timedelta(seconds=1)):
        with Queries() as queries:
            assert listed(admin_client.get("/cases/")) == {case.number}
        assert queries.cases_read_on("replica")
        assert queries.cases_read_on("default") == []


def test_one_users_change_leaves_a_colleague_on_the_replica(
    with_replica, admin_client, panel, administrator, system
):
    colleague = make_user("carol@example.org", by=system)
    panel_membership_add(user=colleague, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
    case = make_case(panel, administrator)
    admin_client.post(f"/cases/{case.pk}/notes/new/", NOTE)
    other = Client()
    sign_in(other, colleague)
    with Queries() as queries:
        assert listed(other.get("/cases/")) == {case.number}
    assert queries.cases_read_on("replica")
    assert queries.cases_read_on("default") == []


def test_without_a_replica_the_list_and_the_export_read_the_primary(
    admin_client, panel, administrator
):
    make_case(panel, administrator)
    with Queries() as queries:
        admin_client.get("/cases/")
        b"".join(admin_client.get("/cases/export.csv").streaming_content)
    assert queries.cases_read_on("default")
    assert queries.replica.captured_queries == []


def test_outside_a_request_heavy_reads_use_the_replica(with_replica):
    # Celery tasks and commands have no request, so nothing pins them to the primary.
    assert replica_alias() == "replica"
    with_replica.READ_FROM_REPLICA = False
    assert replica_alias() == "default"


def test_it_migrates_and_writes_only_the_primary(panel, administrator):
    assert router.allow_migrate_model("default", Case)
    assert not router.allow_migrate_model("replica", Case)
    case = make_case(panel, administrator)
    read_on_replica = Case.objects.using("replica").get(pk=case.pk)
    assert router.db_for_write(Case, instance=read_on_replica) == "default"
