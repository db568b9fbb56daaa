"""Indicator scale data: periods, indicators, targets and every disaggregated value, bulk-inserted."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from grants import demo as grants_demo
from grants.models import CountryProject
from indicators.demo.loader import (
    ACHIEVEMENTS,
    CHALLENGES,
    NEXT_STEPS,
    SCALE_CODES,
    Figures,
    IndicatorDemoResult,
    delete_for_grants,
    target_figure,
)
from indicators.models import (
    ActualValue,
    CrossIndicatorRule,
    Indicator,
    MeasureType,
    ProjectIndicator,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    Target,
    TargetRevision,
)
from indicators.periods import fiscal_periods
from indicators.validation import CellInput

# --- scale data -------------------------------------------------------------------------------------------------

BATCH = 5000


def scale_is_loaded() -> bool:
    return ProjectIndicator.objects.filter(country_project__grant__in=grants_demo.scale_grants()).exists()


@transaction.atomic
def delete_scale_indicators() -> None:
    """Plain DELETEs: the rows were written without history, and collecting 500,000 objects would take minutes.
    ``_raw_delete`` skips Django's collector, so dependents go first, in order."""
    grants = grants_demo.scale_grants().values("pk")
    submissions = Submission.objects.filter(country_project__grant__in=grants).values("pk")
    indicators = ProjectIndicator.objects.filter(country_project__grant__in=grants).values("pk")
    for queryset in (
        ActualValue.objects.filter(submission__in=submissions),
        SubmissionTransition.objects.filter(submission__in=submissions),
        Submission.objects.filter(pk__in=submissions),
        TargetRevision.objects.filter(project_indicator__in=indicators),
        Target.objects.filter(project_indicator__in=indicators),
        CrossIndicatorRule.objects.filter(left__in=indicators),
        ProjectIndicator.objects.filter(pk__in=indicators),
    ):
        queryset._raw_delete(queryset.db)
    delete_for_grants(grants_demo.scale_grants())


@dataclass
class _ScaleProject:
    project: CountryProject
    periods: list[ReportingPeriod]


def load_scale_indicators(
    *, today: datetime.date | None = None, progress: Callable[[str], None] | None = None
) -> IndicatorDemoResult:
    """Bulk-insert indicator data for the synthetic grants: every ended period of every country project has an
    approved report (the current one a draft) with all 84 cells of the 16 indicators in SCALE_CODES. No history and no trail rows."""
    today = today or datetime.date.today()
    say = progress or (lambda message: None)
    rng = random.Random(7)
    result = IndicatorDemoResult()
    with transaction.atomic():
        grants = list(grants_demo.scale_grants().select_related("program_officer"))
        say("periods")
        periods: dict[int, list[ReportingPeriod]] = {}
        rows = []
        for grant in grants:
            for spec in fiscal_periods(grant.start_date, grant.end_date, grant.reporting_frequency):
                rows.append(
                    ReportingPeriod(
                        grant=grant,
                        label=spec.label,
                        start_date=spec.start,
                        end_date=spec.end,
                        due_date=spec.due,
                    )
                )
        for period in ReportingPeriod.objects.bulk_create(rows, batch_size=BATCH):
            periods.setdefault(period.grant_id, []).append(period)
        result.periods = len(rows)

        library = Indicator.objects.filter(code__in=SCALE_CODES).prefetch_related("categories__options")
        specs = {indicator.code: ProjectIndicator(indicator=indicator).spec() for indicator in library}
        # A few figure profiles per indicator, cached per period index: values vary between projects while the
        # loop stays a dictionary lookup.
        profiles = {code: [Figures(spec, rng, 300) for _ in range(4)] for code, spec in specs.items()}
        by_code = {indicator.code: indicator for indicator in library}

        say("project indicators and targets")
        projects = list(CountryProject.objects.filter(grant__in=grants_demo.scale_grants()).order_by("pk"))
        officers = {grant.pk: grant.program_officer_id for grant in grants}
        adopted = [
            ProjectIndicator(
                country_project=project,
                indicator=by_code[code],
                baseline_value=None if specs[code].measure_type == MeasureType.PERCENTAGE else 0,
                baseline_date=project.start_date,
                baseline_source="Baseline survey",
                sort_order=order,
            )
            for project in projects
            for order, code in enumerate(SCALE_CODES)
            if code in by_code
        ]
        adopted = ProjectIndicator.objects.bulk_create(adopted, batch_size=BATCH)
        result.project_indicators = len(adopted)
        per_project: dict[int, list[ProjectIndicator]] = {}
        for pi in adopted:
            per_project.setdefault(pi.country_project_id, []).append(pi)
        targets = []
        for project in projects:
            own = [
                p
                for p in periods.get(project.grant_id, [])
                if p.end_date >= project.start_date and p.start_date <= project.end_date
            ]
            for pi in per_project.get(project.pk, []):
                figures = profiles[pi.indicator.code][project.pk % 4]
                for k, period in enumerate(own):
                    value = target_figure(figures, k)
                    targets.append(
                        Target(project_indicator=pi, period=period, value=value, original_value=value)
                    )
        Target.objects.bulk_create(targets, batch_size=BATCH)
        result.targets = len(targets)

        say("submissions")
        submissions: list[Submission] = []
        ks: list[int] = []
        for project in projects:
            officer = officers[project.grant_id]
            own = [
                p
                for p in periods.get(project.grant_id, [])
                if p.end_date >= project.start_date
                and p.start_date <= project.end_date
                and p.start_date <= today
            ]
            for k, period in enumerate(own):
                submissions.append(
                    Submission(
                        country_project=project,
                        period=period,
                        status=SubmissionStatus.APPROVED
                        if period.end_date < today
                        else SubmissionStatus.DRAFT,
                        cumulative_expenditure=(project.budget * Decimal(k + 1) / (len(own) + 2)).quantize(
                            Decimal("0.01")
                        ),
                        achievements=ACHIEVEMENTS[k % 4].format(n=10 * k),
                        challenges=CHALLENGES[k % 4],
                        next_steps=NEXT_STEPS[k % 4],
                        created_by_id=officer,
                        updated_by_id=officer,
                    )
                )
                ks.append(k)  # the period's index in the project, for the figures
        submissions = Submission.objects.bulk_create(submissions, batch_size=BATCH)
        result.submissions = len(submissions)

        say("actual values")
        cache: dict[tuple[str, int, int], dict[str, CellInput]] = {}
        batch: list[ActualValue] = []
        for submission, k in zip(submissions, ks, strict=True):
            variant = submission.country_project_id % 4
            for pi in per_project[submission.country_project_id]:
                code = pi.indicator.code
                cells = cache.get((code, variant, k))
                if cells is None:
                    cells = cache[(code, variant, k)] = profiles[code][variant].cells_for(k)
                for cell, entry in cells.items():
                    batch.append(_actual(submission, pi, cell, entry))
            if len(batch) >= BATCH:
                ActualValue.objects.bulk_create(batch)
                result.values += len(batch)
                batch = []
        ActualValue.objects.bulk_create(batch)
        result.values += len(batch)
    return result


def _actual(submission: Submission, pi: ProjectIndicator, cell: str, entry: CellInput) -> ActualValue:
    def text(number: object) -> str:
        return "" if number is None else str(number)

    return ActualValue(
        submission=submission,
        project_indicator=pi,
        cell_key=cell,
        value=entry.value,
        numerator=entry.numerator,
        denominator=entry.denominator,
        value_text=text(entry.value),
        numerator_text=text(entry.numerator),
        denominator_text=text(entry.denominator),
    )
