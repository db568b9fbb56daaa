"""Reporting periods of a grant, generated from its dates and reporting frequency (see indicators.periods)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from grants.models import Grant
from indicators.querysets import ReportingPeriodQuerySet


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


class ReportingPeriodChange(models.Model):
    """The trail of a period: opened, closed, or its dates moved when the grant's end date changed."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=6, choices=PeriodStatus.choices, blank=True)
    to_status = models.CharField(max_length=6, choices=PeriodStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period}: {self.from_status or '-'} -> {self.to_status}"
