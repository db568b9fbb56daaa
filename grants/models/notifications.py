"""Notifications: in-app messages with their email, and each person's choices about them.

A Notification row is both the message in the person's list and the record of its email. The unique
(recipient, key) constraint is what makes every reminder exactly-once: the job that plans reminders may run at
any frequency, twice at the same time, or after missed runs; inserting an existing key is skipped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", "Before a due date"
    DUE_TODAY = "due_today", "On the due date"
    OVERDUE = "overdue", "After a missed due date"
    DIGEST = "digest", "Weekly digest"


class EmailState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    # Claimed by one sending run (a conditional UPDATE from pending): no other run will send it.
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The person turned this kind of email off, or has no email address.
    OFF = "off", "Not emailed"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    # What makes it unique for its recipient: "report:12:34|2025-04-30|before:3", "digest:2025-W18".
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # A path inside the app ("/milestones/3/"); emails prefix settings.SITE_URL.
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # False when the person wants only the email of this kind: the row still records the sending.
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The creating run's token: after an insert that skips existing keys, the rows carrying it are the new ones.
    batch = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_recipient_key"),
            models.CheckConstraint(
                condition=Q(kind__in=["due_soon", "due_today", "overdue", "digest"]),
                name="notification_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=["pending", "sending", "sent", "failed", "off"]),
                name="notification_email_state_known",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(fields=["email_state"], name="notification_email_state"),
            models.Index(fields=["batch"], name="notification_batch"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """One person's choices, created the first time they save them; until then the defaults apply
    (everything on, the office's reminder days)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    due_soon_in_app = models.BooleanField("Before a due date: in the app", default=True)
    due_soon_email = models.BooleanField("Before a due date: by email", default=True)
    due_today_in_app = models.BooleanField("On the due date: in the app", default=True)
    due_today_email = models.BooleanField("On the due date: by email", default=True)
    overdue_in_app = models.BooleanField("After a missed due date: in the app", default=True)
    overdue_email = models.BooleanField("After a missed due date: by email", default=True)
    digest_in_app = models.BooleanField("Weekly digest: in the app", default=True)
    digest_email = models.BooleanField("Weekly digest: by email", default=True)
    # Days before a due date to be reminded, largest first (see portfolio.env.parse_days); None = the office's
    # settings.REMINDER_DAYS_BEFORE, so a change of the default reaches everyone who never chose.
    days_before = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def wants_in_app(self, kind: str) -> bool:
        return bool(getattr(self, f"{kind}_in_app"))

    def wants_email(self, kind: str) -> bool:
        return bool(getattr(self, f"{kind}_email"))

    @property
    def reminder_days_before(self) -> tuple[int, ...]:
        if self.days_before is None:
            return tuple(settings.REMINDER_DAYS_BEFORE)
        return tuple(sorted((int(day) for day in self.days_before), reverse=True))
