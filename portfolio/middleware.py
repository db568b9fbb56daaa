"""Security headers Django has no setting for.

Django's SecurityMiddleware sends nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and HSTS, the
clickjacking middleware X-Frame-Options, django-csp the Content-Security-Policy; only Permissions-Policy is
left, and it is sent here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy_header(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``.

    An empty list turns the feature off for the page and every frame in it; ``"self"`` is written bare and any
    other origin quoted, as the header's structured-field syntax wants.
    """
    parts = []
    for feature, allowed in features.items():
        origins = " ".join(origin if origin in {"self", "*"} else f'"{origin}"' for origin in allowed)
        parts.append(f"{feature}=({origins})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` to every response that has none yet.

    The header is built once, at start-up: the policy is the same for every page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = self.header
        return response
