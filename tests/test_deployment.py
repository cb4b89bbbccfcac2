"""The container deployment: docker-compose.yml and the Dockerfile, read as files.

No Docker engine is needed: the compose file is parsed as YAML (with its `${NAME:-default}`
interpolation resolved to the defaults) and the Dockerfile as text.
"""

import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")
BACKING_SERVICES = ("postgres", "redis", "mailpit")

INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)
TRUTHY = {"true", "on", "yes", "1", "y", "t"}


# --- helpers ----------------------------------------------------------------------------------
@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def with_defaults(value: object) -> str:
    """A compose value as it comes out with no variables set: `${X:-d}` gives d, `$$` gives $."""
    text = str(value).replace("$$", "\0")

    def replace(match: re.Match) -> str:
        op, arg = match["op"], match["arg"]
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            return f"<required {match['name']}>"
        return ""

    return INTERPOLATION.sub(replace, text).replace("\0", "$")


def raw_environment(name: str) -> dict[str, str]:
    """A service's `environment` as written, interpolation and all."""
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def environment(name: str) -> dict[str, str]:
    """A service's `environment` as the containers get it when .env sets nothing."""
    return {key: with_defaults(value) for key, value in raw_environment(name).items()}


def command(name: str) -> str:
    cmd = service(name).get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def healthcheck_command(name: str) -> str:
    test = service(name)["healthcheck"]["test"]
    if isinstance(test, list):
        if test[0] in ("CMD", "CMD-SHELL"):
            test = test[1:]
        return " ".join(test)
    return str(test)


def depends_on(name: str) -> dict[str, dict]:
    deps = service(name).get("depends_on") or {}
    if isinstance(deps, list):  # the short form has no condition at all
        return {dep: {} for dep in deps}
    return deps


def named_volumes() -> set[str]:
    return set((compose().get("volumes") or {}).keys())


def volume_sources(name: str) -> dict[str, str]:
    """Mount target -> source for a service's volumes (short syntax and long syntax)."""
    mounts = {}
    for volume in service(name).get("volumes") or []:
        if isinstance(volume, dict):
            mounts[volume["target"]] = volume.get("source", "")
        else:
            source, target = volume.split(":")[:2]
            mounts[target] = source
    return mounts


def published_ports(name: str) -> list[str]:
    ports = []
    for port in service(name).get("ports") or []:
        if isinstance(port, dict):
            ports.append(f"{port.get('published', '')}:{port['target']}")
        else:
            ports.append(str(port))
    return ports


@cache
def dockerfile_stages() -> dict[str, str]:
    """Each stage's instructions (continuations joined, comments dropped), keyed by its name."""
    text = DOCKERFILE.read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\s*\n", " ", "\n".join(lines))
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", joined.split("\nFROM")[0], flags=re.MULTILINE))
    stages: dict[str, str] = {}
    current = None
    for line in joined.splitlines():
        match = re.match(r"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if match:
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), match[1])
            current = (match[2] or f"stage{len(stages)}").lower()
            stages[current] = f"FROM {image}\n"
        elif current is not None:
            stages[current] += line + "\n"
    return stages


def final_stage() -> str:
    return list(dockerfile_stages().values())[-1]


def build_stages() -> list[str]:
    return list(dockerfile_stages().values())[:-1]


# --- docker-compose.yml -----------------------------------------------------------------------
def test_compose_defines_the_backing_and_application_services():
    assert set(compose()["services"]) >= {*BACKING_SERVICES, *APP_SERVICES}


def test_every_long_running_service_has_a_healthcheck():
    for name, definition in compose()["services"].items():
        if name == "migrate":
            continue
        check = definition.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"
        assert check["test"] not in (["NONE"], "NONE"), f"{name} disables its healthcheck"


def test_app_services_wait_for_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        deps = depends_on(name)
        for backing in ("postgres", "redis"):
            assert deps.get(backing, {}).get("condition") == "service_healthy", (name, backing)


def test_migrate_completes_before_web_worker_and_beat():
    migrate = service("migrate")
    assert migrate.get("restart") == "no"
    assert "manage.py migrate --noinput" in command("migrate")
    for name in LONG_RUNNING_APP_SERVICES:
        condition = depends_on(name).get("migrate", {}).get("condition")
        assert condition == "service_completed_successfully", name


