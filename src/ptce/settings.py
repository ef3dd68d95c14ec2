"""Settings for Journées PTCE, read from the environment only.

Every variable has a working default so that ``make run`` needs no configuration:
SQLite in ``var/``, e-mails written as ``.eml`` files in ``var/mail/``, a secret key
generated once into ``var/secret_key``. Production sets ``SITE_URL`` to its https address,
which switches on secure cookies, HSTS and trust in the proxy's ``X-Forwarded-Proto``.
"""

import json
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("PTCE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default, *, minimum=0, maximum=65535):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}")
    return number


#: A rate limit: a whole number per second, minute, hour or day (django-ratelimit's units).
RATE = re.compile(r"[1-9][0-9]*/[smhd]")
RATE_PREFIX = "PTCE_RATE_"


def env_rates(defaults):
    """``defaults`` with each rate overridden by its ``PTCE_RATE_<NAME>`` variable. A malformed
    value, or such a variable naming no rate (a typo would otherwise go unnoticed), stops
    startup."""
    names = {name.upper(): name for name in defaults}
    expected = "N/s, N/m, N/h or N/d (N a positive whole number, e.g. 600/m)"
    rates = dict(defaults)
    for variable, value in os.environ.items():
        if not variable.startswith(RATE_PREFIX):
            continue
        name = names.get(variable.removeprefix(RATE_PREFIX))
        if name is None:
            raise ImproperlyConfigured(
                f"{variable} names no rate: set {RATE_PREFIX}<NAME> to {expected}, with NAME "
                f"one of {', '.join(sorted(names))}"
            )
        value = value.strip()
        if not value:
            continue
        if not RATE.fullmatch(value):
            raise ImproperlyConfigured(
                f"{variable} must be a count per period, {expected}, not {value!r}"
            )
        rates[name] = value
    return rates


def env_list(name, default):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


def _secret_key():
    if key := os.environ.get("SECRET_KEY", "").strip():
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    # A key generated once and kept beside the database, so that sessions, signed links
    # and the ticket keys encrypted with it survive a restart.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
PORT = env_int("PORT", 8000, minimum=1)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://")
HTTPS = urlsplit(SITE_URL).scheme == "https"

INSTALLED_APPS = [
    "common",
    "ptce",
    "accounts",
    "network",
    "events",
    "registrations",
    "admission",
    "charter",
    "feedback",
    "outbox",
    "ptce.admin.PtceAdminConfig",
    "django.contrib.auth",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body or the database, in the visitor's language: 413/414 for
    # what is too large, 400/404 for characters no database stores.
    "common.middleware.limit_request_size",
    # request.sent_file_names, before the body is read (events' materials refuse paths).
    "common.middleware.keep_sent_file_names",
    "common.middleware.refuse_unstorable_input",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # The second factor for the views that ask for it (common.decorators).
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.api_method_not_allowed",
]

ROOT_URLCONF = "ptce.urls"
WSGI_APPLICATION = "ptce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ptce.context_processors.site",
            ],
        },
    },
]

# Databases -----------------------------------------------------------------------------
if database_url := os.environ.get("DATABASE_URL", "").strip():
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ptce.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
                # lock when a transaction starts, so the capacity check and its insert are
                # serialised instead of failing on a lock upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and rate limits -----------------------------------------------------------------
