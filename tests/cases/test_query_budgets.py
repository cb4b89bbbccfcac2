"""Query budgets at national scale (issue 9): every variant of the case list, the case page,
the administrator's home page and the triage list do as many queries at 50 rows as at 1; the
access check reads the user's panels once and filters cases on them as constants, never a
subquery over grants, so each order reads its page from an index; the exports hold one chunk
of cases at a time, whatever the number of cases."""

import gc
import re
import sys
import tracemalloc
import zipfile
from contextlib import ExitStack
from datetime import date, timedelta
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.http import FileResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts import access_log
from accounts.models import PanelRole
from accounts.services import panel_membership_add
from cases.models import Case, NotificationSource, PlaceOfDeath, Sex
from cases.permissions import cases_visible_to
from cases.selectors import SORTS
from cases.services import (
    case_create,
    case_note_add,
    notification_merge,
    notification_record,
    related_process_add,
    transfer_offer,
)
from core.models import AccessAction, AccessEvent, AccessEventObject
from home.demo import history_csv_lines
from panels.services import panel_setup, ward_get_or_add
from tests.cases.factories import make_case, make_notification, notification_fields
from tests.conftest import make_user, sign_in

FIRST_NOTIFIED = date(2024, 3, 5)

# The case list and the exports may read from a replica (core/replica.py): its queries count.
ALIASES = [alias for alias in ("default", "replica") if alias in settings.DATABASES]
databases = pytest.mark.django_db(databases=ALIASES)


@pytest.fixture(autouse=True)
def _replica_closed():
    """Counting on the replica opens it; closed after each test, or the test database could
    not be dropped at the end of the run (it would still be in use)."""
    yield
    for alias in ALIASES[1:]:
        connections[alias].close()


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


class AllQueries(ExitStack):
    """The SQL of every query, on every database alias."""

    def __enter__(self):
        super().__enter__()
        self.contexts = [
            self.enter_context(CaptureQueriesContext(connections[alias])) for alias in ALIASES
        ]
        return self

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for context in self.contexts for q in context.captured_queries]


def queries_of(client, url: str):
    """The response and the SQL of every query the request made."""
    with AllQueries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, queries.sql


def same_budget(one: list[str], fifty: list[str], budget: int) -> None:
    """Both counts are the pinned budget; if not, say which statements the rows repeated."""
    one, fifty = [shape(sql) for sql in one], [shape(sql) for sql in fifty]
    repeated = dict.fromkeys(sql for sql in fifty if fifty.count(sql) > one.count(sql))
    assert (len(one), len(fifty)) == (budget, budget), "\n".join(repeated)


def shape(sql: str) -> str:
    """A statement without its values, so a row's query and the next row's compare equal."""
    return re.sub(r"'[^']*'|\d+", "?", sql)


def rows_shown(response) -> int:
    return response.content.decode().count('<tr class="govuk-table__row">') - 1  # the header


# --- The case list ------------------------------------------------------------------------


def add_cases(panel, by, numbers: range) -> None:
    """Cases that every filter and search below matches: notified in 2024, died aged 4 more
    than six months ago and unexpectedly, in Luton, open (so at risk of the 12-month target),
    with a family name, an NHS number and a panel reference."""
    luton = panel.areas.get(name="Luton")
    female = Sex.objects.get(code="female")
    home = PlaceOfDeath.objects.get(code="home")
    for n in numbers:
        case_create(
            panel=panel,
            by=by,
            date_notified=FIRST_NOTIFIED + timedelta(days=n),
            legacy_reference=f"H-{n:06d}",
            family_name="Example",
            given_names=f"Sam {n}",
            date_of_birth=date(2020, 2, 1),
            sex=female,
            nhs_number="9434765919",
            area=luton,
            date_of_death=FIRST_NOTIFIED + timedelta(days=n - 1),
            place_of_death=home,
            death_type="unexpected",
        )


