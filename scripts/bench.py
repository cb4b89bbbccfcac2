"""`make bench`: the national-scale figures (issues 9 and 10), measured side by side in one run.

In a throw-away PostgreSQL database (dropped at the end) and a spare Redis database, with the
production settings (DEBUG off, HTTPS behind a proxy, two-factor required):

1. the demo panel, 12 agencies serving it (an agency user and a lead in each) and reporting
   form requests for its cases (scripts/bench_forms.py), then the case list, search, case
   page, home, "My requests" (as an agency user and a lead) and the outstanding requests timed
   against the floor (`/accessibility/`, a trivial signed-in page of the same app) with their
   query counts;
2. a panel's 100,000-row history imported with `import_cases` (rate and peak memory), then the
   same file again (the idempotent re-import), and 6 requests a case seeded for it in bulk
   (600,000), with the reminders the beat would have sent;
3. the same pages again at 100,000 cases;
4. the chasing scan of reporting form requests on a working day: a dry run, the first run
   (sends the reminders due that day) and a second run (sends nothing): time, rows written;
5. both exports of every case;
6. 50 simulated staff (locust, headless) browsing lists, searches and case pages against
   gunicorn on loopback, with a Celery worker and beat running beside it: p50, p95, errors.

Not a test: the figures depend on the machine. The suite pins query counts instead.
Options: `--rows N` (default 100000), `--users N` (50), `--load-seconds N` (60; 0 skips the
load run), `--keep` (keep the database, to look into it).
"""

import argparse
import csv
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import bench_forms  # scripts/bench_forms.py: the reporting form requests' stages

BASE = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ROUNDS = 25  # timed requests per page, interleaved page by page so noise hits all alike
WARM_UP = 3


def production_env(database: str, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(BASE),
        "DJANGO_SETTINGS_MODULE": "cdop.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
        "DATABASE_URL": f"{SERVER}/{database}",
        "REDIS_URL": REDIS,
        "HTTPS": "True",
        "BEHIND_PROXY": "True",
        "MFA_REQUIRED": "True",
        "LOG_LEVEL": "WARNING",
        "BENCH_WORK": str(work),
    }


