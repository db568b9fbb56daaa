"""Session expiry: after inactivity (the idle limit) and, however active, after an absolute limit.

The idle limit is Django's own session expiry: ``SESSION_COOKIE_AGE`` is the idle time, and a session that
is saved again gets that long once more. Saving on every request (``SESSION_SAVE_EVERY_REQUEST``) would add
a database write to every page; instead ``SessionActivityMiddleware`` saves the session only when its last
save is more than ``REFRESH_SECONDS`` old, so a session ends between ``idle - 1 minute`` and ``idle`` after
the last request, at the cost of one write a minute per active person.

The absolute limit (``SESSION_MAX_AGE``, from ``DJANGO_SESSION_COOKIE_AGE``) counts from sign-in.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

SIGNED_IN_AT = "security_signed_in_at"
LAST_SEEN = "security_last_seen"
REFRESH_SECONDS = 60


def now() -> int:
    """Seconds since the epoch; a function so that tests can move the clock."""
    return int(time.time())


def start_session_clocks(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    """On sign-in (``user_logged_in``), before the new session is first saved: both clocks start now.

    Starting the activity clock here also means the first pages after sign-in do not write the session.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    started = now()
    session[SIGNED_IN_AT] = started
    session[LAST_SEEN] = started
