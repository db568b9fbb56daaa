"""Reminders and weekly digests: which notifications are due today, and the job that creates and emails them.

``plan_reminders`` and ``plan_digests`` are pure (due items, people's choices and a date in, planned
notifications out); ``plan_for_today`` reads the data for them, and ``run_notifications`` is the one job the
cron command and the periodic task both run. Exactly-once comes from the keys: a reminder's key names the
obligation, its due date and the stage ("before:3", "today", "after:7"), and grants.notifications never
creates a key twice for a person. So the job may run every minute, twice at once, or after days of missed
runs: each stage is sent at most once, and a moved due date starts afresh.

Stage rule (days_left = d, from today to the due date, for an obligation not yet met):
- d > 0: "before:N" with N the smallest of the person's days before that is >= d (none when d is beyond them
  all): a first run 10 days ahead with days (14, 3) sends the 14-day reminder, one 2 days ahead the 3-day one;
- d == 0: "today";
- d < 0: "after:N" with N the largest of settings.REMINDER_DAYS_AFTER that is <= -d (none before the first).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from grants.models import Notification, NotificationKind, NotificationPreference, User
from grants.notifications import (
    PlannedNotification,
    SendCounts,
    notifications_create,
    notifications_send_pending,
    preferences_for,
)
from indicators.deadlines import DueItem, DueState

# Items due in the next DIGEST_AHEAD_DAYS days are listed in an officer's weekly digest.
DIGEST_AHEAD_DAYS = 14
# Overdue items this many days beyond the largest "after" day are still read, so that a job that was down on
# the day of the last overdue reminder sends it on its next run (the keys keep it to once).
CATCH_UP_DAYS = 7


@dataclass(frozen=True, slots=True)
class ReminderChoices:
    """One person's choices, as the pure planners need them."""

    in_app: frozenset[str]
    email: frozenset[str]
    days_before: tuple[int, ...]

    @classmethod
    def of(cls, preference: NotificationPreference) -> ReminderChoices:
        kinds = NotificationKind.values
        return cls(
            in_app=frozenset(kind for kind in kinds if preference.wants_in_app(kind)),
            email=frozenset(kind for kind in kinds if preference.wants_email(kind)),
            days_before=preference.reminder_days_before,
        )

    def wants(self, kind: str) -> bool:
        return kind in self.in_app or kind in self.email


def reminder_stage(
    days_left: int, *, days_before: Sequence[int], days_after: Sequence[int]
) -> tuple[NotificationKind, str] | None:
    """The kind and stage label of the reminder due for an open obligation ``days_left`` days from its due
    date (negative once past it), or None when none is (see the module docstring)."""
    if days_left > 0:
        later = [day for day in days_before if day >= days_left]
        return (NotificationKind.DUE_SOON, f"before:{min(later)}") if later else None
    if days_left == 0:
        return NotificationKind.DUE_TODAY, "today"
    passed = [day for day in days_after if day <= -days_left]
    return (NotificationKind.OVERDUE, f"after:{max(passed)}") if passed else None


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _reminder_text(item: DueItem, kind: NotificationKind, days_left: int) -> tuple[str, str]:
    what = item.kind.label
    if kind == NotificationKind.DUE_SOON:
        title = f"{what} due in {_plural(days_left, 'day')}: {item.title}"
    elif kind == NotificationKind.DUE_TODAY:
        title = f"{what} due today: {item.title}"
    else:
        title = f"{what} overdue by {_plural(-days_left, 'day')}: {item.title}"
    body = (
        f"{item.award_number} · {item.country_name} · {item.grantee_name}\n"
        f"Due {item.due_date.day} {item.due_date:%B %Y}. Status: {item.status_label}."
    )
    return title, body