def manage(env, *args, quiet=True) -> None:
    subprocess.run(
        [PY, "manage.py", *args],
        cwd=BASE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def timed_child(env, *args) -> tuple[float, int, str]:
    """Wall time, peak resident memory (MB) and output of one `manage.py` command."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [PY, "manage.py", *args], cwd=BASE, env=env, stdout=subprocess.PIPE, text=True
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, output.strip()


# --- Stages run inside Django (python scripts/bench.py --stage ...) ----------------------


def stage_users(count: int) -> None:
    """`count` panel administrators with two-factor, each with a signed-in session cookie."""
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    from accounts.models import PanelRole, User
    from accounts.services import panel_membership_add, user_create
    from core.history import acting_as_system
    from panels.models import Panel

    panel = Panel.objects.get(code="BEDS")
    cookies = []
    with acting_as_system() as system:
        for n in range(count):
            email = f"bench-{n}@example.org"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(email=email, full_name=f"Bench {n}", password=None, by=system)
                panel_membership_add(
                    user=user, panel=panel, role=PanelRole.ADMINISTRATOR, by=system
                )
                TOTP.activate(user, generate_totp_secret())
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies["sessionid"].value)
    Path(os.environ["BENCH_WORK"], "sessions.json").write_text(json.dumps(cookies))


def bench_pages() -> dict[str, str | tuple[str, str]]:
    """The pages the issues measure, by name: a path (as the bench's first administrator) or
    (who, path) for a page of another person (`SIGNED_IN`)."""
    from accounts.models import Agency
    from cases.models import Case

    case = Case.objects.order_by("pk")[Case.objects.count() // 2]
    named = Case.objects.exclude(family_name="").order_by("pk").first()
    # The demo and the history carry no NHS numbers: 943 476 5919 is the NHS's own test number.
    with_nhs = Case.objects.exclude(nhs_number="").order_by("pk").first()
    nhs_number = with_nhs.nhs_number if with_nhs else "9434765919"
    area = case.area_id
    pages = {
        "floor: /accessibility/": "/accessibility/",
        "case list (default)": "/cases/",
        "filter: state": "/cases/?state=closed",
        "filter: area": f"/cases/?area={area}",
        "filter: death type": "/cases/?death_type=unexpected",
        "filter: age band": "/cases/?age_band=1_9",
        "filter: notified between": "/cases/?notified_from=2015-04-01&notified_to=2016-03-31",
        "filter: at risk": "/cases/?at_risk=yes",
    }
    for field in ("number", "family_name", "date_of_death", "date_notified", "state"):
        pages[f"sort: {field}"] = f"/cases/?sort={field}"
        pages[f"sort: -{field}"] = f"/cases/?sort=-{field}"
    pages["search: family name"] = f"/cases/?q={named.family_name}"
    pages["search: NHS number"] = f"/cases/?q={nhs_number}"
    pages["search: case number"] = f"/cases/?q={case.number[:-2]}"
    pages["search: legacy reference"] = f"/cases/?q={case.legacy_reference or case.number}"
    pages["page 40 (the deepest)"] = "/cases/?page=40"
    pages["case page"] = f"/cases/{case.pk}/"
    pages["who has viewed a case"] = f"/cases/{case.pk}/viewed-by/"
    pages["home (administrator)"] = "/"
    # Issue 10: the reporting form requests (scripts/bench_forms.py seeds them).
    agency = Agency.objects.get(name=bench_forms.agency_name(1))
    for who in ("agency user", "agency lead"):
        pages[f"my requests ({who})"] = (who, "/forms/requests/")
        pages[f"my requests, all ({who})"] = (who, "/forms/requests/?show=all")
    pages["home (agency user)"] = ("agency user", "/")
    pages["outstanding requests"] = "/forms/outstanding/"
    pages["outstanding: one agency"] = f"/forms/outstanding/?agency={agency.pk}"
    return pages


# Who the pages are timed as: the floor and the case pages as the bench's first administrator.
SIGNED_IN = {
    "administrator": "bench-0@example.org",
    "agency user": bench_forms.AGENCY_USER,
    "agency lead": bench_forms.AGENCY_LEAD,
}


def stage_pages() -> None:
    """p50 of each page (ms), its ratio to the floor and its query count, as JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from cases.models import Case

    clients = {}
    for who, email in SIGNED_IN.items():
        clients[who] = Client(headers={"x-forwarded-proto": "https"})
        clients[who].force_login(User.objects.get(email=email))
    pages = {
        name: page if isinstance(page, tuple) else ("administrator", page)
        for name, page in bench_pages().items()
    }
    counts = {}
    for name, (who, url) in pages.items():
        client = clients[who]
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[name] = len(queries)
    times = {name: [] for name in pages}
    for _ in range(ROUNDS):
        for name, (who, url) in pages.items():
            started = time.perf_counter()
            clients[who].get(url)
            times[name].append((time.perf_counter() - started) * 1000)
    floor = statistics.median(times["floor: /accessibility/"])
    result = {
        "cases": Case.objects.count(),
        "pages": {
            name: {
                "p50_ms": statistics.median(times[name]),
                "ratio": statistics.median(times[name]) / floor,
                "queries": counts[name],
            }
            for name in pages
        },
    }
    print(json.dumps(result))


def stage_export(file_format: str) -> None:
    """One export of every case, in a process of its own: time to the first byte and to the
    last, the file's size and how far the process's peak memory rose during it, as JSON."""
    import resource

    import django

    django.setup()
    from django.test import Client

    from accounts.models import User

    client = Client(headers={"x-forwarded-proto": "https"})
    client.force_login(User.objects.get(email="bench-0@example.org"))
    client.get("/accessibility/")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(f"/cases/export.{file_format}")
    first, size, worker_s = None, 0, None
    direct = not response["Content-Type"].startswith("text/html")
    if file_format == "csv" or direct:  # an XLSX of a few cases is written while one waits
        for chunk in response.streaming_content if response.streaming else [response.content]:
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
    else:
        # Past CASE_EXPORT_DIRECT_ROWS the link opens a page offering a worker (its first
        # byte is what the person waits for); the worker's part is timed here, in this
        # process, then the file is downloaded from its page.
        from cases import exports

        first = time.perf_counter() - started
        exports._ask_a_worker = lambda pk: None
        response = client.post("/cases/exports/", {"query": ""})
        pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        writing = time.perf_counter()
        exports.case_export_write(pk)
        worker_s = time.perf_counter() - writing
        for chunk in client.get(f"/cases/exports/{pk}/download/").streaming_content:
            size += len(chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "first_byte_s": first,
                "total_s": time.perf_counter() - started,
                "worker_s": worker_s,
                "mb": size / 2**20,
                "peak_mb": peak // 1024,
                "growth_mb": (peak - before) // 1024,
            }
        )
    )


def stage_targets() -> None:
    """What the load run asks for: case ids and search terms, as JSON."""
    import django

    django.setup()
    from cases.models import Case

    ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[:500])
    names = list(
        Case.objects.exclude(family_name="").values_list("family_name", flat=True).distinct()[:50]
    )
    refs = list(
        Case.objects.exclude(legacy_reference=None).values_list("legacy_reference", flat=True)[:200]
    )
    nhs = list(Case.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)[:50])
    nhs = nhs or ["9434765919"]
    Path(os.environ["BENCH_WORK"], "targets.json").write_text(
        json.dumps({"cases": ids, "names": names, "refs": refs, "nhs": nhs})
    )


