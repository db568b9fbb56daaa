"""A results framework on top of the shared `world`: periods for both grants, and three project indicators on
Guatemala (E1 children reached by sex and age band, E3 school attendance by sex, L5 seed capital in USD)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from grants import services as grant_services
from grants.models import ModificationKind
from indicators import services
from indicators.cells import TOTAL, make_key
from indicators.models import (
    CrossIndicatorRule,
    NodeLevel,
    ProjectIndicator,
    ReportingPeriod,
    ResultNode,
    Submission,
)
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


# --- the results framework screens (tests/indicators/test_framework_views.py, test_targets_views.py) ----
@dataclass
class Nodes:
    goal: ResultNode
    outcome: ResultNode
    output: ResultNode
    goal_b: ResultNode  # organisation B's project


@pytest.fixture
def nodes(world, officer, other_officer, framework) -> Nodes:
    def node(project, level, code, parent=None, actor=officer):
        return services.result_node_create(
            country_project=project,
            level=level,
            code=code,
            statement=f"Result {code}",
            parent=parent,
            actor=actor,
        )

    goal = node(world.project_a, NodeLevel.GOAL, "1")
    outcome = node(world.project_a, NodeLevel.OUTCOME, "1.1", goal)
    output = node(world.project_a, NodeLevel.OUTPUT, "1.1.1", outcome)
    services.project_indicator_update(project_indicator=framework.reached, actor=officer, result_node=outcome)
    return Nodes(goal, outcome, output, node(world.project_b, NodeLevel.GOAL, "1", actor=other_officer))


@pytest.fixture
def rules(world, officer, other_officer, framework) -> tuple[CrossIndicatorRule, CrossIndicatorRule]:
    enrolled = services.project_indicator_create(
        country_project=world.project_a, indicator=library("E2"), actor=officer
    )
    enrolled_b = services.project_indicator_create(
        country_project=world.project_b, indicator=library("E2"), actor=other_officer
    )
    return (
        services.cross_indicator_rule_create(
            country_project=world.project_a,
            left=enrolled,
            operator="lte",
            right=framework.reached,
            actor=officer,
        ),
        services.cross_indicator_rule_create(
            country_project=world.project_b,
            left=enrolled_b,
            operator="lte",
            right=framework.reached_b,
            actor=other_officer,
        ),
    )


def make_modification(grant, actor, reason="Scope extended"):
    return grant_services.modification_apply(
        grant=grant,
        actor=actor,
        kind=ModificationKind.SCOPE_CHANGE,
        effective_date=datetime.date(2024, 6, 1),
        reason=reason,
    )


def target_field(period, key=TOTAL) -> str:
    return f"target-{period.pk}-{key or 'total'}"


def form_errors(response, name: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(name, [])
