"""Test settings: the real services (PostgreSQL, Redis) by default, fast hashing, no TLS."""

import os

os.environ.setdefault("DEBUG", "False")
os.environ.setdefault(
    "SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-checks-0123456789"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("HTTPS", "False")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cdop")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from cdop.settings import *  # noqa: F403
from cdop.settings import DATABASES, MIDDLEWARE, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not os.environ.get("MAIL_HOST"):  # a worker test points a real worker at a mail server
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
STATIC_ROOT = None  # tests serve static files from the finders; nothing is collected
WHITENOISE_USE_FINDERS = True

# Every test runs with the second alias, "replica", that REPLICA_DATABASE_URL gives a deployment,
# with its router and middleware. It mirrors default: a second connection to the test database.
# That connection cannot see what a test writes inside its transaction, so heavy reads stay on
# default here; tests/core/test_replica.py turns READ_FROM_REPLICA on, in tests that commit.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}
DATABASE_ROUTERS = ["core.replica.PrimaryReplicaRouter"]
if "core.replica.ReadAfterWriteMiddleware" not in MIDDLEWARE:
    MIDDLEWARE = [*MIDDLEWARE]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "core.replica.ReadAfterWriteMiddleware",
    )
READ_FROM_REPLICA = False