# Every signed-in page starts with the session and the user (2) and what the user holds, their
# panel and agency roles and their authenticator app, read in one query once per request for
# the sign-in policy, the decorator, the navigation, the access check and the access log (1),
# and ends by saving the session, each request pushing its expiry on (a savepoint, the
# update, its release: 3). The list adds the capped count, the page of cases with their area,
# the access log (the event and the cases it showed, in one statement) and the panels' areas
# for the area filter: 10, whatever the variant and the rows.
LIST_QUERIES = 10

LIST_VARIANTS = {
    "default": "",
    "state": "state=notified",
    "area": "area={luton}",
    "death_type": "death_type=unexpected",
    "age_band": "age_band=1_9",
    "notified_from": "notified_from_0=1&notified_from_1=3&notified_from_2=2024",
    "notified_to": "notified_to_0=31&notified_to_1=12&notified_to_2=2024",
    "at_risk": "at_risk=yes",
    **{f"sort_{field}": f"sort={field}" for field in SORTS},
    **{f"sort_-{field}": f"sort=-{field}" for field in SORTS},
    "search_family_name": "q=example",
    "search_nhs_number": "q=943+476+5919",
    "search_case_number_prefix": "q=beds-2024-00",
    "search_legacy_reference": "q=H-000000",
    "page_2": "page=2",
}


@databases
@pytest.mark.parametrize("variant", LIST_VARIANTS)
def test_each_case_list_variant_does_as_many_queries_at_50_rows_as_at_1(
    admin_client, panel, administrator, variant
):
    luton = panel.areas.get(name="Luton")
    url = "/cases/?" + LIST_VARIANTS[variant].format(luton=luton.pk)
    few = 26 if variant == "page_2" else 1  # the second page's one row is the 26th case
    add_cases(panel, administrator, range(few))
    admin_client.get(url)  # process-wide caches (content types) warmed: neither count has them
    one, one_sql = queries_of(admin_client, url)
    add_cases(panel, administrator, range(few, 50))
    fifty, fifty_sql = queries_of(admin_client, url)

    # A panel reference is one case's alone; everything else matches all 50 (a full page).
    matched = (1, 1) if variant == "search_legacy_reference" else (few, 50)
    assert (rows_shown(one), rows_shown(fifty)) == (1, min(matched[1], 25))
    assert f">{matched[0]} case{'s' if matched[0] > 1 else ''}</p>" in one.content.decode()
    assert f">{matched[1]} case{'s' if matched[1] > 1 else ''}</p>" in fifty.content.decode()
    same_budget(one_sql, fifty_sql, LIST_QUERIES)


# --- The case page ------------------------------------------------------------------------


def add_to_case(case, by, *, notes: int, merged: int, ward=None) -> None:
    """More of what the case page lists: notifications merged into the case (each with its
    timeline event), notes, related processes (each with its event) and readers in the log."""
    for n in range(merged):
        notification = make_notification(
            case.panel, by, family_name=f"Again{n}", nhs_number="", ward=ward
        )
        notification_merge(notification=notification, case=case, by=by)
    for n in range(notes):
        case_note_add(case=case, kind="call", occurred_on=date(2024, 3, 6), text=f"Call {n}", by=by)
        related_process_add(case=case, by=by, kind="inquest", outcome=f"Outcome {n}")
        reader = RequestFactory().get(f"/cases/{case.pk}/")
        reader.user = by
        access_log.record_access(reader, action=AccessAction.VIEW, model=Case, object_id=case.pk)


# The 6 of every page; the case with its summary's labels, its analysis and whether it has
# related processes or an open offer; the access log's entry; then one query each for the
# notifications (with their labels), events, notes, the related processes and the reporting
# forms asked of agencies (with the agency).
CASE_PAGE_QUERIES = 13