if redis_url := os.environ.get("REDIS_URL", "").strip():
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    # Django's own Redis cache increments atomically, which is all django-ratelimit needs.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    # The database is the one store every process shares when there is no Redis. Its
    # increment is not atomic, so under a burst a few requests beyond a limit may pass:
    # acceptable for one small instance; set REDIS_URL for exact limits.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ptce_cache",
        }
    }
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "common.errors.rate_limited"
# One rule for the client's address, for the forms' limits and the API's throttles alike.
RATELIMIT_IP_META_KEY = "common.errors.client_ip"
# Every rate limit of the site, in one place ("count/period", period s, m, h or d; the
# count is per window of the period), each overridden by PTCE_RATE_<NAME> (README,
# Configuration). Read at each request by common.ratelimits, which the views and the API use.
# Beyond a limit: the form again with what was typed, the 429 page, or the API's JSON 429,
# each saying when to try again (and Retry-After).
PTCE_RATES = {
    # Public forms, per client address.
    "registration": "20/h",  # registrations sent (form, personal invitations): emails, seats
    "registration_invalid": "100/h",  # the same forms sent back with errors
    "lost_link": "5/h",  # "send me my links again": each one sends an email
    "manage": "30/h",  # changes through a manage link: details, cancel, reconfirm
    "charter_signing": "20/h",  # the charter's signing form: each one sends an email
    "charter_verify": "60/h",  # receipt codes checked (80 random bits: stops bulk guessing)
    "invitation": "30/h",  # accepting an invitation to the organisers' team, per address
    "privacy": "10/h",  # a person's data copy and erasure from the manage link
    "password_reset": "5/h",  # password reset requests, per address and per email
    # Logging in: per address, and per username whatever the address.
    "login_ip": "10/m",
    "login_username": "5/m",
    "otp": "5/m",  # second-factor codes, per pending user and per address
    "invitation_send": "30/h",  # invitations an organiser sends, per user
    # The API: anonymous calls per address; authenticated ones per token (or per session
    # of the check-in app). The door endpoints have their own: a busy entrance with ten
    # devices admits about 100 people a second, often through one token and one address.
    "api_anonymous": "120/m",
    "api_token": "600/m",
    "api_checkin": "12000/m",
    # Short ticket codes typed at the door, per agent: 45 random bits, so at this pace
    # guessing anyone's code takes longer than the internet has existed.
    "api_ticket_code": "30/m",
}
PTCE_RATES = env_rates(PTCE_RATES)
# PTCE_PUBLIC_FORM_RATELIMIT=off switches the public forms' limits off (not the login's nor
# the API's): only for a load test, whose clients all share one address.
PTCE_PUBLIC_FORM_RATELIMITS = os.environ.get("PTCE_PUBLIC_FORM_RATELIMIT", "on") != "off"

# Tasks ---------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail ----------------------------------------------------------------------------------
if email_url := os.environ.get("EMAIL_URL", "").strip():
    globals().update(dj_email_url.parse(email_url))
else:
    EMAIL_BACKEND = "common.mail.EmlFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Journées PTCE <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that does not answer must not hold a worker for long: the outbox tries the
# message again later. EMAIL_URL may set its own (smtp://…?timeout=30).
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT") or 20
# Where visitors report a problem (accessibility statement, privacy notice).
PTCE_CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "contact@localhost")

# Authentication ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "organiser_home"
LOGOUT_REDIRECT_URL = "events:home"
# A password reset link works for an hour (and once: it dies when the password changes).
PASSWORD_RESET_TIMEOUT = 60 * 60
# Argon2id for new and changed passwords; older hashes are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# The issuer shown in authenticator apps beside the username.
OTP_TOTP_ISSUER = "Journées PTCE"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "ptce" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# "9 h 30" and "12 mars 1980" in French, "9:30 a.m." in English: src/ptce/formats/.
FORMAT_MODULE_PATH = ["ptce.formats"]

# Static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The materials' files (events.materials): a folder of the var dir by default; several machines
# share an object storage instead, e.g. PTCE_STORAGE_BACKEND=storages.backends.s3.S3Storage
# with django-storages installed and PTCE_STORAGE_OPTIONS, its options as JSON (README).
MEDIA_ROOT = VAR_DIR / "media"
try:
    STORAGE_OPTIONS = json.loads(os.environ.get("PTCE_STORAGE_OPTIONS", "").strip() or "{}")
except ValueError:
    raise ImproperlyConfigured("PTCE_STORAGE_OPTIONS must be a JSON object") from None
if not isinstance(STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured("PTCE_STORAGE_OPTIONS must be a JSON object")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("PTCE_STORAGE_BACKEND", "").strip()
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": STORAGE_OPTIONS,
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security ------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "common.errors.csrf_failure"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# Bodies: a form or JSON body up to Django's 2.5 MB, a form with files (the directory's CSV
# import, 5 MB at most, says so itself) up to 10 MB, as nginx's client_max_body_size in the
# README; beyond, 413 (common.middleware.limit_request_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A material's file (events.materials) at most; a form with files may carry it and 1 MB more.
PTCE_MATERIAL_MAX_BYTES = env_int(
    "PTCE_MATERIAL_MAX_BYTES", 20 * 1024 * 1024, minimum=1024, maximum=1024**3
)
PTCE_MAX_UPLOAD_SIZE = max(10 * 1024 * 1024, PTCE_MATERIAL_MAX_BYTES + 1024 * 1024)
# Addresses (path and query string) beyond this get the project's 414 page; gunicorn's own
# limit (ptce serve) is set above it, so that Django answers first.
PTCE_MAX_URL_LENGTH = 4096
if HTTPS:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (README, production).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    # HSTS for the other names of the domain, and the browsers' preload list, bind every
    # subdomain of the organisation that runs the site (often journees.<its domain>, beside
    # sites this one does not control), and preloading is slow to undo: the domain's owner
    # decides, with HSTS_INCLUDE_SUBDOMAINS / HSTS_PRELOAD (preload needs subdomains). Off,
    # `check --deploy` warns about them (security.W005, W021): those warnings are silenced,
    # having been decided here.
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD or env_bool(
        "HSTS_INCLUDE_SUBDOMAINS", False
    )
    if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
        SILENCED_SYSTEM_CHECKS.append("security.W005")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

SELF, NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logging -------------------------------------------------------------------------------------
# No personal data in the logs: no email, name or token is logged by our code, and the
# request loggers' paths lose their secrets (common.redaction; gunicorn's access log too).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "common.redaction.MaskSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["mask_secrets"]},
        "django.security.csrf": {"level": "WARNING", "filters": ["mask_secrets"]},
        # SQL with its parameters (addresses, names) when DEBUG is on: never, whatever
        # LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
}

