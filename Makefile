# The single command surface: `make help` lists the targets. CI calls the same targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
# The installed packages are compiled once, so no command compiles them again at start
# (PYTHONDONTWRITEBYTECODE is set on CI machines).
export UV_COMPILE_BYTECODE := 1
# uv cannot download interpreters here: find Python 3.13 on PATH or in pyenv.
PYTHON313 ?= $(firstword $(shell command -v python3.13) $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.13*/bin/python3.13))
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: help install run worker test test-fast bench lint format vendor-frontend clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is needed (python3.13 on PATH or pyenv)." >&2; exit 1; }
	$(PYTHON313) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON313)
	@touch $@

install: $(VENV)/.synced ## Create the virtual environment with the locked dependencies

run: install ## Run the service with demo data on SQLite, with the background jobs
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	@set -euo pipefail; \
	export DEBUG=$${DEBUG:-True} MFA_REQUIRED=$${MFA_REQUIRED:-False}; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_demo; \
	$(VENV)/bin/celery -A cdop worker --beat --pool solo --loglevel WARNING \
		--schedule var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Sign in at http://127.0.0.1:$(PORT)/"; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the whole suite on PostgreSQL and Redis (CI=true: a missing service fails)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install ## The suite without the browser and Celery worker tests
	$(VENV)/bin/pytest -m "not e2e and not celery_worker" $(PYTEST_ARGS)

bench: install ## National-scale figures: 100,000 cases in a throw-away database (BENCH_ARGS="--rows N")
	$(PY) scripts/bench.py $(BENCH_ARGS)

lint: install ## ruff format check, ruff check, app layers and private imports, missing migrations
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_private_imports.py
	DJANGO_SETTINGS_MODULE=cdop.settings_test DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

format: install ## Format the code and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

vendor-frontend: ## Rebuild static/vendor from npm (developers only; needs Node)
	npm ci
	npm run vendor

clean: ## Remove the virtual environments and local data
	rm -rf .venv .tools var
