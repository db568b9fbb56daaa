"""Settings, all read from the environment.

Local defaults are safe and need nothing installed: a SQLite file under ``var/``, a secret generated once
into ``var/secret_key``, DEBUG off unless asked for. A malformed value stops start-up with a message that
names the variable (see ``portfolio.env``).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portfolio.env import Env, local_secret_key
from portfolio.logging import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

VAR_DIR = env.path("PORTFOLIO_VAR_DIR", default=BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_countries",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "portfolio",
    "grants",
    "indicators",
    "reports",
    # Sign-in hardening (issue 7, H7): throttling, two-factor devices, the session clocks.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portfolio.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see "Security headers" below).
    "csp.middleware.CSPMiddleware",
    "portfolio.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login is required everywhere; the few public views say @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in hardening (H7): user.is_verified(), idle/absolute session expiry, the second sign-in step.
    "django_otp.middleware.OTPMiddleware",
    "portfolio.security.middleware.SessionActivityMiddleware",
    "portfolio.security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into the login page with the lockout message (HTTP 429).
    "axes.middleware.AxesMiddleware",
]
# The load test (benchmarks/load_run.py) reads each page's SQL query count from a response header; off in
# normal operation, as it tells the outside something about the server's internals.
if env.bool("PORTFOLIO_QUERY_COUNT_HEADER", default=False):
    MIDDLEWARE.insert(0, "portfolio.querycount.QueryCountMiddleware")

ROOT_URLCONF = "portfolio.urls"
WSGI_APPLICATION = "portfolio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portfolio.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "grants.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Argon2id first (portfolio/security/hashers.py says why); PBKDF2 is kept so that older hashes still verify
# and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "portfolio.security.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing
# Uploaded evidence and generated reports are private: there is no MEDIA_URL, every file is served by a
# view that checks who is asking.
PRIVATE_ROOT = env.path("PORTFOLIO_PRIVATE_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Without collectstatic (local runs) whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = env.bool("DJANGO_WHITENOISE_USE_FINDERS", default=True)

EVIDENCE_MAX_BYTES = env.int("PORTFOLIO_EVIDENCE_MAX_MB", default=20) * 1024 * 1024
# Spreadsheet uploads of indicator data: the largest file accepted, and the size above which the task worker
# checks and applies it (with a progress bar) instead of the request. A 50,000-row template is about 3 MB.
UPLOAD_MAX_BYTES = env.int("PORTFOLIO_UPLOAD_MAX_MB", default=20) * 1024 * 1024
UPLOAD_BACKGROUND_BYTES = env.int("PORTFOLIO_UPLOAD_BACKGROUND_KB", default=400) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: on by default; a local run over plain HTTP turns the TLS-only ones off explicitly.
_behind_tls = env.bool("DJANGO_SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = _behind_tls
CSRF_COOKIE_SECURE = _behind_tls
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_behind_tls)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if _behind_tls else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Security headers: Content Security Policy and the rest (issue 7, H8) ---
# Only the app's own files run or style a page: no inline scripts, event handlers or style attributes
# anywhere (tests/portfolio/test_security_headers.py scans the templates). img-src allows data: because
# Bootstrap's CSS draws its select arrows, checkboxes, close buttons and the navbar toggler as data: SVGs.
_csp_report_uri = env.str("PORTFOLIO_CSP_REPORT_URI", default="")
if _csp_report_uri and not re.fullmatch(r"(https?://[^\s;,]+|/[^\s;,]*)", _csp_report_uri):
    raise ImproperlyConfigured(
        f"PORTFOLIO_CSP_REPORT_URI={_csp_report_uri!r} is not a URL; use https://host/path or a path such "
        "as /csp-report/, without spaces, commas or semicolons."
    )
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": _csp_report_uri} if _csp_report_uri else {}),
    },
}
# Powerful browser features nothing here uses, off for the page and any frame in it.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
    )
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="portfolio@localhost")
# SMTP, when DJANGO_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are both on: use one (TLS for port 587, SSL for 465)."
    )
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20, minimum=1)

TASKS = {
    "default": {
        "BACKEND": env.str("PORTFOLIO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Computed pages (indicator performance at portfolio scale) are cached. Files under var/cache are shared by the
# web server and the task worker on one machine, so a table the worker rebuilds after an approval is the one
# the next visitor gets; several machines (or several gunicorn workers and task workers) share Redis instead:
# PORTFOLIO_REDIS_URL selects it. Short socket timeouts: a Redis that does not answer fails a request (and
# the readiness check) in seconds instead of hanging a web worker.
REDIS_URL = env.str("PORTFOLIO_REDIS_URL", default="")
if REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    if _redis.scheme not in {"redis", "rediss", "unix"} or not (_redis.hostname or _redis.path):
        raise ImproperlyConfigured(
            f"PORTFOLIO_REDIS_URL={REDIS_URL.split('@')[-1]!r} is not a Redis URL; use redis://host:6379/0."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 24 * 60 * 60,
            "KEY_PREFIX": "portfolio",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    # Sessions are read from Redis and written through to the database: one query less on every page, and a
    # flushed or restarted Redis signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(env.path("PORTFOLIO_CACHE_DIR", default=VAR_DIR / "cache")),
            "TIMEOUT": 24 * 60 * 60,
        }
    }

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
PAGE_SIZE = 25

# Milestones due within this many days count as "due soon".
DUE_SOON_DAYS = env.int("PORTFOLIO_DUE_SOON_DAYS", default=30)

# Spending against time (home page of office staff): an active grant whose burn rate is this many percentage
# points or more behind (or ahead of) the share of its period of performance elapsed.
SPENDING_GAP_POINTS = env.int("PORTFOLIO_SPENDING_GAP_POINTS", default=20, minimum=1)

# Reporting calendar: a period's report may still be entered this many days after its due date; then the
# period locks for grantees until a program officer reopens it.
REPORTING_GRACE_DAYS = env.int("PORTFOLIO_REPORTING_GRACE_DAYS", default=15)
# Reminders: days before a due date, and days after a missed one (everyone is also reminded on the day).
# Each person can choose their own days before, and turn any kind of notification off.
REMINDER_DAYS_BEFORE = env.days("PORTFOLIO_REMINDER_DAYS_BEFORE", default="14, 3")
REMINDER_DAYS_AFTER = env.days("PORTFOLIO_REMINDER_DAYS_AFTER", default="1, 7, 30")
# Program officers' weekly digest goes out on this weekday (0 = Monday ... 6 = Sunday).
DIGEST_WEEKDAY = env.int("PORTFOLIO_DIGEST_WEEKDAY", default=0)
if DIGEST_WEEKDAY > 6:
    raise ImproperlyConfigured(f"PORTFOLIO_DIGEST_WEEKDAY={DIGEST_WEEKDAY} must be 0 (Monday) to 6 (Sunday).")
# The worker's notification job runs this often; the cron command may run at any frequency.
NOTIFY_EVERY_MINUTES = env.int("PORTFOLIO_NOTIFY_EVERY_MINUTES", default=60, minimum=1)
# Links in emails point here (the address people use to reach the app).
SITE_URL = env.str("PORTFOLIO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Indicators: an actual within this share of the value expected by now is on track; a value that moves more
# than this share from the previous period needs an explanation before the report can be submitted.
INDICATOR_ON_TRACK_BAND = env.share("PORTFOLIO_ON_TRACK_BAND", default="0.15")
INDICATOR_CHANGE_WARNING_SHARE = env.share("PORTFOLIO_CHANGE_WARNING_SHARE", default="0.5")

# --- Sign-in hardening (issue 7, H7): throttling, two-factor authentication, password reset, expiry ---------
# Failed sign-ins are counted per username AND address together, so one person's typos behind an office's
# shared IP lock only that account from that address; a success clears the count. Locks lift by themselves
# after the cool-off, or by an administrator (admin "Access attempts", or manage.py axes_reset_username).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("PORTFOLIO_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
LOGIN_COOLOFF_MINUTES = env.int("PORTFOLIO_LOGIN_COOLOFF_MINUTES", default=15, minimum=1)
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # hours, as a float (axes reads an int as whole hours)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "portfolio.security.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portfolio.security.throttling.client_ip"
# Behind the TLS proxy the client's address is the right-most X-Forwarded-For entry (the proxy's own).
LOGIN_IP_FROM_FORWARDED_FOR = env.bool("DJANGO_BEHIND_PROXY", default=False)
# Two-factor authentication (django-otp): required for office staff, optional for grantees; the switch
# exists for the test suite (settings_test.py) and for a first deployment before anyone has a device.
REQUIRE_2FA = env.bool("PORTFOLIO_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Grant Portfolio"
# Sessions end after this much inactivity (SESSION_COOKIE_AGE is the idle time, refreshed at most once a
# minute by portfolio.security.middleware.SessionActivityMiddleware) and, however active, once older than
# DJANGO_SESSION_COOKIE_AGE (SESSION_MAX_AGE, counted from sign-in).
SESSION_IDLE_MINUTES = env.int("PORTFOLIO_SESSION_IDLE_MINUTES", default=30, minimum=1)
SESSION_MAX_AGE = SESSION_COOKIE_AGE
SESSION_COOKIE_AGE = min(SESSION_IDLE_MINUTES * 60, SESSION_MAX_AGE)
# Password reset links work for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60

# --- Production operation (issue 7): logs, health checks, backups, start-up checks ---------------------------
# One line per event on stdout (Django, gunicorn's access and error logs, the task workers): JSON for a log
# store when DEBUG is off, text for a person at a terminal when it is on. See portfolio/logging.py.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json").lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r} must be one of: {', '.join(LOG_FORMATS)}.")
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL={LOG_LEVEL!r} must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Readiness (/health/ready) wants a task worker to have run the heartbeat task within 3 of these intervals.
HEARTBEAT_SECONDS = env.int("PORTFOLIO_HEARTBEAT_SECONDS", default=60, minimum=5)
# A load balancer probes over plain HTTP on the private network: no redirect to HTTPS for the health checks.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# A PostgreSQL that does not answer fails a request (and readiness) after this many seconds, not minutes.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("PORTFOLIO_DB_CONNECT_TIMEOUT", default=5, minimum=1)
    )
# Backups (manage.py backup / restore): a folder per backup with the database dump and the private files.
BACKUP_DIR = env.path("PORTFOLIO_BACKUP_DIR", default=VAR_DIR / "backups")

_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(
        f"PORTFOLIO_SITE_URL={SITE_URL!r} is not a web address; use https://portfolio.example.org."
    )
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"} or not urlsplit(_origin).hostname:
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS has {_origin!r}; write each origin as https://host.example.org."
        )
# A deployment says DJANGO_DEBUG=false; then the local conveniences (a secret generated into var/, local host
# names) would hide a forgotten setting, so their absence stops start-up. Leaving DJANGO_DEBUG unset (management
# commands, CI's checks, benchmarks on this machine) keeps them: DEBUG is off either way.
if not DEBUG and env.str("DJANGO_DEBUG", default=""):
    if not env.str("DJANGO_SECRET_KEY", default=""):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: with DJANGO_DEBUG=false it must hold a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))'), the same on every machine."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short: use at least 50 random characters.")
    if not env.str("DJANGO_ALLOWED_HOSTS", default=""):
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set: with DJANGO_DEBUG=false list the host names people use to "
            "reach the app, e.g. portfolio.example.org."
        )
