"""Middleware: the second sign-in step is enforced, and sessions expire when idle or too old.

Order in ``MIDDLEWARE``: after ``AuthenticationMiddleware``, django-otp's ``OTPMiddleware`` (which gives
``request.user.is_verified()``) and ``MessageMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from portfolio.security import sessions
from portfolio.security.services import two_factor_required

# Set in the session when a grantee (for whom 2FA is optional) is found to have no device, so that their
# pages do not look for devices on every request. Adding a device in this session verifies it anyway.
NO_DEVICE_SEEN = "security_2fa_no_device"


@cache
def _exempt_prefixes() -> tuple[str, ...]:
    """Paths reachable before the second step: signing in and out, the 2FA pages themselves, password
    reset, health checks, calendar feeds and static files."""
    return (
        reverse("login"),
        reverse("logout"),
        reverse("admin:logout"),
        "/accounts/password-reset/",
        "/account/two-factor/",
        "/health/",
        # Calendar subscriptions: read by calendar apps, whose secret address is the credential.
        "/calendar/feed/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


def two_factor_exempt(path: str) -> bool:
    return path.startswith(_exempt_prefixes())


class TwoFactorMiddleware:
    """After the password, a signed-in person who has a device must enter a code before any page; office
    staff without one are sent to set one up first. Switched by ``REQUIRE_2FA`` (``PORTFOLIO_REQUIRE_2FA``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._second_step(request) or self.get_response(request)

    def _second_step(self, request: HttpRequest) -> HttpResponse | None:
        if not settings.REQUIRE_2FA or two_factor_exempt(request.path_info):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        required = two_factor_required(user)
        if not required and request.session.get(NO_DEVICE_SEEN) == user.pk:
            return None
        if user_has_device(user, confirmed=True):
            return _redirect_with_next("security:two_factor_verify", request)
        if required:
            return _redirect_with_next("security:two_factor_setup", request)
        request.session[NO_DEVICE_SEEN] = user.pk
        return None


def url_with_next(url_name: str, target: str) -> str:
    """``url_name``'s path with ``?next=target`` (slashes left readable, as Django's login redirect does)."""
    query = QueryDict(mutable=True)
    query["next"] = target
    return f"{reverse(url_name)}?{query.urlencode(safe='/')}"


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    # A POST cannot be replayed after the code, so it goes back to the home page instead.
    target = (
        request.get_full_path() if request.method in ("GET", "HEAD") else reverse(settings.LOGIN_REDIRECT_URL)
    )
    return redirect(url_with_next(url_name, target))


class SessionActivityMiddleware:
    """Keeps an active session alive (saved at most once a minute, see ``portfolio.security.sessions``) and
    ends one that is older than ``SESSION_MAX_AGE`` however active it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = sessions.now()
            signed_in_at = session.get(sessions.SIGNED_IN_AT)
            if signed_in_at is not None and now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
                messages.info(request, "Your session has ended: please sign in again.")
                return redirect_to_login(request.get_full_path())
            last_seen = session.get(sessions.LAST_SEEN)
            if last_seen is None or now - last_seen >= sessions.REFRESH_SECONDS:
                session[sessions.LAST_SEEN] = now
                # Sessions begun before this middleware existed start their absolute clock now.
                session.setdefault(sessions.SIGNED_IN_AT, now)
        return self.get_response(request)
