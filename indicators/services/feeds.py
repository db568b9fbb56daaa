"""Calendar subscriptions (``CalendarFeed``): made, found by their secret address, revoked.

The address holds a random secret of 256 bits; only its SHA-256 is stored. Whoever has the address reads the
calendar of the person who made it, within that person's current scope (``due_items`` for their user), so a
deactivated account's subscriptions stop at once and a grantee's never show another organisation. Every change
is logged on the ``portfolio.security`` logger, like the other sign-in credentials.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grants.models import User
from indicators.models import CalendarFeed

logger = logging.getLogger("portfolio.security")

# Enough for one per grant a person follows; a limit, so a script cannot fill the table.
FEED_LIMIT = 20
# A calendar app reads a feed every few hours; "last read" to the hour needs no write on every read.
_TOUCH_EVERY = datetime.timedelta(hours=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    token: str  # shown once, in the address; never stored


def calendar_feed_create(*, user: User, query: str, label: str) -> NewFeed:
    """A new subscription of ``user`` with the filters ``query`` (already validated by the caller)."""
    with transaction.atomic():
        # The user's row locked: two requests at once cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if CalendarFeed.objects.filter(user=user).count() >= FEED_LIMIT:
            raise ValidationError(
                f"You have {FEED_LIMIT} calendar subscriptions, the most one person may have: revoke one "
                "you no longer use first."
            )
        token = secrets.token_urlsafe(32)
        feed = CalendarFeed(user=user, token_hash=token_hash(token), query=query, label=label[:300])
        feed.full_clean()
        feed.save()
    logger.info("calendar subscription made user=%s feed=%s", user.pk, feed.pk)
    return NewFeed(feed=feed, token=token)


def calendar_feed_revoke(*, feed: CalendarFeed, actor: User) -> None:
    feed_id, owner = feed.pk, feed.user_id
    feed.delete()
    logger.info("calendar subscription revoked user=%s feed=%s actor=%s", owner, feed_id, actor.pk)


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The subscription at this address, if its owner's account is active; None otherwise."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )


def calendar_feed_read(feed: CalendarFeed) -> None:
    """Note that a calendar app read the feed (at most one write an hour)."""
    now = timezone.now()
    if feed.last_read_at is None or now - feed.last_read_at >= _TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
        feed.last_read_at = now
