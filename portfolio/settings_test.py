"""Test settings: the real settings with fast hashing, local HTTP and a throwaway file store."""

import tempfile

from portfolio.settings import *  # noqa: F403
from portfolio.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_ROOT = tempfile.mkdtemp(prefix="portfolio-test-private-")
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Each test process keeps its own cache (pytest-xdist workers never share entries); tests/conftest.py empties
# it around every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The shared fixtures' reporting periods are fixed 2024-25 dates, long past their due date plus grace; the
# entry-window lock is tested with its own grace (tests/indicators/test_period_lock.py, uploads/test_lock.py).
REPORTING_GRACE_DAYS = 36500

# Sign-in hardening (H7). The existing tests sign in with force_login (no second step) and Client.login()
# (which calls authenticate() without a request, which axes refuses): two-factor enforcement and throttling
# are off here and switched on by tests/portfolio/test_two_factor.py, test_signin_throttling.py and
# tests/browser/test_two_factor.py.
REQUIRE_2FA = False
AXES_ENABLED = False