# Error reports (optional) -------------------------------------------------------------------
# To a Sentry-compatible service when SENTRY_DSN is set, scrubbed of personal data
# (ptce/sentry.py); SENTRY_ENVIRONMENT (default "production"), SENTRY_RELEASE, and
# SENTRY_TRACES_SAMPLE_RATE (0 to 1, default 0: no performance traces).
if sentry_dsn := os.environ.get("SENTRY_DSN", "").strip():
    from ptce import sentry

    try:
        traces_sample_rate = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "").strip() or 0)
    except ValueError:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be a number") from None
    if not 0 <= traces_sample_rate <= 1:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1")
    sentry.init(
        sentry_dsn,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "").strip() or "production",
        release=os.environ.get("SENTRY_RELEASE", "").strip() or None,
        traces_sample_rate=traces_sample_rate,
    )

# The task worker is "seen" when its heartbeat task ran within this many seconds.
PTCE_WORKER_STALE_AFTER = 180

# Periodic jobs (ptce/scheduler.py): (dotted task path, interval in seconds), enqueued by the
# scheduler of `ptce serve`. Several `ptce serve` may enqueue the same job: each job must be
# idempotent. Later parts append their jobs here.
PTCE_PERIODIC_TASKS = [
    ("ptce.tasks.heartbeat", 60),
    ("ptce.tasks.prune_task_results", 24 * 60 * 60),
    # Emails: re-send what a dead worker left (outbox); reminders two days before the day;
    # give the seats whose invitation hold ended to the waiting list.
    ("outbox.tasks.sweep", 60),
    ("registrations.tasks.send_reminders", 60 * 60),
    ("registrations.tasks.fill_free_seats", 5 * 60),
    # A workshop seat offered and not answered in time goes on down its waiting list.
    ("registrations.tasks.end_workshop_offers", 15 * 60),
    # "Are you still coming?" a set number of days before the security list's final deadline.
    ("registrations.tasks.send_reconfirmations", 60 * 60),
    # The venue's security lists lose their personal data the day after the edition.
    ("admission.tasks.purge_security_lists", 60 * 60),
    # A check-in rehearsal and its scans end when the day starts.
    ("admission.tasks.end_rehearsals", 15 * 60),
    # Each edition's retention settings: venue details, then all personal data (privacy).
    ("registrations.tasks.apply_retention", 60 * 60),
    # After the day: the questionnaire to the people admitted, and its one reminder.
    ("feedback.tasks.send_questionnaires", 15 * 60),
]
# Finished task results (heartbeats included) are deleted after this many days.
PTCE_TASK_RESULTS_MAX_AGE_DAYS = 7
# The organisers' dashboard shares its figures for this many seconds (ptce.dashboard).
PTCE_DASHBOARD_MAX_AGE = 5
# The report after the day (ptce.report) never shows a group of fewer people than this.
PTCE_REPORT_MIN_GROUP = env_int("PTCE_REPORT_MIN_GROUP", 5, minimum=1, maximum=1000)
# A task still "running" after this many hours was left by a worker that died (ptce.tasks).
PTCE_TASK_LOST_AFTER_HOURS = 6
# A scan's device time (offline scans) must fall on its edition's day, this many hours either
# side (a device set to the wrong time zone is off by a few hours), and no later than this many
# minutes after the server's clock (admission.checkin.scan_window); else the API answers 422.
PTCE_CHECKIN_TIME_MARGIN_HOURS = 12
PTCE_CHECKIN_CLOCK_AHEAD_MINUTES = 10
# Monitoring probes /healthz over plain http on the machine itself: no redirect to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