def test_app_services_run_one_image():
    images = {service(name).get("image") for name in APP_SERVICES}
    assert len(images) == 1
    assert None not in images


def test_long_running_services_restart_unless_stopped():
    for name in (*BACKING_SERVICES, *LONG_RUNNING_APP_SERVICES):
        assert service(name).get("restart") == "unless-stopped", name


def test_postgres_is_version_17_on_a_named_volume():
    postgres = service("postgres")
    assert postgres["image"] == "postgres:17"
    assert healthcheck_command("postgres") == "pg_isready -U $$POSTGRES_USER -d $$POSTGRES_DB"
    sources = volume_sources("postgres")
    assert sources.get("/var/lib/postgresql/data") in named_volumes()


def test_postgres_password_is_required_not_defaulted():
    password = raw_environment("postgres")["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", password)


def test_redis_never_evicts_and_persists():
    redis = service("redis")
    assert redis["image"] == "redis:7"
    assert "--maxmemory-policy noeviction" in command("redis")
    assert "--appendonly yes" in command("redis")
    assert healthcheck_command("redis") == "redis-cli ping"
    assert volume_sources("redis").get("/data") in named_volumes()


def test_mailpit_catches_the_apps_mail():
    mailpit = service("mailpit")
    assert mailpit["image"].split(":")[0] == "axllent/mailpit"
    assert any(port.endswith(":8025") or port == "8025" for port in published_ports("mailpit"))
    assert not any(port.endswith(":1025") for port in published_ports("mailpit"))
    assert healthcheck_command("mailpit") == "/mailpit readyz"
    for name in APP_SERVICES:
        env = environment(name)
        assert env["MAIL_HOST"] == "mailpit", name
        assert env["MAIL_PORT"] == "1025", name
        assert env["MAIL_USE_TLS"].lower() not in TRUTHY, name


def test_web_runs_gunicorn_on_cdop_wsgi():
    assert command("web") == (
        "gunicorn cdop.wsgi:application --bind 0.0.0.0:8000 --workers 3 --timeout 30"
    )
    assert healthcheck_command("web") == (
        "python -c import urllib.request; "
        "urllib.request.urlopen('http://127.0.0.1:8000/healthz/', timeout=3)"
    )


def test_two_web_replicas_run_behind_the_proxy():
    replicas = with_defaults((service("web").get("deploy") or {}).get("replicas", 1))
    assert int(replicas) >= 2
    # Replicas cannot share a published port: only the proxy publishes one, on loopback.
    assert published_ports("web") == []
    assert published_ports("proxy") == ["127.0.0.1:8000:8000"]
    assert depends_on("proxy").get("web", {}).get("condition") == "service_healthy"
    assert service("proxy").get("restart") == "unless-stopped"
    mounted = volume_sources("proxy").get("/etc/nginx/conf.d/default.conf", "")
    config = (ROOT / mounted.removeprefix("./")).read_text()
    # Docker's DNS gives one address per replica; `resolve` follows them as they change.
    assert re.search(r"^\s*server web:8000 resolve;", config, re.MULTILINE)
    assert re.search(r"^\s*proxy_pass http://web;", config, re.MULTILINE)


def test_web_health_check_host_is_always_allowed():
    # The health check sends Host: 127.0.0.1:8000, whatever ALLOWED_HOSTS the operator sets.
    raw = raw_environment("web")["ALLOWED_HOSTS"]
    assert "127.0.0.1" in raw.split("}")[-1].split(",")


def test_worker_runs_celery_and_answers_pings():
    assert command("worker") == "celery -A cdop worker --loglevel INFO"
    assert healthcheck_command("worker") == (
        "celery -A cdop inspect ping -d celery@$$HOSTNAME --timeout 5"
    )


def test_it_runs_exactly_one_beat():
    beat = service("beat")
    replicas = (beat.get("deploy") or {}).get("replicas", 1)
    assert replicas == 1
    assert "scale" not in beat
    beats = [name for name in compose()["services"] if " beat" in f" {command(name)}"]
    assert beats == ["beat"]