@databases
@pytest.mark.parametrize(
    "with_ward",
    [
        pytest.param(False, id="notifications_without_a_ward"),
        pytest.param(True, id="notifications_with_a_ward"),
    ],
)
def test_the_case_page_does_as_many_queries_with_50_of_each_row_as_with_1(
    admin_client, panel, administrator, system, with_ward
):
    ward = ward_get_or_add(area=panel.areas.get(name="Luton"), name="Biscot", by=system)
    ward = ward if with_ward else None
    case = make_case(panel, administrator, ward=ward)  # its notification and its first event
    add_to_case(case, administrator, notes=1, merged=0, ward=ward)
    url = f"/cases/{case.pk}/"
    admin_client.get(url)
    one, one_sql = queries_of(admin_client, url)
    add_to_case(case, administrator, notes=49, merged=49, ward=ward)
    fifty, fifty_sql = queries_of(admin_client, url)

    for response, n in ((one, 1), (fifty, 50)):
        html = response.content.decode()
        assert html.count('<details class="govuk-details">') == n  # notifications
        assert html.count(": Outcome ") == n  # related processes
        assert html.count("<br>Call ") == n  # notes on the timeline
    same_budget(one_sql, fifty_sql, CASE_PAGE_QUERIES)


# The 6 of every page; the case; who has viewed it; the access log's entry.
VIEWED_BY_QUERIES = 9


@databases
def test_who_has_viewed_a_case_does_as_many_queries_with_50_readers_as_with_1(
    admin_client, panel, administrator
):
    case = make_case(panel, administrator)
    add_to_case(case, administrator, notes=1, merged=0)
    url = f"/cases/{case.pk}/viewed-by/"
    one, one_sql = queries_of(admin_client, url)
    add_to_case(case, administrator, notes=49, merged=0)
    fifty, fifty_sql = queries_of(admin_client, url)
    for response, n in ((one, 1), (fifty, 50)):
        assert response.content.decode().count("<li>Alice: viewed") >= n
    same_budget(one_sql, fifty_sql, VIEWED_BY_QUERIES)


# --- The administrator's home page and the triage list ------------------------------------


# The 6 of every page (its list of the user's roles comes from the roles read there); the
# number waiting for triage; the oldest open cases and their entry in the access log; the
# open cases by stage with the number at risk, and the closed ones (capped); the reporting
# forms outstanding and overdue (one aggregate) and the forms submitted lately (with their
# entry in the access log when there are some); the unexpected deaths whose rapid response
# planning discussion was missed; the rapid responses whose team names the user, and the
# user's open actions.
HOME_QUERIES = 17  # with the next panel meetings


@databases
def test_the_administrators_home_page_does_as_many_queries_at_50_cases_as_at_1(
    admin_client, panel, administrator
):
    def add(numbers: range) -> None:
        add_cases(panel, administrator, numbers)
        for n in numbers:
            make_notification(panel, administrator, family_name=f"Waiting{n}")

    add(range(1))
    admin_client.get("/")
    one, one_sql = queries_of(admin_client, "/")
    add(range(1, 50))
    fifty, fifty_sql = queries_of(admin_client, "/")

    assert "1 notification waiting for triage" in one.content.decode()
    assert "50 notifications waiting for triage" in fifty.content.decode()  # not the first 10
    for response, n in ((one, 1), (fifty, 50)):
        html = response.content.decode()
        assert f"{n} case{'s' if n > 1 else ''} at risk of the 12-month review target" in html
        assert f'{n}<span class="govuk-visually-hidden"> cases notified</span>' in html
        assert rows_shown(response) == min(n, 5)  # the oldest open cases
    same_budget(one_sql, fifty_sql, HOME_QUERIES)


# The 6 of every page; the notifications waiting; the access log's entry for them; the
# offers to the panel (with both panels and the notification or case offered) and the held
# submissions.
TRIAGE_QUERIES = 10


