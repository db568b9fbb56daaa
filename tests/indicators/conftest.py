"""A results framework on top of the shared `world`: periods for both grants, and three project indicators on
Guatemala (E1 children reached by sex and age band, E3 school attendance by sex, L5 seed capital in USD)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from indicators import services
from indicators.cells import TOTAL, make_key
from indicators.models import ProjectIndicator, ReportingPeriod, Submission
from tests.indicator_factories import library

AGES = ("5-11", "12-14", "15-17", "18-plus")


@dataclass
class Framework:
    reached: ProjectIndicator  # E1, count, sex x age band (8 cells)
    attending: ProjectIndicator  # E3, percentage, sex
    capital: ProjectIndicator  # L5, money, no disaggregation
    reached_b: ProjectIndicator  # E1 in Kenya (organisation B)
    first: ReportingPeriod  # FY2024 H1 of grant A (partial: Jan-Mar 2024)
    second: ReportingPeriod
    first_b: ReportingPeriod


@pytest.fixture
def framework(world, officer, other_officer) -> Framework:
    services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    services.reporting_periods_generate(grant=world.grant_b, actor=other_officer)
    first, second = world.grant_a.reporting_periods.order_by("start_date")[:2]

    def adopt(project, code, **fields):
        return services.project_indicator_create(
            country_project=project, indicator=library(code), actor=officer, **fields
        )

    return Framework(
        reached=adopt(world.project_a, "E1", lop_target=Decimal(1000)),
        attending=adopt(world.project_a, "E3", lop_target=Decimal(80)),
        capital=adopt(world.project_a, "L5", lop_target=Decimal(50000)),
        reached_b=adopt(world.project_b, "E1", lop_target=Decimal(500)),
        first=first,
        second=second,
        first_b=world.grant_b.reporting_periods.order_by("start_date").first(),
    )


def complete_values(fw: Framework, *, each: int = 1) -> dict:
    """A full, valid set of figures: 8 children reached (one per cell), 10 of 20 attending, 1500 USD."""
    values = {(fw.reached.pk, TOTAL): {"value": str(8 * each)}}
    for sex in ("female", "male"):
        for age in AGES:
            values[(fw.reached.pk, make_key({"sex": sex, "age": age}))] = {"value": str(each)}
        values[(fw.attending.pk, make_key({"sex": sex}))] = {"numerator": "5", "denominator": "10"}
    values[(fw.attending.pk, TOTAL)] = {"numerator": "10", "denominator": "20"}
    values[(fw.capital.pk, TOTAL)] = {"value": "1500.00"}
    return values


@pytest.fixture
def draft(world, framework, grantee_a) -> Submission:
    return services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a
    )


def fill(submission: Submission, fw: Framework, actor, *, valid: bool = True, **overrides) -> Submission:
    """Save a complete, valid draft (figures, expenditure, narrative) at the report's current version."""
    submission.refresh_from_db()
    saved = services.submission_save_draft(
        submission=submission,
        expected_version=submission.version,
        actor=actor,
        values=overrides.pop("values", complete_values(fw)),
        expenditure=overrides.pop("expenditure", "125000.00"),
        achievements=overrides.pop("achievements", "Remedial classes opened in 4 schools."),
        **overrides,
    )
    assert saved.result.is_valid == valid, saved.result.errors
    return saved.submission