def test_beat_keeps_its_schedule_on_a_named_volume():
    assert command("beat") == (
        "celery -A cdop beat --loglevel INFO -s /var/lib/cdop/celerybeat-schedule"
    )
    assert volume_sources("beat").get("/var/lib/cdop") in named_volumes()


def test_no_service_uses_debug():
    for name in compose()["services"]:
        debug = environment(name).get("DEBUG", "False")
        assert debug.strip().lower() not in TRUTHY, name


def test_app_services_expect_a_tls_proxy_and_require_mfa():
    for name in APP_SERVICES:
        env = environment(name)
        assert env["HTTPS"].lower() in TRUTHY, name
        assert env["BEHIND_PROXY"].lower() in TRUTHY, name
        assert env["MFA_REQUIRED"].lower() in TRUTHY, name


def test_secret_key_must_be_set_by_the_operator():
    for name in APP_SERVICES:
        assert raw_environment(name)["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}", name


def test_app_services_use_postgres_and_redis_from_compose():
    for name in APP_SERVICES:
        env = environment(name)
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name


def test_app_environment_variables_are_documented_in_env_example():
    assert ENV_EXAMPLE.exists(), ".env.example documents the variables docker-compose.yml uses"
    documented = ENV_EXAMPLE.read_text()
    names = {key for name in APP_SERVICES for key in raw_environment(name)}
    # Variables compose refuses to start without must be documented too (POSTGRES_PASSWORD).
    names |= {
        m["name"] for m in INTERPOLATION.finditer(COMPOSE_FILE.read_text()) if m["op"] == ":?"
    }
    missing = sorted(
        name
        for name in names
        if not re.search(rf"^[#\s]*(?:export\s+)?{name}\s*=", documented, re.MULTILINE)
    )
    assert not missing, f"not in .env.example: {missing}"


# --- Dockerfile -------------------------------------------------------------------------------
def test_image_is_based_on_python_3_13_slim():
    for stage in dockerfile_stages().values():
        assert stage.startswith("FROM python:3.13-slim"), stage.splitlines()[0]


def test_build_stage_compiles_psycopg2_against_libpq():
    build = "\n".join(build_stages())
    assert build, "the Dockerfile has a separate build stage"
    assert "libpq-dev" in build
    assert "gcc" in build
    assert "libpq-dev" not in final_stage()
    assert "gcc" not in final_stage()


def test_dependencies_install_from_the_lock_without_dev_tools():
    build = "\n".join(build_stages())
    assert "uv sync --locked --no-dev" in build
    assert re.search(r"pip install uv==\d+\.\d+\.\d+", build)
    assert "UV_PROJECT_ENVIRONMENT=/app/.venv" in build
    assert "UV_PYTHON_DOWNLOADS=never" in build
    assert re.search(r"^COPY --from=\S+ /app/\.venv /app/\.venv", final_stage(), re.MULTILINE)


def test_runtime_has_libpq_and_the_weasyprint_libraries():
    runtime = final_stage()
    for package in (
        "libpq5",
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-liberation2",
        "fonts-dejavu-core",
    ):
        assert re.search(rf"\s{re.escape(package)}(\s|$)", runtime), package


def test_static_files_are_collected_at_build_time_with_throwaway_settings():
    runs = [line for line in final_stage().splitlines() if line.startswith("RUN ")]
    collect = [run for run in runs if "manage.py collectstatic --noinput" in run]
    assert len(collect) == 1
    assert "SECRET_KEY=" in collect[0]
    assert "DATABASE_URL=sqlite:////tmp/build.sqlite3" in collect[0]
    # The dummy values belong to that step only, never to the image's environment.
    for line in final_stage().splitlines():
        if line.startswith(("ENV ", "ARG ")):
            assert "SECRET_KEY" not in line
            assert "DATABASE_URL" not in line


def test_image_runs_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", final_stage(), re.MULTILINE)
    assert users, "the runtime stage sets USER"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_docker_context_leaves_out_secrets_and_local_state():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".env", ".git", ".venv", "node_modules", "var"} <= ignored