@databases
def test_the_triage_list_does_as_many_queries_at_50_of_each_as_at_1(
    admin_client, panel, administrator, system
):
    other = panel_setup(
        code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system
    ).panel
    other_administrator = make_user("olivia@example.org", by=system)
    panel_membership_add(
        user=other_administrator, panel=other, role=PanelRole.ADMINISTRATOR, by=system
    )
    mk = other.areas.get()
    held = []

    def add(numbers: range) -> None:
        for n in numbers:
            make_notification(panel, administrator, family_name=f"Waiting{n}")
            held.append(
                notification_record(
                    panel=panel,
                    source=NotificationSource.PUBLIC_FORM,
                    fields=notification_fields(panel, family_name=f"Robot{n}"),
                    by=system,
                    held=True,
                )
            )
            # Offers of both kinds: a notification in triage and an open case.
            if n % 2:
                offered = {"case": make_case(other, other_administrator, area=mk)}
            else:
                offered = {"notification": make_notification(other, other_administrator, area=mk)}
            transfer_offer(
                to_panel=panel, reason="Lived in Luton", by=other_administrator, **offered
            )

    add(range(1))
    admin_client.get("/notifications/")
    one, one_sql = queries_of(admin_client, "/notifications/")
    add(range(1, 50))
    fifty, fifty_sql = queries_of(admin_client, "/notifications/")

    for response, n in ((one, 1), (fifty, 50)):
        html = response.content.decode()
        assert f">{n} waiting</caption>" in html
        assert rows_shown(response) == n
        assert html.count("</a> from Milton Keynes CDOP, ") == n  # offers
        assert sum(f'/notifications/{h.pk}/">Notification ' in html for h in held) == n
    same_budget(one_sql, fifty_sql, TRIAGE_QUERIES)


# --- The access check ---------------------------------------------------------------------


@databases
def test_the_access_check_is_the_panels_ids_read_once_not_a_subquery(panel, administrator):
    with CaptureQueriesContext(connection) as read:
        cases = cases_visible_to(administrator)
    [memberships] = [q["sql"] for q in read.captured_queries]
    assert 'FROM "accounts_panelmembership"' in memberships
    sql = str(cases.query)
    # The panels as constants: no IN (SELECT ...) or EXISTS over grants or memberships per
    # case, so the planner reads a page from an index led by the panel (below).
    assert f'WHERE "cases_case"."panel_id" IN ({panel.pk})' in sql
    assert sql.count("SELECT") == 1
    assert "guardian" not in sql


@databases
@pytest.mark.parametrize(
    "url",
    [
        "/cases/",
        "/cases/?q=example&state=notified&age_band=1_9&at_risk=yes",
        "/cases/{pk}/",
        "/cases/export.csv",
        "/cases/export.xlsx",
        "/",
    ],
)
def test_no_case_query_asks_for_a_list_of_grants(admin_client, panel, administrator, url):
    add_cases(panel, administrator, range(3))
    url = url.format(pk=Case.objects.first().pk)
    with AllQueries() as queries:
        response = admin_client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    reads_cases = [sql for sql in queries.sql if 'FROM "cases_case"' in sql]
    assert reads_cases  # the check did run
    assert [sql for sql in reads_cases if "IN (SELECT" in sql.upper()] == []
    assert [sql for sql in queries.sql if "guardian_" in sql] == []


def import_history(tmp_path, rows: int) -> None:
    """A panel's history through the import (COPY on PostgreSQL): thousands of cases a second."""
    history = tmp_path / "history.csv"
    history.write_text("\n".join(history_csv_lines(rows)) + "\n", encoding="utf-8")
    call_command("import_cases", "--panel", "BEDS", str(history), stdout=StringIO())


# Each order of the list has an index led by the panel, in the list's order (the number last).
INDEX_OF_ORDER = {
    "number": "case_number_idx",
    "family_name": "case_family_idx",
    "date_of_death": "case_died_idx",
    "date_notified": "case_notified_idx",
    "state": "case_state_idx",
}


