"""Reporting periods: generated from a grant's dates and frequency, opened and closed on record, and their
entry window for grantees: open until the due date plus ``settings.REPORTING_GRACE_DAYS``, then locked until
a program officer reopens it for late entry (both recorded in the period's trail)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from grants.access import can_change_grant
from grants.models import Grant, User
from indicators.models import (
    PeriodStatus,
    ReportingPeriod,
    ReportingPeriodChange,
    Submission,
)
from indicators.models.reporting import PeriodChangeKind, day
from indicators.periods import fiscal_periods

# A reopening further ahead than this is a typing mistake (a year instead of a month), not late entry.
REOPEN_MAX_DAYS = 365


def grace_days() -> int:
    """Days after the due date during which grantees may still enter a period's report (read at call time, so
    tests and a changed setting take effect without a restart)."""
    return settings.REPORTING_GRACE_DAYS


def entry_lock_reason(
    *,
    period: ReportingPeriod,
    user: User,
    today: datetime.date,
    submission: Submission | None = None,
) -> str:
    """Why ``user`` may not start or change the period's report because its entry window has ended; "" if
    they may.

    Only grantee users are locked: administrators, and program officers filling a report on the grantee's
    behalf, are the people who could reopen the period anyway. A report the officer has had in front of them
    (it was submitted once, then returned or reopened) stays correctable and resubmittable after the lock:
    sending it back is itself an invitation to correct it. Drafts never submitted, and new reports, are locked.
    """
    if not user.is_grantee:
        return ""
    if submission is not None and submission.submitted_at is not None:
        return ""
    grace = grace_days()
    if not period.is_locked_for_grantees(today, grace):
        return ""
    return period.lock_message(grace)


@dataclass
class PeriodGeneration:
    created: list[ReportingPeriod] = field(default_factory=list)
    updated: list[ReportingPeriod] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Periods no longer in the grant's calendar but kept because reports or targets refer to them.
    kept: list[ReportingPeriod] = field(default_factory=list)


@transaction.atomic
def reporting_periods_generate(*, grant: Grant, actor: User) -> PeriodGeneration:
    """Bring a grant's periods in line with its dates and frequency (after creation, an extension, ...).

    Periods are matched by start date. A matched period whose end moved (the last, partial period of an
    extended grant) gets its new dates and a note in its trail; periods that no longer fit are removed unless a
    report or a target refers to them, in which case they are kept and listed in ``kept``.
    """
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    specs = fiscal_periods(grant.start_date, grant.end_date, grant.reporting_frequency)
    existing = {
        p.start_date: p
        for p in grant.reporting_periods.annotate(
            n_submissions=Count("submissions", distinct=True), n_targets=Count("targets", distinct=True)
        )
    }
    outcome = PeriodGeneration()
    for spec in specs:
        period = existing.pop(spec.start, None)
        if period is None:
            period = ReportingPeriod(
                grant=grant, label=spec.label, start_date=spec.start, end_date=spec.end, due_date=spec.due
            )
            period.full_clean()
            period.save()
            ReportingPeriodChange.objects.create(
                period=period, from_status="", to_status=period.status, actor=actor, note="Generated"
            )
            outcome.created.append(period)
        elif (period.label, period.end_date, period.due_date) != (spec.label, spec.end, spec.due):
            note = (
                f"Dates changed with the grant's period of performance: was {period.start_date:%d %b %Y} to "
                f"{period.end_date:%d %b %Y}, now to {spec.end:%d %b %Y}."
            )
            period.label, period.end_date, period.due_date = spec.label, spec.end, spec.due
            period.full_clean()
            period.save(update_fields=["label", "end_date", "due_date"])
            ReportingPeriodChange.objects.create(
                period=period,
                from_status=period.status,
                to_status=period.status,
                kind=PeriodChangeKind.DATES,
                actor=actor,
                note=note,
            )
            outcome.updated.append(period)
    for period in existing.values():
        if period.n_submissions or period.n_targets:
            outcome.kept.append(period)
        else:
            outcome.removed.append(period.label)
            period.delete()
    return outcome


@transaction.atomic
def reporting_period_set_status(
    *, period: ReportingPeriod, status: str, actor: User, note: str = ""
) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if status not in PeriodStatus.values:
        raise ValidationError({"status": f"“{status}” is not a period status."})
    if status == period.status:
        raise ValidationError({"status": f"The period is already {period.get_status_display().lower()}."})
    from_status = period.status
    period.status = status
    period.full_clean()
    period.save(update_fields=["status"])
    ReportingPeriodChange.objects.create(
        period=period, from_status=from_status, to_status=status, actor=actor, note=note.strip()
    )
    return period


def _check_can_change(period: ReportingPeriod, actor: User) -> None:
    # The views check first (404/403); this keeps a command or a shell from reopening someone else's grant.
    if not can_change_grant(actor, period.grant):
        raise PermissionDenied("Only the grant's program officer or an administrator can reopen its periods.")


def _record(period: ReportingPeriod, kind: str, actor: User, note: str) -> None:
    ReportingPeriodChange.objects.create(
        period=period, from_status=period.status, to_status=period.status, kind=kind, actor=actor, note=note
    )


@transaction.atomic
def reporting_period_reopen(
    *,
    period: ReportingPeriod,
    until: datetime.date,
    actor: User,
    note: str = "",
    today: datetime.date | None = None,
) -> ReportingPeriod:
    """Let grantees enter the period's reports until ``until`` (inclusive), past its due date plus grace.

    ``until`` must be today or later, within REOPEN_MAX_DAYS of today, and later than the calendar's own last
    day of entry (otherwise the reopening would change nothing). A later call moves the date (earlier or
    later); ``reporting_period_relock`` withdraws it. Recorded in the period's trail with the note.
    """
    today = today or timezone.localdate()
    period = ReportingPeriod.objects.select_for_update().select_related("grant").get(pk=period.pk)
    _check_can_change(period, actor)
    if not isinstance(until, datetime.date):
        raise ValidationError({"until": "Enter the last day of late entry as a date, such as 2025-06-10."})
    if not period.is_open:
        raise ValidationError(
            {"until": f"{period.label} is closed to everyone; open it first, then reopen it for late entry."}
        )
    if until < today:
        raise ValidationError(
            {"until": f"Choose today ({day(today)}) or a later day; {day(until)} has passed."}
        )
    if until > today + datetime.timedelta(days=REOPEN_MAX_DAYS):
        raise ValidationError(
            {
                "until": f"Choose a day within a year of today (by {day(today + datetime.timedelta(days=REOPEN_MAX_DAYS))})."
            }
        )
    grace_end = period.grace_closes_on(grace_days())
    if until <= grace_end:
        raise ValidationError(
            {
                "until": f"{period.label} is open for entry until {day(grace_end)} anyway (due "
                f"{day(period.due_date)} plus grace); choose a later day to reopen it."
            }
        )
    if until == period.reopened_until:
        raise ValidationError({"until": f"{period.label} is already reopened until {day(until)}."})
    period.reopened_until = until
    period.full_clean()
    period.save(update_fields=["reopened_until"])
    text = f"Reopened for late entry until {day(until)}"
    _record(
        period, PeriodChangeKind.REOPENED, actor, f"{text}: {note.strip()}" if note.strip() else f"{text}."
    )
    return period


@transaction.atomic
def reporting_period_relock(*, period: ReportingPeriod, actor: User, note: str = "") -> ReportingPeriod:
    """Withdraw a reopening: the period's entry window is the calendar's again (due date plus grace), so it
    locks for grantees at once if that has passed. Recorded in the period's trail."""
    period = ReportingPeriod.objects.select_for_update().select_related("grant").get(pk=period.pk)
    _check_can_change(period, actor)
    if period.reopened_until is None:
        raise ValidationError({"until": f"{period.label} has not been reopened for late entry."})
    was = period.reopened_until
    period.reopened_until = None
    period.full_clean()
    period.save(update_fields=["reopened_until"])
    text = f"Re-locked for grantees (the reopening until {day(was)} was withdrawn)"
    _record(
        period, PeriodChangeKind.RELOCKED, actor, f"{text}: {note.strip()}" if note.strip() else f"{text}."
    )
    return period
