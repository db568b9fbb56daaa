"""Settings, all read from the environment.

Local defaults are safe and need nothing installed: a SQLite file under ``var/``, a secret generated once
into ``var/secret_key``, DEBUG off unless asked for. A malformed value stops start-up with a message that
names the variable (see ``portfolio.env``).
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from portfolio.env import Env, local_secret_key

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login is required everywhere; the few public views say @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

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
# the next visitor gets; several machines need a shared cache (Redis), which the production set-up adds.
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
