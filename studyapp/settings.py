"""One settings module, driven by environment variables (see .env.example).

DATABASE_URL           SQLite file var/db.sqlite3 by default; postgres://... for PostgreSQL
DEBUG                  "1"/"0" (default 0: production); local use sets 1 (`make demo`, the tests do)
SECRET_KEY             required when DEBUG is off; a placeholder or short key is refused;
                       it also signs pilot and rehearsal links (links.py)
ALLOWED_HOSTS          comma-separated (default: localhost names)
CSRF_TRUSTED_ORIGINS   comma-separated origins, e.g. https://study.example.org behind a proxy
HTTPS                  with DEBUG off: "0" only for a plain-HTTP run on 127.0.0.1 (default 1)
STIMULI_ROOT           folder that holds the stimulus sets (default: ./stimuli)
STATIC_ROOT            where collectstatic puts CSS/JS (default: var/static)
STIMULI_ACCEL_REDIRECT e.g. /protected-stimuli/: nginx sends clip bytes (default: the app does)
CLIP_LINKS_ROOT        a folder of one link per clip for nginx (clip_links.py; default: none)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1 or 0.")


# Underscored names are not settings. The placeholders: .env.example's, and the
# prefix of the keys `django-admin startproject` writes.
_SECRET_KEY_PLACEHOLDERS = ("change-me", "django-insecure")
_SECRET_KEY_MIN_LENGTH = 32
_SECRET_KEY_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def _secret_key(debug: bool) -> str:
    """SECRET_KEY from the environment, or a fixed key for local use (DEBUG on, none set).

    The key signs sessions: whoever knows it can pose as any participant or
    experimenter. So a placeholder or a short key is refused at start, not
    merely warned about, whatever DEBUG says.
    """
    key = os.environ.get("SECRET_KEY", "")
    if not key:
        if not debug:
            raise ImproperlyConfigured(
                f"SECRET_KEY must be set when DEBUG is off: set SECRET_KEY to a long random "
                f"string ({_SECRET_KEY_HINT}), or DEBUG=1 for local use.")
        return "insecure-local-development-key-do-not-deploy"
    placeholder = next((p for p in _SECRET_KEY_PLACEHOLDERS if key.lower().startswith(p)), None)
    if placeholder:
        raise ImproperlyConfigured(
            f"SECRET_KEY is a placeholder (it starts with {placeholder!r}): set it to a long "
            f"random string ({_SECRET_KEY_HINT}).")
    if len(key) < _SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too short ({len(key)} characters, at least "
            f"{_SECRET_KEY_MIN_LENGTH} needed): set it to a long random string ({_SECRET_KEY_HINT}).")
    return key


# Off unless asked for: a server started without settings must not show
# tracebacks to participants. `make demo` and the tests set DEBUG=1.
DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _secret_key(DEBUG)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "studyapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studyapp.middleware.language_per_request",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "studyapp.urls"
WSGI_APPLICATION = "studyapp.wsgi.application"

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
                "studyapp.context_processors.resume_code",
            ],
        },
    },
]

VAR_DIR = BASE_DIR / "var"  # local state: the SQLite database, collected static files
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so two
    # enrolments cannot both read the group counts before either writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so tests can hit it from several threads at once.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A participant's session is a signed cookie (their row and language: no query
# on any page), a staff member's a database row that logging out deletes
# (sessions.py). App processes keep no state, and a participant survives a
# server restart (docs/design.md, nothing lost).
SESSION_ENGINE = "studyapp.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_SAMESITE = "Lax"

# Security headers everywhere; HTTPS-only cookies, redirect and HSTS in
# production (HTTPS=0 only for a local production-like run on 127.0.0.1).
HTTPS = not DEBUG and _env_bool("HTTPS", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # nginx sets it
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # answers are a few hundred bytes

# Participant pages speak the study's language (studyapp/languages.py picks it per
# participant; no LocaleMiddleware); staff pages and the admin stay English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STIMULI_ROOT = Path(os.environ.get("STIMULI_ROOT", BASE_DIR / "stimuli")).resolve()
# Production: the view checks the request, nginx sends the bytes (README).
STIMULI_ACCEL_REDIRECT = os.environ.get("STIMULI_ACCEL_REDIRECT", "")
# Production: one link per clip, named as its URL, so nginx sends clips without
# the app (studyapp/clip_links.py); "" keeps every clip request in the app.
CLIP_LINKS_ROOT = os.environ.get("CLIP_LINKS_ROOT", "")

LOGIN_URL = "admin:login"

# With DEBUG off, Django's default logging sends a 500's traceback only to
# ADMINS by mail (none here), so it was lost. Send django.request errors to
# stderr, which gunicorn's workers share with gunicorn's own log: systemd's
# journal on a server, var/run-local/gunicorn.log in the rehearsal. With DEBUG
# on, Django's own console handler prints them already (hence the filter).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"debug_off": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "stamped": {"format": "{asctime} {levelname} {name} pid={process}: {message}", "style": "{"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                   "level": "ERROR", "filters": ["debug_off"], "formatter": "stamped"},
    },
    "loggers": {"django.request": {"handlers": ["stderr"]}},
}