def plan_reminders(
    *,
    items: Iterable[DueItem],
    today: datetime.date,
    grantee_users: Mapping[int, Sequence[int]],
    active_users: frozenset[int] | set[int],
    choices: Mapping[int, ReminderChoices],
    days_after: Sequence[int],
) -> list[PlannedNotification]:
    """The reminders due ``today`` for ``items``: to the active grantee users of each item's organisation
    (``grantee_users``: organisation id -> user ids) and to the grant's program officer when active. Met
    obligations get nothing; a person who turned a kind off gets no row; email off gives a row not emailed.
    People missing from ``choices`` have the defaults (everything on, settings.REMINDER_DAYS_BEFORE)."""
    default = ReminderChoices(
        in_app=frozenset(NotificationKind.values),
        email=frozenset(NotificationKind.values),
        days_before=tuple(settings.REMINDER_DAYS_BEFORE),
    )
    planned: list[PlannedNotification] = []
    for item in items:
        if item.done_on is not None or item.state == DueState.DONE:
            continue
        days_left = (item.due_date - today).days
        people = list(grantee_users.get(item.grantee_id, ()))
        if item.officer_id is not None:
            people.append(item.officer_id)
        for user_id in dict.fromkeys(people):  # once each, in order
            if user_id not in active_users:
                continue
            person = choices.get(user_id, default)
            stage = reminder_stage(days_left, days_before=person.days_before, days_after=days_after)
            if stage is None:
                continue
            kind, label = stage
            if not person.wants(kind):
                continue
            title, body = _reminder_text(item, kind, days_left)
            planned.append(
                PlannedNotification(
                    recipient_id=user_id,
                    kind=kind,
                    key=f"{item.key}|{item.due_date.isoformat()}|{label}",
                    title=title,
                    body=body,
                    url=item.url,
                    in_app=kind in person.in_app,
                    email=kind in person.email,
                )
            )
    return planned


def digest_key(today: datetime.date) -> str:
    year, week, _ = today.isocalendar()
    return f"digest:{year}-W{week:02d}"


def digest_due(today: datetime.date, weekday: int) -> bool:
    """Digests go out on ``weekday`` or, when the job did not run that day, on its first run later in the same
    ISO week (the week's key keeps it to one)."""
    return today.weekday() >= weekday


@dataclass(frozen=True, slots=True)
class DigestReview:
    """A report waiting for an officer's review, as the digest lists it."""

    officer_id: int | None
    label: str
    days_waiting: int


def plan_digests(
    *,
    today: datetime.date,
    officer_ids: Iterable[int],
    items: Iterable[DueItem],
    reviews: Iterable[DigestReview],
    choices: Mapping[int, ReminderChoices],
    url: str,
) -> list[PlannedNotification]:
    """Each officer's weekly digest for ``today``'s ISO week: the open items of their grants that are overdue
    or due in the next DIGEST_AHEAD_DAYS days, and the reports waiting for their review. Nothing to say, or
    the digest turned off: no digest. Whether today is a digest day is ``digest_due``'s question."""
    horizon = today + datetime.timedelta(days=DIGEST_AHEAD_DAYS)
    overdue: dict[int, list[DueItem]] = defaultdict(list)
    soon: dict[int, list[DueItem]] = defaultdict(list)
    for item in items:
        if item.officer_id is None or item.done_on is not None or item.state == DueState.DONE:
            continue
        if item.due_date < today:
            overdue[item.officer_id].append(item)
        elif item.due_date <= horizon:
            soon[item.officer_id].append(item)
    waiting: dict[int, list[DigestReview]] = defaultdict(list)
    for review in reviews:
        if review.officer_id is not None:
            waiting[review.officer_id].append(review)
    kind = NotificationKind.DIGEST
    planned = []
    for officer_id in officer_ids:
        person = choices.get(officer_id)
        if person is not None and not person.wants(kind):
            continue
        late, coming, reviews_of = overdue[officer_id], soon[officer_id], waiting[officer_id]
        if not (late or coming or reviews_of):
            continue
        lines: list[str] = []
        for heading, rows in (("Overdue", late), (f"Due in the next {DIGEST_AHEAD_DAYS} days", coming)):
            if rows:
                lines.append(f"{heading}:")
                lines += [
                    f"- {row.due_date.day} {row.due_date:%b %Y} · {row.kind.label} · {row.award_number} {row.country_name}: {row.title}"
                    for row in sorted(rows, key=lambda row: (row.due_date, row.key))
                ]
        if reviews_of:
            lines.append("Waiting for your review:")
            lines += [f"- {row.label} (waiting {_plural(row.days_waiting, 'day')})" for row in reviews_of]
        planned.append(
            PlannedNotification(
                recipient_id=officer_id,
                kind=kind,
                key=digest_key(today),
                title=(
                    f"Weekly digest: {len(late)} overdue, {len(coming)} due in the next {DIGEST_AHEAD_DAYS} "
                    f"days, {_plural(len(reviews_of), 'report')} waiting for review"
                ),
                body="\n".join(lines),
                url=url,
                in_app=person is None or kind in person.in_app,
                email=person is None or kind in person.email,
            )
        )
    return planned


# Reading the data -----------------------------------------------------------------------------------------


def _due_items(
    today: datetime.date, start: datetime.date | None, end: datetime.date, **filters: object
) -> list[DueItem]:
    # Imported here: the selectors import the whole indicators stack, and tests replace this function.
    from indicators.selectors.deadlines import DueFilters, due_items

    return due_items(
        user=None, today=today, start=start, end=end, filters=DueFilters(**filters) if filters else None
    )


