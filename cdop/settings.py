"""Settings for the CDOP service, read from the environment.

One module for every deployment: `.env.example` documents each variable. The defaults are
the safe, self-contained ones used by `make run` (SQLite, no Redis, console email, DEBUG on
only when asked for); production sets the variables and `check --deploy` stays clean.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Local state for `make run` (git-ignored): the SQLite file and the embedded broker's folders.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def env_str(name: str, default: str | None = None) -> str:
    value = env.str(name, default=default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-" + "x" * 40 if DEBUG else None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "guardian",
    "simple_history",
    "core",
    "home",
    "accounts",
    "panels",
    "cases",
    "agency_forms",
    "rapid_response",
    "meetings",
    "reporting",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.permissions.RolesReadOncePerRequest",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SignInPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cdop.urls"
WSGI_APPLICATION = "cdop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.GovUKFormRenderer"

# --- Panel meetings ---------------------------------------------------------------------------
# Invited members read a meeting's papers from their release until this many days after it.
MEETING_PAPERS_DAYS_AFTER = env.int("MEETING_PAPERS_DAYS_AFTER", default=7)

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cdop.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler costs 20-600 ms on the first run of a big-looking plan (the
    # national-scale lists): far more than it saves on this service's indexed queries.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL streaming replica, optional: the exports and the case list read from it
# (core/replica.py); writes, and everything else, stay on the primary. Unset: one database.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
# Replication lag: the replica is usually well under a second behind, but a busy primary or a
# slow link stretches that. For this long after a user's change, their reads use the primary.
REPLICA_READ_AFTER_WRITE_SECONDS = env.int("REPLICA_READ_AFTER_WRITE_SECONDS", default=30)
READ_FROM_REPLICA = bool(REPLICA_DATABASE_URL)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **env.db_url("REPLICA_DATABASE_URL"),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        # The test runner makes no second database: the replica is the test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "core.replica.ReadAfterWriteMiddleware",
    )

# --- Redis: cache and Celery broker ---------------------------------------------------------
# Redis is a cache and a broker, never the only copy of anything: when it is down the cache
# misses (core.cache fails open, with a log line), sessions are read from the database and
# emails wait in the outbox for the sweep. Connections give up within half a second.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry": Retry(NoBackoff(), 0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts, sign-in and sessions ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password_from_key": "accounts.forms.SetPasswordForm",
}
# Failed sign-ins are limited by django-axes alone (per username and address, below), so that
# one policy applies and is recorded; allauth's other limits (password reset…) stay on.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CDOP"
# Two-factor sign-in is required of every user; only `make run`'s demo may switch it off.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)

# In the database alone: signing in and staying signed in must not depend on Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60  # idle timeout: every request pushes expiry on by 30 minutes
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_VERBOSE = False
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# Whole NHS trusts and councils share egress addresses: never lock an address alone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.axes.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
# Behind a TLS-terminating proxy (docker-compose, a load balancer) in production.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
if env.bool("BEHIND_PROXY", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a decision for the operator

# --- Email (Django 6.1 MAILERS) -------------------------------------------------------------
MAIL_HOST = env.str("MAIL_HOST", default="")
if MAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": MAIL_HOST,
                "port": env.int("MAIL_PORT", default=587),
                "username": env.str("MAIL_USER", default=""),
                "password": env.str("MAIL_PASSWORD", default=""),
                "use_tls": env.bool("MAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env.str("MAIL_FROM", default="CDOP <cdop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": 5,
        "max_retries": 0,
    }
    # A web request queues a task after commit and never waits for a broker that is down:
    # one quick try, and the outbox's sweep sends what was not queued.
    CELERY_TASK_PUBLISH_RETRY = False
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
else:
    # `make run`: kombu's filesystem transport, so the worker and beat really run with no Redis.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "core.tasks.record_heartbeat",
        "schedule": env.float("HEARTBEAT_SECONDS", default=60.0),
    },
    # Emails not sent yet (never queued, SMTP down, a worker lost mid-send), every minute.
    "send-outbox": {
        "task": "core.tasks.send_outbox",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    # Large spreadsheets whose task was lost, or whose worker was, and expired files.
    "case-exports": {
        "task": "cases.tasks.sweep_case_exports",
        "schedule": env.float("CASE_EXPORT_SWEEP_SECONDS", default=60.0),
    },
    # Reminders and escalations of reporting form requests, hourly: the scan is idempotent, so
    # running it more often only catches up sooner after an outage.
    "chase-form-requests": {
        "task": "agency_forms.tasks.chase_form_requests",
        "schedule": env.float("FORM_CHASE_SECONDS", default=3600.0),
    },
    # Unexpected deaths whose planning discussion was missed: hourly, each flagged once.
    "rapid-response-clock": {
        "task": "rapid_response.tasks.rapid_response_clock",
        "schedule": env.float("RAPID_RESPONSE_CLOCK_SECONDS", default=3600.0),
    },
    # The 12-month review target's warnings and breaches: a scan, so the hourly run of a
    # daily check only catches up sooner after an outage (each notice is sent once).
    "review-target-watch": {
        "task": "cases.tasks.review_target_watch",
        "schedule": env.float("REVIEW_TARGET_WATCH_SECONDS", default=3600.0),
    },
}
# A spreadsheet of more cases than this is written by a worker, to download when ready.
CASE_EXPORT_DIRECT_ROWS = env.int("CASE_EXPORT_DIRECT_ROWS", default=5000)
CASE_EXPORT_KEEP_HOURS = env.int("CASE_EXPORT_KEEP_HOURS", default=24)
# Files an agency attaches to its form (PDF, DOCX, PNG, JPEG), each at most this size.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The web server in front should refuse bodies a little over this (deploy/ has the setting).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"  # fixed: the image collects here at build
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Sign-in attempts are recorded in axes' tables; its per-request lines only add noise.
    "loggers": {"axes": {"level": "WARNING"}},
}

if not DEBUG and not MFA_REQUIRED:
    raise ImproperlyConfigured("MFA_REQUIRED=False is allowed only with DEBUG=True (the demo).")