def stage_history(rows: int) -> None:
    import django

    django.setup()
    from home.demo import history_csv_lines

    with Path(os.environ["BENCH_WORK"], "history.csv").open("w") as out:
        out.writelines(line + "\n" for line in history_csv_lines(rows))


# --- The run ------------------------------------------------------------------------------


def analyze(database: str) -> None:
    """What autovacuum does in a deployment within a minute of a large change (it is off on
    some development machines): the planner's statistics, the visibility map that lets counts
    read the index alone, and the trigram index's pending entries merged."""
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/{database}")
    connection.autocommit = True  # VACUUM runs outside a transaction
    connection.cursor().execute("VACUUM ANALYZE")
    connection.close()


def stage(env, name: str, *args: str) -> None:
    subprocess.run([PY, __file__, "--stage", name, *args], cwd=BASE, env=env, check=True)


def stage_output(env, name: str) -> str:
    """The last line a stage printed (its figures, as JSON)."""
    done = subprocess.run(
        [PY, __file__, "--stage", name], cwd=BASE, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"Stage {name} failed:\n{done.stderr}{done.stdout}")
    return done.stdout.strip().splitlines()[-1]


def pages_at(env) -> dict:
    return json.loads(stage_output(env, "pages"))


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def load_run(env, work: Path, users: int, seconds: int) -> dict:
    logs = work / "logs"
    logs.mkdir()
    bin_ = BASE / ".venv/bin"
    spawn = [
        ("gunicorn", [bin_ / "gunicorn", "cdop.wsgi:application",
                      "--bind", f"127.0.0.1:{PORT}", "--workers", "4", "--timeout", "30"]),
        ("worker", [bin_ / "celery", "-A", "cdop", "worker",
                    "--loglevel", "WARNING", "--concurrency", "1"]),
        ("beat", [bin_ / "celery", "-A", "cdop", "beat",
                  "--loglevel", "WARNING", "-s", work / "celerybeat-schedule"]),
    ]  # fmt: skip
    children = {
        name: subprocess.Popen(
            command,
            cwd=BASE,
            env=env,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, command in spawn
    }
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz/")
        subprocess.run(
            [
                bin_ / "locust",
                "-f",
                BASE / "scripts/locustfile.py",
                "--headless",
                "--users",
                str(users),
                # Staff arrive over five seconds, not all in one instant: fifty first clicks
                # at once would queue behind four cold workers and measure only that queue.
                "--spawn-rate",
                str(max(1, users // 5)),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                work / "load",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=BASE,
            env=env,
            check=False,  # locust exits 1 when a request failed: the figures say so
            stdout=(logs / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        running = [name for name in ("worker", "beat") if children[name].poll() is None]
    finally:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
    with (work / "load_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return {"rows": rows, "running": running}


def show_pages(small: dict, large: dict) -> None:
    print("\nPages: p50 as a ratio to the floor, and queries per page (target: under 3×, same")
    print("queries at both sizes)")
    print(f"{'page':<30}{small['cases']:>8,} cases{large['cases']:>14,} cases   queries")
    for name, big in large["pages"].items():
        few = small["pages"][name]
        ratio = f"{few['ratio']:5.1f}× {big['ratio']:9.1f}× ({big['p50_ms']:5.1f} ms)"
        same = "" if few["queries"] == big["queries"] else f"  (was {few['queries']})"
        print(f"{name:<30}{ratio:>34}   {big['queries']}{same}")


# The chasing scan's runs, in this order: (label, mode of `bench_forms.stage_chase`).
CHASE_RUNS = {
    "dry": ("dry run", "dry"),
    "first": ("first run", "send"),
    "second": ("second run", "send"),
}


def show_requests(seeded: list[dict], chases: dict) -> None:
    print("\nReporting form requests (seed data, written in bulk)")
    for figures in seeded:
        statuses = figures["statuses"]
        share = figures["outstanding"] / max(figures["requests"], 1)
        print(
            f"  {figures['requests']:>9,} requests for {figures['cases']:,} cases in "
            f"{figures['seconds']:.1f} s: {share:.1%} outstanding ("
            + ", ".join(f"{status} {count:,}" for status, count in statuses.items())
            + f"), {figures['reminders']:,} reminders sent before, {figures['named']:,} naming"
            " a person"
        )
    first = chases["first"]
    print(
        f"\nChasing scan of {first['day']} over {first['requests']:,} requests, "
        f"{first['outstanding']:,} outstanding (target: under 30 s, writes in proportion to the"
    )
    print("reminders due)")
    for run, (label, _) in CHASE_RUNS.items():
        figures = chases[run]
        print(
            f"  {label:<11}{figures['seconds']:6.1f} s  {figures['scanned']:,} scanned, "
            f"{figures['emails_listed']:,} emails listed, {figures['already_sent']:,} already "
            f"sent; wrote {figures['reminders_written']:,} reminders and "
            f"{figures['emails_written']:,} emails ({figures['queries']:,} queries, "
            f"{figures['writes']:,} writes)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stage",
        choices=[
            "users",
            "pages",
            "targets",
            "history",
            "export-csv",
            "export-xlsx",
            "agencies",
            "requests",
            *(f"chase-{run}" for run in CHASE_RUNS),
        ],
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.stage == "users":
        return stage_users(args.users)
    if args.stage == "pages":
        return stage_pages()
    if args.stage == "targets":
        return stage_targets()
    if args.stage == "history":
        return stage_history(args.rows)
    if args.stage in ("export-csv", "export-xlsx"):
        return stage_export(args.stage.removeprefix("export-"))
    if args.stage == "agencies":
        return bench_forms.stage_agencies()
    if args.stage == "requests":
        return bench_forms.stage_requests()
    if args.stage and args.stage.startswith("chase-"):
        return bench_forms.stage_chase(CHASE_RUNS[args.stage.removeprefix("chase-")][1])

    import psycopg2
    import redis

    database = f"cdop_bench_{os.getpid()}"
    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(REDIS).flushdb()
    work = Path(tempfile.mkdtemp(prefix="cdop-bench-"))
    env = production_env(database, work)
    try:
        print(f"Database {database}, files in {work}")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")  # the production storage needs its manifest
        manage(env, "load_demo", "--force")
        stage(env, "users", "--users", str(args.users))
        stage(env, "agencies")
        seeded = [json.loads(stage_output(env, "requests"))]
        analyze(database)
        small = pages_at(env)

        history = work / "history.csv"
        stage(env, "history", "--rows", str(args.rows))
        fresh = timed_child(env, "import_cases", "--panel", "BEDS", str(history))
        again = timed_child(env, "import_cases", "--panel", "BEDS", str(history))
        seeded.append(json.loads(stage_output(env, "requests")))
        analyze(database)
        large = pages_at(env)
        chases = {run: json.loads(stage_output(env, f"chase-{run}")) for run in CHASE_RUNS}

        exports = {
            file_format: json.loads(stage_output(env, f"export-{file_format}"))
            for file_format in ("csv", "xlsx")
        }
        stage(env, "targets")
        load = load_run(env, work, args.users, args.load_seconds) if args.load_seconds else None
    finally:
        if not args.keep:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        redis.Redis.from_url(REDIS).flushdb()

    print(f"\nImport of {args.rows:,} rows (import_cases)")
    for label, (seconds, memory, output) in (("fresh history", fresh), ("re-import", again)):
        rate = args.rows / seconds
        print(f"  {label:<14} {seconds:6.1f} s  {rate:7,.0f} rows/s  peak {memory} MB  {output}")
    show_pages(small, large)
    show_requests(seeded, chases)
    print(
        f"\nExports of all {large['cases']:,} cases (target: first byte within 1 s, under 150 MB)"
    )
    for file_format, figures in exports.items():
        print(
            f"  {file_format.upper():<5} first byte {figures['first_byte_s']:5.2f} s, "
            f"all {figures['total_s']:5.1f} s, {figures['mb']:5.1f} MB; process peak "
            f"{figures['peak_mb']} MB (+{figures['growth_mb']} MB during the export)"
        )
        if figures["worker_s"] is not None:
            print(
                f"        (the first byte is the page offering a worker; the worker wrote the"
                f" file in {figures['worker_s']:.1f} s, then it was downloaded from its page)"
            )
    if load is None:
        return
    total = load["rows"]["Aggregated"]
    print(f"\nLoad: {args.users} simulated staff for {args.load_seconds} s against gunicorn")
    print(f"{'request':<30}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}")
    for name, row in load["rows"].items():
        print(
            f"{name:<30}{row['Request Count']:>9}{row['Failure Count']:>9}"
            f"{row['50%']:>8}{row['95%']:>8}"
        )
    print(f"  worker and beat running throughout: {', '.join(load['running']) or 'NO'}")
    print(f"  (target: p95 under 300 ms, no failures; this run: p95 {total['95%']} ms, ", end="")
    print(f"{total['Failure Count']} failures)")


if __name__ == "__main__":
    main()
