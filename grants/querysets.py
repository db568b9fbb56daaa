"""Reusable filters. They know field names, not who is asking: scoping by user lives in access.py."""

from __future__ import annotations

import datetime

from django.db import models

# Kept here as plain strings so this module need not import the models that use it.
_OPEN_MILESTONE = ("planned", "in_progress", "delayed")


class GrantQuerySet(models.QuerySet):
    def active(self) -> GrantQuerySet:
        return self.filter(status="active")

    def open(self) -> GrantQuerySet:
        return self.filter(status__in=("active", "suspended"))

    def in_country(self, code: str) -> GrantQuerySet:
        return self.filter(country_projects__country=code).distinct()

    def of_organisation(self, organisation_id: int) -> GrantQuerySet:
        return self.filter(grantee_id=organisation_id)


class CountryProjectQuerySet(models.QuerySet):
    def of_organisation(self, organisation_id: int) -> CountryProjectQuerySet:
        return self.filter(grant__grantee_id=organisation_id)


class MilestoneQuerySet(models.QuerySet):
    def open(self) -> MilestoneQuerySet:
        return self.filter(status__in=_OPEN_MILESTONE)

    def overdue(self, today: datetime.date) -> MilestoneQuerySet:
        return self.open().filter(due_date__lt=today)

    def due_within(self, today: datetime.date, days: int) -> MilestoneQuerySet:
        return self.open().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def of_organisation(self, organisation_id: int) -> MilestoneQuerySet:
        return self.filter(country_project__grant__grantee_id=organisation_id)
