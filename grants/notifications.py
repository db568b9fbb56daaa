"""Notification services: create reminders exactly once, email them exactly once, mark them read, and keep
each person's preferences and unread count.

Exactly once, twice over:
- creating: rows are inserted with ``bulk_create(ignore_conflicts=True)`` against the unique (recipient, key)
  constraint, each run stamping its rows with a token of its own; the rows that carry the token afterwards are
  the ones this run created (an existing key is skipped, on SQLite and PostgreSQL alike, even when two runs
  insert the same key at the same moment);
- emailing: each pending row is claimed with a conditional UPDATE (pending -> sending); only the run whose
  UPDATE changed the row sends it, so two concurrent runs never send the same email twice. A run that dies
  between claiming and recording leaves the row "sending"; a later run marks such rows failed after
  ``STALE_CLAIM`` (it cannot know whether the email left, and sending it again could repeat it).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from grants.models import EmailState, Notification, NotificationKind, NotificationPreference, User
from portfolio.env import parse_days

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "grants.notifications.unsubscribe"
# Unsubscribe links in emails stay valid this long.
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=180)
STALE_CLAIM = datetime.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PlannedNotification:
    """A notification some job decided is due for a person; created only if its key is new for them."""

    recipient_id: int
    kind: NotificationKind
    key: str
    title: str
    body: str
    url: str
    # The person's choices for this kind (a kind turned off entirely is never planned).
    in_app: bool = True
    email: bool = True


@dataclass(frozen=True, slots=True)
class SendCounts:
    emailed: int
    failed: int


# Preferences ----------------------------------------------------------------------------------------------


def default_preference(user_id: int) -> NotificationPreference:
    """The choices of someone who never saved any (unsaved: preferences are created when first changed)."""
    return NotificationPreference(user_id=user_id)


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """Every listed person's preferences, saved or default, in one query."""
    ids = set(user_ids)
    saved = {pref.user_id: pref for pref in NotificationPreference.objects.filter(user_id__in=ids)}
    return {user_id: saved.get(user_id) or default_preference(user_id) for user_id in ids}


def preference_for(user: User) -> NotificationPreference:
    return preferences_for([user.pk])[user.pk]


@transaction.atomic
def notification_preferences_update(
    *, user: User, in_app: dict[str, bool], email: dict[str, bool], days_before: str, actor: User
) -> NotificationPreference:
    """Save ``user``'s choices: per kind (``NotificationKind`` values) in-app and email on/off, and their days
    before a due date written as "14, 3" (validated by ``portfolio.env.parse_days``; empty = no reminders
    before). Only the person themselves may change them. Raises ValidationError, writing nothing."""
    if actor.pk != user.pk:
        raise ValidationError("You can only change your own notification preferences.")
    try:
        days = parse_days(days_before)
    except ValueError as exc:
        raise ValidationError({"days_before": str(exc)}) from None
    preference = NotificationPreference.objects.select_for_update().filter(user=user).first()
    preference = preference or default_preference(user.pk)
    for kind in NotificationKind.values:
        setattr(preference, f"{kind}_in_app", bool(in_app.get(kind, False)))
        setattr(preference, f"{kind}_email", bool(email.get(kind, False)))
    preference.days_before = list(days)
    preference.full_clean()
    preference.save()
    return preference


# Creating -------------------------------------------------------------------------------------------------


@transaction.atomic
def notifications_create(*, planned: Sequence[PlannedNotification]) -> list[Notification]:
    """Insert the planned notifications whose (recipient, key) is new, skip the rest, and add the new in-app
    ones to their recipients' unread counts in the same transaction. Returns the new rows."""
    if not planned:
        return []
    batch = uuid.uuid4().hex
    emails = dict(User.objects.filter(pk__in={p.recipient_id for p in planned}).values_list("pk", "email"))
    now = timezone.now()
    rows = []
    for item in planned:
        if item.recipient_id not in emails or not (item.in_app or item.email):
            continue  # deleted since planning, or nothing wanted at all
        wants_email = item.email and bool(emails[item.recipient_id])
        rows.append(
            Notification(
                recipient_id=item.recipient_id,
                kind=item.kind,
                key=item.key,
                title=item.title[:300],
                body=item.body,
                url=item.url,
                created_at=now,
                in_app=item.in_app,
                email_state=EmailState.PENDING if wants_email else EmailState.OFF,
                batch=batch,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Notification.objects.filter(batch=batch).order_by("pk"))
    unread = Counter(row.recipient_id for row in created if row.in_app)
    for user_id, count in unread.items():
        User.objects.filter(pk=user_id).update(unread_notifications=F("unread_notifications") + count)
    return created


# Emailing -------------------------------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) of a token made by ``unsubscribe_token``. Raises ValidationError with a message for a
    person when it was altered, has expired or names no kind."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "This unsubscribe link has expired. Change your emails on the notification preferences page."
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This unsubscribe link is not valid (it may have been cut or changed). Change your emails on the notification preferences page."
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("k") not in NotificationKind.values
        or not isinstance(data.get("u"), int)
    ):
        raise ValidationError("This unsubscribe link is not valid.")
    return data["u"], data["k"]


