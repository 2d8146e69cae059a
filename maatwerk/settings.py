"""One settings module, driven by the environment (after healthchecks' hc/settings.py).

With no variables set it starts on SQLite under var/ in development mode. Every variable is
documented where it is read.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# MAATWERK_ENV: "development" (default) or "production". Production refuses to start without a
# SECRET_KEY and switches on every transport-security setting that `check --deploy` asks for.
MAATWERK_ENV = env_str("MAATWERK_ENV", "development")
PRODUCTION = MAATWERK_ENV == "production"

# SECRET_KEY: required in production; development uses a fixed, clearly-labelled key.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when MAATWERK_ENV=production")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789-abcdefghijklmnop"  # noqa: S105

# DEBUG: defaults to on in development, always off in production.
DEBUG = env_bool("DEBUG", not PRODUCTION) and not PRODUCTION

# ALLOWED_HOSTS: comma separated.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "maatwerk.accounts",
    "maatwerk.cases",
    "maatwerk.catalogue",
    "maatwerk.businesscases",
    "maatwerk.budgets",
    "maatwerk.barriers",
    "maatwerk.insights",
    "maatwerk.research",
    "maatwerk.oidc",
    "maatwerk.zaken",
    "maatwerk.demo",
    # After our apps: of two apps that translate the same word, the one listed first wins, and these
    # libraries' Dutch catalogues would otherwise override ours ("type" became "type" instead of "soort").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    # zgw-consumers (the ZGW services, Open Zaak) and what its models and admin need.
    "solo",
    "privates",
    "simple_certmanager",
    "zgw_consumers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "maatwerk.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this login passed the second step (TOTP or a recovery code).
    "django_otp.middleware.OTPMiddleware",
    # A login through a municipality's provider that has expired cannot POST (mozilla-django-oidc #504).
    "maatwerk.oidc.middleware.OIDCSessionMiddleware",
    # No copies of pages with personal data in caches (after authentication: it needs request.user).
    "maatwerk.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maatwerk.urls"
WSGI_APPLICATION = "maatwerk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maatwerk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maatwerk.accounts.context_processors.navigation",
            ],
        },
    },
]

# Background tasks (django-tasks, Django 6's API backported): queued in the database and run by
# `manage.py db_worker`, which `make run` starts beside the web server. The tests run tasks at once
# (ImmediateBackend, set in conftest.py), so they need no worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# DATABASE_URL: e.g. postgres://user:pass@127.0.0.1:5432/maatwerk, or sqlite:///var/other.sqlite3 (relative to
# the working directory) or sqlite:////absolute/path.sqlite3. Without it: SQLite under var/.
VAR_DIR = Path(env_str("MAATWERK_VAR_DIR", str(BASE_DIR / "var")))
SQLITE_OPTIONS = {
    # BEGIN IMMEDIATE takes the write lock at the start of every transaction, so that
    # select_for_update-style read-then-write sequences (the budget ledger) cannot interleave;
    # the busy timeout makes a second writer wait instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # Per connection, and needs no lock. WAL mode is not set here: it is stored in the database file, and
    # switching to it fails at once with "database is locked" while another connection writes, whatever
    # the timeout; maatwerk.lib.sqlite.enable_wal switches a file once (on connection_created).
    "init_command": "PRAGMA synchronous=NORMAL;",
}


def with_sqlite_options(database: dict) -> dict:
    """`database` with SQLITE_OPTIONS if it is SQLite, however it was named; options in the URL win."""
    if database.get("ENGINE") == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    return database


DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create the folder of its file
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "maatwerk.sqlite3",
            "TEST": {"NAME": VAR_DIR / "test-maatwerk.sqlite3"} if env_bool("MAATWERK_TEST_FILE_DB") else {},
        }
    }
with_sqlite_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Login through a municipality's identity provider (maatwerk/oidc); does nothing for a password login.
    "maatwerk.oidc.backends.MunicipalOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# OIDC: login through a municipality's own identity provider (maatwerk/oidc, mozilla-django-oidc). The
# providers, client ids and group mappings are rows in /beheer/ (none by default: the login page shows only
# the local form); a client secret may come from a MAATWERK_OIDC_SECRET_* variable named there.
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
OIDC_OP_LOGOUT_URL_METHOD = "maatwerk.oidc.views.logout_url"
OIDC_USE_PKCE = True
# How long a provider's login counts before it is checked again (a provider row may set its own).
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env_int("MAATWERK_OIDC_RENEW_SECONDS", 15 * 60)
OIDC_TIMEOUT = env_int("MAATWERK_OIDC_TIMEOUT", 10)  # seconds, for each call to a provider
OIDC_VERIFY_SSL = True

# django-axes: lock an account (username, from any address) after 5 failed logins, for one hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes.W006 asks to lock by IP address too. Municipal staff work behind a few shared NAT addresses, so
# locking by address would lock a whole office out after five typos; the lock is per account instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor login (maatwerk/accounts/twofactor.py) for local accounts: an authenticator app (TOTP) and
# recovery codes. MAATWERK_2FA_REQUIRED_ROLES: the roles (comma separated) that must use it, besides
# superusers; in production every user must ("*"). Users of other roles may switch it on themselves. A
# login through the municipality's identity provider (OIDC) is exempt: the provider asks the second factor.
TWOFACTOR_REQUIRED_ROLES = (
    ["*"] if PRODUCTION else env_list("MAATWERK_2FA_REQUIRED_ROLES", "admin,legal_checker")
)
# Seconds between the password and the code (or the end of enrolment) before the password is asked again.
TWOFACTOR_PENDING_SECONDS = env_int("MAATWERK_2FA_PENDING_SECONDS", 600)
# The name the authenticator app shows above the codes.
OTP_TOTP_ISSUER = "Maatwerk"
# Back-off after a wrong code (django-otp: 1, 2, 4, ... seconds); wrong codes also count towards
# django-axes' lock of the account, like wrong passwords.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "maatwerk" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"

# Research exports (maatwerk/research): the zip files the task worker builds, outside the static and
# template folders so that nothing serves them but the download view, which checks approval and expiry.
RESEARCH_EXPORT_DIR = Path(env_str("MAATWERK_RESEARCH_DIR", str(VAR_DIR / "research")))
# zgw-consumers keeps the client certificates of a ZGW service (mutual TLS, when a municipality asks for it)
# through django-privates: files outside the web root, never served as static or media.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private-media"
PRIVATE_MEDIA_URL = "/private-media/"
# How long an export can be downloaded; then the file and its pseudonym key are deleted.
RESEARCH_EXPORT_DAYS = int(env_str("MAATWERK_RESEARCH_DAYS", "30"))
STATICFILES_DIRS = [BASE_DIR / "maatwerk" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the finders in development and tests, so no collectstatic is needed, and look each
# file up when asked: `make run` has DEBUG off (Dutch error pages), and an edited stylesheet still shows.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# EMAIL_BACKEND: console by default (reminders are printed); set SMTP settings in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "maatwerk@localhost")

SESSION_COOKIE_AGE = 8 * 3600  # one working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only our own scripts and styles; htmx is served locally.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer asks the health check over plain HTTP, from inside.
    SECURE_REDIRECT_EXEMPT = [r"^gezondheid/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# /gezondheid/ answers 503 when the oldest task ready for the worker has waited longer than this (seconds).
HEALTH_MAX_QUEUE_SECONDS = env_int("HEALTH_MAX_QUEUE_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Demo logins share one password; `maatwerk demo` refuses to run in production.
DEMO_PASSWORD = "demo-maatwerk-2026"  # noqa: S105