@databases
def test_each_list_order_reads_its_page_and_its_count_from_an_index(admin_client, panel, tmp_path):
    import_history(tmp_path, 5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    read = {}
    for field in SORTS:  # a new order without an index fails here
        for sort in (field, f"-{field}"):
            _, sql = queries_of(admin_client, f"/cases/?sort={sort}")
            [count] = [s for s in sql if s.startswith('SELECT COUNT(*) FROM (SELECT "cases_case"')]
            [page] = [s for s in sql if s.startswith('SELECT "cases_case"."id"')]
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {page}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                used = [index for index in INDEX_OF_ORDER.values() if index in plan]
                read[sort, "page"] = (used, "Sort" in plan, "Seq Scan on cases_case" in plan)
                cursor.execute(f"EXPLAIN {count}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                read[sort, "count"] = ("Limit" in plan, "Sort" in plan)
    # The page is read in order from its index and stops after 25 rows; the capped count, in
    # no order, stops after 1,001 rows whichever way it reads them.
    assert read == {
        (sort, name): ([INDEX_OF_ORDER[sort.lstrip("-")]], False, False)
        if name == "page"
        else (True, False)
        for sort, name in read
    }


# --- The exports of a whole national history ----------------------------------------------

ROWS = 20_000
CHUNK = 2_000  # the view reads and logs the cases this many at a time


@databases
def test_the_exports_of_20000_cases_hold_one_chunk_at_a_time(
    admin_client, panel, tmp_path, monkeypatch, settings
):
    import_history(tmp_path, ROWS)

    # CSV: the response is written as it is read. Traced from before the request, so cases
    # read into memory by the view would count too. Measured: a peak of 8 to 11 MB, of which
    # at most 0.5 MB comes after the first 4,000 rows (chunk boundaries, longer ids). With the
    # cases held in a list the peak is 57 MB; the text held whole would add over 3 MB after.
    tracemalloc.start()
    try:
        response = admin_client.get("/cases/export.csv")
        content = response.streaming_content
        lines, after_two_chunks = 0, None
        for chunk in content:
            lines += chunk.count(b"\n")
            if after_two_chunks is None and lines > 2 * CHUNK:  # the header, two chunks
                after_two_chunks = tracemalloc.get_traced_memory()[1]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(response, StreamingHttpResponse)
    assert iter(content) is content  # an iterator, not a body held whole
    assert lines == 1 + ROWS
    assert peak < 25 * 2**20, f"{peak / 2**20:.1f} MB"
    assert peak - after_two_chunks < 2 * 2**20, f"{(peak - after_two_chunks) / 2**20:.1f} MB"

    # XLSX: the view writes the workbook to a temporary file row by row (xlsxwriter's constant
    # memory), then streams the file. Live Python objects are counted as each chunk of cases
    # is logged (after a collection, so the count is exact): measured, they stay within 600
    # blocks of the first chunk's; a workbook kept in memory (constant_memory off) adds 24
    # blocks a row, 48,000 a chunk. tracemalloc would say the same in five times the time.
    live = []
    record_shown = access_log.record_shown

    def counting(event, object_ids):
        gc.collect()
        live.append(sys.getallocatedblocks())
        return record_shown(event, object_ids)

    monkeypatch.setattr(access_log, "record_shown", counting)
    settings.CASE_EXPORT_DIRECT_ROWS = ROWS  # written while the browser waits, not by a worker
    response = admin_client.get("/cases/export.xlsx")
    assert isinstance(response, FileResponse)
    assert response.streaming
    workbook = zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))
    assert f'<row r="{1 + ROWS}"'.encode() in workbook.read("xl/worksheets/sheet1.xml")
    chunks = live  # one count as each chunk of cases is logged
    assert len(chunks) == ROWS // CHUNK
    assert max(chunks) - chunks[0] < 20_000, chunks

    # Each export is logged with every case it showed, chunk by chunk.
    for event in AccessEvent.objects.filter(action=AccessAction.EXPORT):
        assert event.row_count == ROWS
        assert AccessEventObject.objects.filter(event=event).count() == ROWS
