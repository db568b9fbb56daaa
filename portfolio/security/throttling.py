"""django-axes hooks: which address a sign-in comes from, and what a locked-out person sees.

Attempts are counted per username *and* address together (``AXES_LOCKOUT_PARAMETERS``), so a colleague
mistyping a password in an office behind one shared IP locks only their own account, from that address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The address a request comes from.

    Behind a TLS proxy (``DJANGO_BEHIND_PROXY``) every request's REMOTE_ADDR is the proxy's, so the client is
    the right-most address of X-Forwarded-For: the one our own proxy appended. Entries to its left come from
    the client and could be forged to dodge the lock, so they are never used. Without a proxy the header is
    ignored for the same reason.
    """
    if settings.LOGIN_IP_FROM_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return (
        "Too many failed sign-ins for this account from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''} or ask an administrator."
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, with the lockout explained, as HTTP 429 (Too Many Requests).

    Called by ``axes.middleware.AxesMiddleware`` (``AXES_LOCKOUT_CALLABLE``) for a sign-in refused because
    the account is locked from this address, whether or not the password was right.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "lockout_message": lockout_message(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
