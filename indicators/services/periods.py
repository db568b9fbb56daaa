"""Reporting periods: generated from a grant's dates and frequency, opened and closed on record."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from grants.models import Grant, User
from indicators.models import (
    PeriodStatus,
    ReportingPeriod,
    ReportingPeriodChange,
)
from indicators.periods import fiscal_periods


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
                period=period, from_status=period.status, to_status=period.status, actor=actor, note=note
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
