"""Reporting periods of a grant, generated from its dates and reporting frequency (see indicators.periods)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from grants.models import Grant
from indicators.querysets import ReportingPeriodQuerySet


def day(date: datetime.date) -> str:
    """A date as the messages write it: "5 May 2025" (no leading zero, on every platform)."""
    return f"{date.day} {date:%b %Y}"


@dataclass(frozen=True)
class EntryWindow:
    """When grantees may enter a period's figures. ``state``: "upcoming" (the period has not begun: entry
    opens on its first day), "open" (until the due date plus grace), "reopened" (past that, by an officer's
    reopening) or "locked"; ``text`` is the short line the period tables show, ``message`` the refusal a
    grantee reads when locked."""

    state: str
    closes_on: datetime.date
    text: str
    message: str = ""

    @property
    def is_locked(self) -> bool:
        return self.state == "locked"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportingPeriod(models.Model):
    """One reporting period of a grant. Open: grantees may start and edit reports for it."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reporting_periods")
    label = models.CharField(max_length=80)
    start_date = models.DateField()
    end_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=6, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    # A program officer's reopening for late entry (reporting_period_reopen): grantees may enter until this day
    # even after the due date plus grace. Empty when never reopened or re-locked.
    reopened_until = models.DateField(null=True, blank=True)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["grant", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "start_date"], name="reporting_period_unique_start"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")) & Q(due_date__gte=F("end_date")),
                name="reporting_period_dates_in_order",
                violation_error_message="A period ends after it starts, and its report is due after it ends.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN

    def has_started(self, today: datetime.date) -> bool:
        return self.start_date <= today

    def grace_closes_on(self, grace_days: int) -> datetime.date:
        """The last day of entry by the calendar alone: the due date plus the grace."""
        return self.due_date + datetime.timedelta(days=grace_days)

    def entry_closes_on(self, grace_days: int) -> datetime.date:
        """The last day grantees may enter figures: the due date plus the grace, or the officer's reopening
        when that is later (a reopening never shortens the calendar's window)."""
        closes = self.grace_closes_on(grace_days)
        if self.reopened_until is not None and self.reopened_until > closes:
            return self.reopened_until
        return closes

    def is_reopened(self, today: datetime.date, grace_days: int) -> bool:
        """Open for entry only because an officer reopened it."""
        return (
            self.reopened_until is not None
            and self.grace_closes_on(grace_days) < today <= self.reopened_until
        )

    def is_locked_for_grantees(self, today: datetime.date, grace_days: int) -> bool:
        """Past its last day of entry: grantees may no longer start or change drafts for it (a report the
        officer returned stays correctable). Independent of ``status``: a closed period refuses everyone."""
        return today > self.entry_closes_on(grace_days)

    def entry_window(self, today: datetime.date, grace_days: int) -> EntryWindow:
        """The period's entry window as the pages show it (see EntryWindow)."""
        closes_on = self.entry_closes_on(grace_days)
        if self.is_locked_for_grantees(today, grace_days):
            return EntryWindow(
                state="locked",
                closes_on=closes_on,
                text=f"Locked for grantees since {day(closes_on + datetime.timedelta(days=1))}",
                message=self.lock_message(grace_days),
            )
        if self.is_reopened(today, grace_days):
            return EntryWindow(state="reopened", closes_on=closes_on, text=f"Reopened until {day(closes_on)}")
        if not self.has_started(today):
            return EntryWindow(
                state="upcoming", closes_on=closes_on, text=f"Opens for entry on {day(self.start_date)}"
            )
        return EntryWindow(state="open", closes_on=closes_on, text=f"Open for entry until {day(closes_on)}")

    def lock_message(self, grace_days: int) -> str:
        """What a grantee is told when the period is locked: when it locked and who can reopen it."""
        closed_on = self.entry_closes_on(grace_days)
        if self.reopened_until is not None and self.reopened_until == closed_on:
            why = f"the program officer had reopened it until {day(closed_on)}"
        else:
            days = f"{grace_days} day{'s' if grace_days != 1 else ''}'"
            why = f"due {day(self.due_date)}, plus {days} grace"
        return (
            f"Entry for {self.label} closed on {day(closed_on)} ({why}). "
            "Ask your program officer to reopen it."
        )


class PeriodChangeKind(models.TextChoices):
    """What a trail row records; the status columns say the rest (equal when the status did not change)."""

    STATUS = "status", "Status"
    DATES = "dates", "Dates changed"
    REOPENED = "reopened", "Reopened for late entry"
    RELOCKED = "relocked", "Re-locked for grantees"


class ReportingPeriodChange(models.Model):
    """The trail of a period: opened, closed, reopened for late entry (or re-locked), or its dates moved when the
    grant's end date changed."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=6, choices=PeriodStatus.choices, blank=True)
    to_status = models.CharField(max_length=6, choices=PeriodStatus.choices)
    kind = models.CharField(max_length=8, choices=PeriodChangeKind.choices, default=PeriodChangeKind.STATUS)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period}: {self.from_status or '-'} -> {self.to_status}"
