# syntax=docker/dockerfile:1
#
# One image for every process of the service: `web` (gunicorn), `worker` and `beat` (Celery)
# and the one-shot `migrate`; docker-compose.yml picks the command. Two stages: `build`
# compiles the dependencies (psycopg2 builds from source against libpq) into a virtualenv,
# `runtime` copies only that virtualenv and the application code, and runs as a non-root user.

ARG PYTHON_IMAGE=python:3.13-slim-trixie

# --- build: the virtualenv at /app/.venv ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3.13 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

# gcc + libpq-dev (headers and pg_config): psycopg2 has no Linux wheel and builds here.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*

RUN pip install uv==0.13.8

WORKDIR /app
# Only the dependency manifests: this layer is rebuilt when the lock changes, not the code.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=cdop.settings

# libpq5: psycopg2 at run time. The rest: WeasyPrint's native libraries and fonts (PDF reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpq5 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-liberation2 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The unprivileged user every process runs as. /var/lib/cdop holds the beat schedule: compose
# mounts a named volume there, which takes this ownership when first created.
RUN groupadd --system --gid 10001 cdop \
    && useradd --system --uid 10001 --gid cdop --create-home --home-dir /home/cdop \
        --shell /usr/sbin/nologin cdop \
    && install -d -o cdop -g cdop -m 0750 /var/lib/cdop

WORKDIR /app
COPY --from=build /app/.venv /app/.venv
# Code stays owned by root: the app user can read it but not change it.
COPY . .

# Static files are collected (hashed and compressed by whitenoise) into var/staticfiles at
# build time. The settings need a SECRET_KEY and a DATABASE_URL to import; these dummy values
# exist for this step only and are not in the image's environment. Nothing connects to them.
RUN SECRET_KEY=build-only-collectstatic-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    DEBUG=False \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

USER cdop

EXPOSE 8000

CMD ["gunicorn", "cdop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