def _waiting_reviews(officers: Sequence[User], today: datetime.date) -> list[DigestReview]:
    from indicators.selectors.deadlines import waiting_reviews

    reviews = []
    for officer in officers:
        for review in waiting_reviews(user=officer, today=today, officer_id=officer.pk):
            label = f"{review.award_number} {review.country_name}, {review.period_label}"
            reviews.append(DigestReview(officer_id=officer.pk, label=label, days_waiting=review.days_waiting))
    return reviews


def plan_for_today(today: datetime.date) -> list[PlannedNotification]:
    """Everything due today across the portfolio: reminders, and on digest days the officers' digests."""
    days_after = tuple(settings.REMINDER_DAYS_AFTER)
    # Everyone's own days before widen the window; None (SQL NULL) means the office's default.
    chosen = [
        tuple(days)
        for days in NotificationPreference.objects.filter(days_before__isnull=False).values_list(
            "days_before", flat=True
        )
        if days
    ]
    furthest = max([0, *settings.REMINDER_DAYS_BEFORE, *(day for days in chosen for day in days)])
    start = today - datetime.timedelta(days=max([0, *days_after]) + CATCH_UP_DAYS)
    items = _due_items(today, start, today + datetime.timedelta(days=furthest))

    grantee_ids = {item.grantee_id for item in items}
    officer_ids = {item.officer_id for item in items if item.officer_id is not None}
    people = User.objects.filter(is_active=True).filter(
        Q(role=User.Role.GRANTEE, organisation_id__in=grantee_ids) | Q(pk__in=officer_ids)
    )
    grantee_users: dict[int, list[int]] = defaultdict(list)
    active: set[int] = set()
    for pk, role, organisation_id in people.values_list("pk", "role", "organisation_id").order_by("pk"):
        active.add(pk)
        if role == User.Role.GRANTEE:
            grantee_users[organisation_id].append(pk)
    choices = {pk: ReminderChoices.of(pref) for pk, pref in preferences_for(active).items()}
    planned = plan_reminders(
        items=items,
        today=today,
        grantee_users=grantee_users,
        active_users=active,
        choices=choices,
        days_after=days_after,
    )
    return planned + _plan_digests_for_today(today)


def _plan_digests_for_today(today: datetime.date) -> list[PlannedNotification]:
    if not digest_due(today, settings.DIGEST_WEEKDAY):
        return []
    key = digest_key(today)
    # Officers who already have this week's digest are left out before anything is read for them.
    officers = list(
        User.objects.filter(is_active=True, role=User.Role.PROGRAM_OFFICER)
        .exclude(notifications__key=key)
        .order_by("pk")
    )
    if not officers:
        return []
    ids = {officer.pk for officer in officers}
    open_states = frozenset({DueState.OVERDUE, DueState.DUE_SOON, DueState.UPCOMING})
    items = [
        item
        for item in _due_items(
            today, None, today + datetime.timedelta(days=DIGEST_AHEAD_DAYS), states=open_states
        )
        if item.officer_id in ids
    ]
    choices = {pk: ReminderChoices.of(pref) for pk, pref in preferences_for(ids).items()}
    return plan_digests(
        today=today,
        officer_ids=sorted(ids),
        items=items,
        reviews=_waiting_reviews(officers, today),
        choices=choices,
        url=reverse("dashboard"),
    )


@dataclass(frozen=True, slots=True)
class NotifyResult:
    planned: int
    created: int
    emailed: int
    failed: int
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"Dry run: would create {self.created} of {self.planned} planned; nothing written or emailed."
            )
        return f"created {self.created}, emailed {self.emailed}, failed {self.failed}"


def run_notifications(*, today: datetime.date | None = None, dry_run: bool = False) -> NotifyResult:
    """The notification job: plan what is due ``today`` (default: the local date), create what is new, and
    email every pending notification (also those left by an earlier run). Safe at any frequency and from
    two processes at once. ``dry_run`` plans and counts what would be new, writing and sending nothing."""
    today = today or timezone.localdate()
    planned = plan_for_today(today)
    if dry_run:
        existing = set(
            Notification.objects.filter(
                recipient_id__in={p.recipient_id for p in planned}, key__in={p.key for p in planned}
            ).values_list("recipient_id", "key")
        )
        new = {(p.recipient_id, p.key) for p in planned} - existing
        return NotifyResult(planned=len(planned), created=len(new), emailed=0, failed=0, dry_run=True)
    created = notifications_create(planned=planned)
    sent: SendCounts = notifications_send_pending()
    return NotifyResult(planned=len(planned), created=len(created), emailed=sent.emailed, failed=sent.failed)
