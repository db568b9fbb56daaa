"""Reusable filters for the indicators app. They know field names, not who is asking (see access.py)."""

from __future__ import annotations

import datetime

from django.db import models

# Plain strings so this module need not import the models that use it.
_AWAITING_REVIEW = "submitted"
_EDITABLE = ("draft", "returned")


class ReportingPeriodQuerySet(models.QuerySet):
    def open(self) -> ReportingPeriodQuerySet:
        return self.filter(status="open")

    def started(self, today: datetime.date) -> ReportingPeriodQuerySet:
        return self.filter(start_date__lte=today)

    def containing(self, day: datetime.date) -> ReportingPeriodQuerySet:
        return self.filter(start_date__lte=day, end_date__gte=day)

    def overdue_without_approval(self, today: datetime.date) -> ReportingPeriodQuerySet:
        """Periods whose report is past due (callers join to submissions to see which projects are late)."""
        return self.filter(due_date__lt=today)


class ProjectIndicatorQuerySet(models.QuerySet):
    def with_library(self) -> ProjectIndicatorQuerySet:
        """With the indicator, its categories and their options loaded: what cell lists and validation need."""
        return self.select_related("indicator", "result_node").prefetch_related(
            "indicator__categories__options"
        )


class SubmissionQuerySet(models.QuerySet):
    def awaiting_review(self) -> SubmissionQuerySet:
        return self.filter(status=_AWAITING_REVIEW)

    def editable(self) -> SubmissionQuerySet:
        return self.filter(status__in=_EDITABLE)

    def approved(self) -> SubmissionQuerySet:
        return self.filter(status="approved")

    def of_organisation(self, organisation_id: int) -> SubmissionQuerySet:
        return self.filter(country_project__grant__grantee_id=organisation_id)

    def for_officer(self, officer_id: int) -> SubmissionQuerySet:
        return self.filter(period__grant__program_officer_id=officer_id)
