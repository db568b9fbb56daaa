"""Calendar subscriptions: a secret address at which a calendar app (Outlook, Google Calendar, Apple Calendar)
reads one person's reporting calendar, with the filters they subscribed with, and keeps it current."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    # SHA-256 of the secret in the address. The secret itself is shown once, when the subscription is made:
    # a copy of the database gives nobody the addresses, and a lost address is replaced, not looked up.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The calendar's filters as a query string (kind, state, country, officer, grantee, grant). No dates: the
    # feed rolls from a year ago onwards, like the .ics download without From/To.
    query = models.CharField(max_length=1000, blank=True)
    # The filters in words, for the list of subscriptions and the calendar's name in the app.
    label = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When a calendar app last read it (to the hour): a subscription nobody reads any more can be revoked.
    last_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "calendar subscription"

    def __str__(self) -> str:
        return f"{self.user} · {self.label}"
