"""The settings refuse unsafe production configurations and pass Django's deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-entropy-4f9c2b7e1d8a6350",
    "ALLOWED_HOSTS": "cdop.example.org",
    "DATABASE_URL": "sqlite:////tmp/cdop-deploy-check.sqlite3",
    "REDIS_URL": "",
    "MAIL_HOST": "smtp.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The test settings put their own values in os.environ: start from a clean slate.
    ours = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "HTTPS",
        "DATABASE_URL",
        "REDIS_URL",
        "MFA_REQUIRED",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cdop.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_passes_the_deploy_checks_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_with_two_factor_disabled():
    result = manage("check", **PRODUCTION, MFA_REQUIRED="False")
    assert result.returncode != 0
    assert "MFA_REQUIRED=False is allowed only with DEBUG=True" in result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_it_documents_every_environment_variable_in_env_example():
    settings_source = (ROOT / "cdop" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    used = set(re.findall(r'env(?:\.\w+|_str)\(\s*"([A-Z_]+)"', settings_source))
    assert used, "no variables found: the pattern no longer matches settings.py"
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert used - documented == set()
