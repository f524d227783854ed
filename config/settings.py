"""Settings for Kvalitetsportalen, read from the environment.

With no environment at all the portal runs on a SQLite file, queues Celery tasks in a
folder under ``var/`` for the worker `make run` starts, and prints e-mail to the console.
``DATABASE_URL``, ``REDIS_URL`` and the e-mail and storage variables switch on the real
services. Every variable is documented in
``docs/settings.md``; a malformed value stops the start with a message naming it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import local_broker
from config.env import Env, read_oidc_providers

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

# --- Core -----------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    value = env.str("SECRET_KEY")
    if value is not None:
        if len(value) < 50 or len(set(value)) < 5:
            raise env.fail(
                "SECRET_KEY",
                value[:4] + "…",
                "minst 50 tilfeldige tegn (lag en med "
                "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`)",
            )
        return value
    # A single host needs no configuration: keep a random key beside the data so sessions
    # survive restarts. Several hosts must share SECRET_KEY from the environment.
    key_file = BASE_DIR / "var" / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "plans.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "rules",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "plans",
    "indicators",
    "btitracker",
    "competence",
    "reports",
    # Sign-in with the municipality's identity provider (OpenID Connect).
    "identity",
    # The highest layer: loads the demo municipality through every app's seeder.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside every view below it, so each logged-in response leaves as private, no-store.
    "plans.middleware.PrivateCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plans.middleware.SessionTimeoutMiddleware",
    # An OpenID Connect session goes back to its provider after OIDC_REVALIDATE_SECONDS.
    "identity.middleware.OidcRevalidationMiddleware",
    # Who is making a membership change, for the BTI access log (btitracker/signals.py).
    "btitracker.signals.RequestMiddleware",
    # A PDF that timed out or failed becomes a page with the reason (documents/pdf.py).
    "documents.middleware.PdfRenderErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plans.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

_database_url = (
    env.url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
    or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
)
if _database_url.startswith("sqlite:///") and "var/db.sqlite3" in _database_url:
    (BASE_DIR / "var").mkdir(exist_ok=True)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:  # dj-database-url says what it could not parse
    raise ImproperlyConfigured(f"Ugyldig verdi for DATABASE_URL: {exc}") from exc
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache -----------------------------------------------------

REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss"))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kvalitetsportalen",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Conventions for every task (docs/architecture.md): tasks take ids, are queued with
# transaction.on_commit, and are safe to run twice, which acks_late relies on.
# Without Redis the broker is a folder (config/local_broker.py) that a real worker reads,
# so ordering a report never waits for it; only CELERY_EAGER=true (the tests) runs tasks
# in the process that queues them.
TASK_MODE = local_broker.task_mode(env)
LOCAL_BROKER_DIR: Path | None = None
if TASK_MODE == local_broker.LOCAL:
    LOCAL_BROKER_DIR = local_broker.broker_dir(env, BASE_DIR)
    local_broker.prepare(LOCAL_BROKER_DIR)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_BROKER_DIR / local_broker.BEAT_SCHEDULE)
else:
    CELERY_BROKER_URL = REDIS_URL or "memory://"
# Only Redis keeps results: no task's caller reads one (progress and outcome live on the
# rows: the report, the import batch), so the folder broker needs no result backend.
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = TASK_MODE == local_broker.EAGER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, 1)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=800_000, minimum=50_000
)  # kilobytes
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redelivery of an unacknowledged task after a lost worker waits this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600, minimum=60),
    **(local_broker.transport_options(LOCAL_BROKER_DIR) if LOCAL_BROKER_DIR else {}),
}
CELERY_TIMEZONE = "Europe/Oslo"
# Periodic jobs, queued by `celery beat` (the compose file's beat service) in CELERY_TIMEZONE.
CELERY_BEAT_SCHEDULE = {
    "weekly-reminders": {
        "task": "plans.send_weekly_reminders",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "bti-daily-reminders": {
        "task": "btitracker.send_reminders",
        "schedule": crontab(minute=30, hour=6),
    },
    "bti-retention": {
        "task": "btitracker.apply_retention",
        "schedule": crontab(minute=0, hour=2),
    },
    # The access log's row count and head hash, appended where the database cannot reach.
    "bti-audit-checkpoint": {
        "task": "btitracker.audit_checkpoint",
        "schedule": crontab(minute=15, hour=2),
    },
    # Status reports ordered while Redis was down are sent once it is back.
    "requeue-status-reports": {
        "task": "reports.requeue_status_reports",
        "schedule": timedelta(minutes=2),
    },
}

# --- Authentication, sessions, lockout --------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Idle and absolute session limits, enforced by plans.middleware.SessionTimeoutMiddleware;
# the cookie itself lives no longer than the idle limit.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in with each municipality's own identity provider, beside the local accounts
# (identity/, docs/deployment.md). Incomplete settings stop the start (config/env.py).
OIDC_PROVIDERS = read_oidc_providers(env)
# How long an OpenID Connect login holds before the provider is asked again, so an
# account disabled there stops working here within this many seconds.
OIDC_REVALIDATE_SECONDS = env.int("OIDC_REVALIDATE_SECONDS", default=60 * 60, minimum=60)

# Login lockout (plans/login_guard.py, docs/settings.md): the failing address and the
# username are locked, progressively longer; a browser the user has logged in with before
# (device cookie) is exempt, so an attacker behind the same NAT cannot lock the user out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_BASE = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
AXES_COOLOFF_MAX = timedelta(hours=env.int("AXES_COOLOFF_MAX_HOURS", default=24, minimum=1))
AXES_COOLOFF_TIME = "plans.login_guard.cool_off"
# The failing address, and a name at the addresses that failed it; a name under attack
# from many addresses is throttled in the login view (plans.login_guard.is_throttled), which
# never refuses a client that has not failed itself.
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_WHITELIST_CALLABLE = "plans.login_guard.is_known_device"
AXES_CLIENT_IP_CALLABLE = "plans.login_guard.client_ip"
# A success must not wipe the failures of an attacker at the same address or name.
AXES_RESET_ON_SUCCESS = False
# The client address: REMOTE_ADDR, unless the proxy in front writes a header we trust.
TRUSTED_PROXY_HEADER = env.header("TRUSTED_PROXY_HEADER")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1, minimum=1)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

# --- HTTPS and security headers ---------------------------------------------------------

HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}

# --- Language and time ------------------------------------------------------------------

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
# locale/ holds the portal's own strings; locale_overrides/ fills gaps in Django's own
# catalogues (see the comment in its files).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT") or BASE_DIR / "var" / "media")

MEDIA_STORAGE = env.choice("MEDIA_STORAGE", default="local", choices=("local", "s3"))
if MEDIA_STORAGE == "s3":
    _missing = [name for name in ("S3_BUCKET", "S3_ENDPOINT_URL") if not env.is_set(name)]
    if _missing:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 krever også " + " og ".join(_missing) + ".")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.url("S3_ENDPOINT_URL", schemes=("https", "http")),
            "region_name": env.str("S3_REGION"),
            "access_key": env.str("S3_ACCESS_KEY_ID"),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        # Hashed, compressed files once `collectstatic` has run (the Docker image);
        # before that (make run, tests) the files are served as they are.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if (STATIC_ROOT / "staticfiles.json").exists()
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -------------------------------------------------------------------------------

EMAIL_HOST = env.str("EMAIL_HOST")
_email_default = "smtp" if EMAIL_HOST else "console"
EMAIL_DELIVERY = env.choice(
    "EMAIL_DELIVERY", default=_email_default, choices=("console", "smtp", "file")
)
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}[EMAIL_DELIVERY]
if EMAIL_DELIVERY == "smtp" and not EMAIL_HOST:
    raise ImproperlyConfigured("EMAIL_DELIVERY=smtp krever EMAIL_HOST.")
EMAIL_PORT = env.int("EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kvalitetsportalen@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address in links of mail sent by the workers, which have no request.
PORTAL_BASE_URL = (
    env.url("PORTAL_BASE_URL", schemes=("https", "http")) or "http://127.0.0.1:8000"
).rstrip("/")

# Indicator imports: the largest file accepted, and from what size the parsing runs as a
# Celery task with a progress bar rather than in the request.
INDICATOR_IMPORT_MAX_BYTES = env.int("INDICATOR_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
INDICATOR_IMPORT_ASYNC_BYTES = env.int("INDICATOR_IMPORT_ASYNC_BYTES", 200 * 1024, minimum=0)

# Status reports (docs/reports.md): the render task's own time limits, and a test-only
# pause in the layout stage that lets the worker tests kill a worker mid-render.
REPORT_TASK_TIME_LIMIT = env.int("REPORT_TASK_TIME_LIMIT", default=900, minimum=10)
REPORT_TASK_SOFT_TIME_LIMIT = max(REPORT_TASK_TIME_LIMIT - 60, 5)
# The status report's layout (in the worker, not a web request) may take longer than
# PDF_RENDER_TIMEOUT, but stops before the task's soft limit so the report gets the message.
REPORT_PDF_TIMEOUT = max(REPORT_TASK_SOFT_TIME_LIMIT - 30, 1)
REPORT_TEST_LAYOUT_DELAY = env.int("REPORT_TEST_LAYOUT_DELAY", default=0, minimum=0)

# --- Forms and the rest -------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_CONFIRM = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Counts below this are shown as suppressed in every aggregate (docs/domain.md).
SUPPRESSION_THRESHOLD = env.int("SUPPRESSION_THRESHOLD", default=5, minimum=1)

# --- BTI (stafettlogg): special-category data about children; see docs/bti.md ------------

# Fernet keys (comma-separated, the first encrypts, all decrypt: rotation) and the key of
# the keyed hash that finds a child and pseudonymises the audit log. Without them (DEBUG,
# tests) keys are derived from SECRET_KEY; `check --deploy` fails unless both are set.
BTI_ENCRYPTION_KEYS = env.list("BTI_ENCRYPTION_KEYS", default=[])
BTI_HASH_KEY = env.str("BTI_HASH_KEY", default="") or ""
# The key of the access log's chain (HMAC-SHA256), separate from the data keys: whoever
# can write the database cannot recompute the chain without it. Derived from SECRET_KEY
# when unset (DEBUG, tests); `check --deploy` refuses that (btitracker.E004).
BTI_AUDIT_KEY = env.str("BTI_AUDIT_KEY", default="") or ""
# Where the nightly checkpoint (row count and head hash of the access log) is appended:
# a file the database user cannot rewrite (append-only, on another volume or host).
# `check --deploy` refuses the development default (btitracker.E005). See docs/bti.md.
BTI_AUDIT_CHECKPOINT_FILE = env.str("BTI_AUDIT_CHECKPOINT_FILE", default="") or ""
BTI_DECISION_DAYS = env.int("BTI_DECISION_DAYS", default=14, minimum=1)
BTI_OWN_CONSENT_AGE = env.int("BTI_OWN_CONSENT_AGE", default=15, minimum=12)
BTI_RETENTION_DAYS = env.int("BTI_RETENTION_DAYS", default=5 * 365, minimum=1)
BTI_REMINDER_DAYS_AHEAD = env.int("BTI_REMINDER_DAYS_AHEAD", default=3, minimum=0)
# How long the e-mailed code that must come before setting up TOTP is valid.
BTI_ENROL_CODE_MINUTES = env.int("BTI_ENROL_CODE_MINUTES", default=15, minimum=1)
BTI_CHILD_WELFARE_CONTACT = env.str(
    "BTI_CHILD_WELFARE_CONTACT",
    default="Barnevernstjenesten i kommunen; utenom kontortid barnevernvakten. "
    "Alarmtelefonen for barn og unge: 116 111.",
)
BTI_POLICE_CONTACT = env.str(
    "BTI_POLICE_CONTACT", default="Politiet: 02800. Ved akutt fare: ring 112."
)
OTP_TOTP_ISSUER = "Kvalitetsportalen"

# Every PDF (documents.pdf.render_pdf) is laid out in a child process that is killed after
# this many seconds; keep it well below gunicorn's --timeout (120 in the Dockerfile).
PDF_RENDER_TIMEOUT = env.int("PDF_RENDER_TIMEOUT", default=60, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Axes logs every login at INFO; failures and lockouts (WARNING) are what matter.
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
        # WeasyPrint reports every layout step at INFO; its warnings (a missing font or
        # a refused URL) are what matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