def unsubscribe_kind(*, token: str, actor: User) -> NotificationKind:
    """The kind of email ``token`` turns off for ``actor``. Raises ValidationError with a message for a person
    for someone else's token, an altered or an expired one."""
    user_id, kind = read_unsubscribe_token(token)
    if user_id != actor.pk:
        raise ValidationError(
            "This unsubscribe link was sent to someone else; nothing was changed. Sign in as the person who received it, or change your own emails on the notification preferences page."
        )
    return NotificationKind(kind)


@transaction.atomic
def notification_email_unsubscribe(*, token: str, actor: User) -> NotificationKind:
    """Turn off the emails of the kind named in ``token`` for ``actor``, when the token is theirs. Raises
    ValidationError (nothing changed) otherwise; see ``unsubscribe_kind``."""
    kind = unsubscribe_kind(token=token, actor=actor)
    preference = NotificationPreference.objects.select_for_update().filter(user=actor).first()
    preference = preference or default_preference(actor.pk)
    setattr(preference, f"{kind}_email", False)
    preference.full_clean()
    preference.save()
    return kind


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def _message(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    unsubscribe = absolute_url(
        reverse(
            "grants:notification_unsubscribe",
            args=[unsubscribe_token(user_id=recipient.pk, kind=notification.kind)],
        )
    )
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind_label": NotificationKind(notification.kind).label,
        "link": absolute_url(notification.url) if notification.url else "",
        "notifications_url": absolute_url(reverse("grants:notification_list")),
        "preferences_url": absolute_url(reverse("grants:notification_preferences")),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("grants/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.attach_alternative(render_to_string("grants/email/notification.html", context), "text/html")
    return message


def _claim(pk: int) -> bool:
    """Take one pending row for this run: True when this run's UPDATE changed it (no other run will)."""
    return (
        Notification.objects.filter(pk=pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING, claimed_at=timezone.now()
        )
        == 1
    )


def notifications_send_pending(*, limit: int | None = None) -> SendCounts:
    """Email every pending notification exactly once and record the outcome on its row (sent with the time,
    or failed with the error). Safe to run from several processes at once. Must not run inside a
    transaction: each claim has to be visible to the other runs at once."""
    stale = timezone.now() - STALE_CLAIM
    Notification.objects.filter(email_state=EmailState.SENDING, claimed_at__lt=stale).update(
        email_state=EmailState.FAILED,
        email_error="The sending was interrupted; the email may not have gone out.",
    )
    pending = Notification.objects.filter(email_state=EmailState.PENDING).order_by("pk")
    ids = list(
        pending.values_list("pk", flat=True)[:limit] if limit else pending.values_list("pk", flat=True)
    )
    emailed = failed = 0
    for pk in ids:
        if not _claim(pk):
            continue  # another run has it
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        try:
            if not notification.recipient.email:
                raise ValueError("The person has no email address.")
            _message(notification).send(fail_silently=False)
        except Exception as exc:  # any failure of rendering or the mail server is recorded, not raised
            logger.warning("Notification %s could not be emailed: %s", pk, exc)
            Notification.objects.filter(pk=pk).update(
                email_state=EmailState.FAILED, email_error=str(exc)[:2000] or exc.__class__.__name__
            )
            failed += 1
        else:
            Notification.objects.filter(pk=pk).update(
                email_state=EmailState.SENT, emailed_at=timezone.now(), email_error=""
            )
            emailed += 1
    return SendCounts(emailed=emailed, failed=failed)


# Reading --------------------------------------------------------------------------------------------------


def _recount_unread(user: User) -> None:
    count = Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()
    User.objects.filter(pk=user.pk).update(unread_notifications=count)
    user.unread_notifications = count


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    """Mark one of ``actor``'s own notifications read (already read: unchanged) and recount their unread."""
    if notification.recipient_id != actor.pk:
        raise ValidationError("This notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        _recount_unread(actor)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark all of ``actor``'s notifications read; returns how many were unread."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    _recount_unread(actor)
    return count
