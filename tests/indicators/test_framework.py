"""Reference data, results framework, targets (revisions keep history) and stored reporting periods."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grants import services as grant_services
from grants.models import ModificationKind
from indicators import services
from indicators.cells import TOTAL
from indicators.models import (
    DisaggregationCategory,
    Indicator,
    NodeLevel,
    PeriodStatus,
    ReportingPeriod,
    RevisionKind,
    SubmissionEvidence,
)
from tests.indicator_factories import IndicatorFactory, library
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db


def test_reference_data_is_seeded():
    options = {
        c.code: (c.complete, [o.code for o in c.options.all()]) for c in DisaggregationCategory.objects.all()
    }
    assert options == {
        "sex": (True, ["female", "male"]),
        "age": (True, ["5-11", "12-14", "15-17", "18-plus"]),
        "migration": (False, ["migrant", "returnee", "host"]),
    }
    assert Indicator.objects.count() >= 15
    assert set(Indicator.objects.values_list("domain", flat=True)) == {
        "education",
        "livelihoods",
        "protection",
        "systems",
    }
    e2 = library("E2")
    assert [c.code for c in e2.categories.all()] == ["sex", "age", "migration"]
    assert library("E3").aggregation == "ratio" and library("P3").direction == "decrease"


@pytest.mark.parametrize(("measure", "rule"), [("percentage", "sum"), ("count", "ratio"), ("money", "ratio")])
def test_percentages_and_only_percentages_combine_as_ratios(measure, rule):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(measure_type=measure, aggregation=rule)


def test_project_indicator_cells_follow_the_library(framework):
    assert len(framework.reached.cell_keys) == 1 + 2 * 4
    assert framework.capital.cell_keys == [TOTAL]


def test_adopting_an_indicator_twice_or_an_inactive_one_is_refused(world, officer, framework):
    with pytest.raises(ValidationError, match="already uses that indicator"):
        services.project_indicator_create(
            country_project=world.project_a, indicator=library("E1"), actor=officer
        )
    retired = IndicatorFactory(is_active=False)
    with pytest.raises(ValidationError) as caught:
        services.project_indicator_create(country_project=world.project_a, indicator=retired, actor=officer)
    assert caught.value.message_dict == {"indicator": ["This indicator is no longer in use; choose another."]}


@pytest.mark.parametrize(
    ("code", "fields", "field", "message"),
    [
        ("E1", {"lop_target": "12.5"}, "lop_target", "This indicator counts whole numbers."),
        ("E1", {"baseline_value": "-1"}, "baseline_value", "A target or baseline cannot be negative."),
        ("E3", {"lop_target": "120"}, "lop_target", "A percentage target is at most 100."),
        (
            "E3",
            {"baseline_value": "40"},
            "baseline_value",
            "A percentage baseline is a numerator and a denominator.",
        ),
        (
            "E3",
            {"baseline_numerator": "4"},
            "baseline_denominator",
            "Give both the baseline numerator and denominator.",
        ),
        (
            "L5",
            {"baseline_numerator": "4", "baseline_denominator": "5"},
            "baseline_numerator",
            "Only percentage indicators have a numerator and denominator.",
        ),
        ("E1", {"lop_target": "many"}, "lop_target", "Enter a number, such as 120 or 12.5."),
    ],
)
def test_bad_baselines_and_targets_are_refused(world, officer, code, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        services.project_indicator_create(
            country_project=world.project_b, indicator=library(code), actor=officer, **fields
        )
    assert caught.value.message_dict[field] == [message]


def test_results_framework_levels(world, officer):
    goal = services.result_node_create(
        country_project=world.project_a,
        level=NodeLevel.GOAL,
        code="1",
        statement="Child labour reduced",
        actor=officer,
    )
    outcome = services.result_node_create(
        country_project=world.project_a,
        level=NodeLevel.OUTCOME,
        code="1.1",
        statement="Children in school",
        parent=goal,
        actor=officer,
    )
    with pytest.raises(ValidationError, match="sits under an outcome, not a goal"):
        services.result_node_create(
            country_project=world.project_a,
            level=NodeLevel.OUTPUT,
            code="1.1.1",
            statement="x",
            parent=goal,
            actor=officer,
        )
    with pytest.raises(ValidationError, match="goal is the top"):
        services.result_node_create(
            country_project=world.project_a,
            level=NodeLevel.GOAL,
            code="2",
            statement="x",
            parent=outcome,
            actor=officer,
        )
    with pytest.raises(ValidationError, match="another country project"):
        services.result_node_create(
            country_project=world.project_b,
            level=NodeLevel.OUTCOME,
            code="1.1",
            statement="x",
            parent=goal,
            actor=officer,
        )
    with pytest.raises(ValidationError, match="already uses that code"):
        services.result_node_create(
            country_project=world.project_a, level=NodeLevel.GOAL, code="1", statement="x", actor=officer
        )


def test_a_target_revision_keeps_the_original_the_previous_value_the_reason_and_the_modification(
    world, officer, framework
):
    target = services.target_set(
        project_indicator=framework.reached, period=framework.second, value="100", actor=officer
    )
    modification = grant_services.modification_apply(
        grant=world.grant_a,
        actor=officer,
        kind=ModificationKind.SCOPE_CHANGE,
        effective_date=datetime.date(2024, 6, 1),
        reason="Two more municipalities",
    )
    services.target_revise(
        target=target, new_value="150", reason="Scope extended", modification=modification, actor=officer
    )
    services.target_revise(
        target=target, new_value="140", reason="Recount of eligible children", actor=officer
    )
    target.refresh_from_db()
    assert (target.original_value, target.value, target.is_revised) == (Decimal(100), Decimal(140), True)
    history = list(
        target.revisions.order_by("pk").values_list("previous_value", "new_value", "reason", "modification")
    )
    assert history == [
        (Decimal(100), Decimal(150), "Scope extended", modification.pk),
        (Decimal(150), Decimal(140), "Recount of eligible children", None),
    ]


def test_revising_the_life_of_project_target(officer, framework):
    revision = services.target_revise(
        project_indicator=framework.reached, new_value=1200, reason="Extension", actor=officer
    )
    framework.reached.refresh_from_db()
    assert (framework.reached.original_lop_target, framework.reached.lop_target) == (
        Decimal(1000),
        Decimal(1200),
    )
    assert (revision.kind, revision.previous_value, revision.target) == (
        RevisionKind.LIFE_OF_PROJECT,
        Decimal(1000),
        None,
    )
    with pytest.raises(TypeError):
        services.project_indicator_update(project_indicator=framework.reached, actor=officer, lop_target=5)


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        (
            {"new_value": "150", "reason": " "},
            {"reason": ["Say why the target changes; the reason stays on record."]},
        ),
        (
            {"new_value": "100", "reason": "x"},
            {"new_value": ["The revised target is the same as the current one."]},
        ),
        ({"new_value": "-5", "reason": "x"}, {"new_value": ["A target or baseline cannot be negative."]}),
        ({"new_value": "", "reason": "x"}, {"new_value": ["Enter the revised target."]}),
    ],
)
def test_bad_revisions_are_refused_and_change_nothing(officer, framework, kwargs, errors):
    target = services.target_set(
        project_indicator=framework.reached, period=framework.second, value=100, actor=officer
    )
    with pytest.raises(ValidationError) as caught:
        services.target_revise(target=target, actor=officer, **kwargs)
    assert caught.value.message_dict == errors
    target.refresh_from_db()
    assert target.value == Decimal(100) and not target.revisions.exists()


def test_a_modification_of_another_grant_cannot_justify_a_revision(world, officer, other_officer, framework):
    foreign = grant_services.modification_apply(
        grant=world.grant_b,
        actor=other_officer,
        kind=ModificationKind.SCOPE_CHANGE,
        effective_date=datetime.date(2024, 6, 1),
        reason="Other grant",
    )
    with pytest.raises(ValidationError) as caught:
        services.target_revise(
            project_indicator=framework.reached, new_value=5, reason="x", modification=foreign, actor=officer
        )
    assert caught.value.message_dict == {"modification": ["That modification belongs to another grant."]}


def test_target_placement_rules(officer, framework):
    with pytest.raises(ValidationError, match="belongs to another grant"):
        services.target_set(
            project_indicator=framework.reached, period=framework.first_b, value=1, actor=officer
        )
    with pytest.raises(ValidationError, match="total only"):
        services.target_set(
            project_indicator=framework.reached,
            period=framework.first,
            value=1,
            cell_key="age=5-11;sex=male",
            actor=officer,
        )
    services.project_indicator_update(
        project_indicator=framework.reached, actor=officer, disaggregated_targets=True
    )
    cell = services.target_set(
        project_indicator=framework.reached,
        period=framework.first,
        value=1,
        cell_key="age=5-11;sex=male",
        actor=officer,
    )
    assert cell.original_value == Decimal(1)
    with pytest.raises(ValidationError, match="revise it instead"):
        services.target_set(
            project_indicator=framework.reached,
            period=framework.first,
            value=2,
            cell_key="age=5-11;sex=male",
            actor=officer,
        )


def test_generating_periods_then_extending_the_grant(world, officer, grantee_a, framework):
    periods = list(world.grant_a.reporting_periods.values_list("label", flat=True))
    assert periods[0] == "FY2024 H1 (1 Jan 2024 - 31 Mar 2024, partial)"
    assert periods[-1] == "FY2028 H1 (1 Oct 2027 - 31 Dec 2027, partial)"
    assert len(periods) == 9
    # Regenerating with nothing changed changes nothing.
    again = services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    assert (again.created, again.updated, again.removed, again.kept) == ([], [], [], [])
    grant_services.modification_apply(
        grant=world.grant_a,
        actor=officer,
        kind=ModificationKind.NO_COST_EXTENSION,
        effective_date=datetime.date(2027, 6, 1),
        new_end_date=datetime.date(2028, 6, 30),
        reason="Delays",
    )
    world.grant_a.refresh_from_db()
    outcome = services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    assert [p.label for p in outcome.updated] == ["FY2028 H1 (Oct 2027 - Mar 2028)"]
    assert [p.label for p in outcome.created] == ["FY2028 H2 (1 Apr 2028 - 30 Jun 2028, partial)"]
    moved = outcome.updated[0]
    assert "was 01 Oct 2027 to 31 Dec 2027, now to 31 Mar 2028" in moved.changes.first().note


def test_periods_with_reports_are_never_removed(world, officer, grantee_a, framework):
    services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.second, actor=grantee_a
    )
    third = world.grant_a.reporting_periods.order_by("start_date")[2]
    world.grant_a.reporting_frequency = "annual"
    world.grant_a.save()
    outcome = services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    # Apr-Sep 2024 has a report: kept although annual periods start in October. Oct 2024-Mar 2025 has none.
    assert outcome.kept == [framework.second]
    assert ReportingPeriod.objects.filter(pk=framework.second.pk).exists()
    # April periods without reports go; October and first periods become the fiscal years.
    assert "FY2025 H2 (Apr - Sep 2025)" in outcome.removed
    assert [p.label for p in outcome.updated][:2] == [
        "FY2024 (1 Jan 2024 - 30 Sep 2024, partial)",
        "FY2025 (Oct 2024 - Sep 2025)",
    ]
    third.refresh_from_db()
    assert third.end_date == datetime.date(2025, 9, 30)


def test_opening_and_closing_a_period_is_recorded(officer, framework):
    services.reporting_period_set_status(
        period=framework.first, status=PeriodStatus.CLOSED, actor=officer, note="Report approved"
    )
    with pytest.raises(ValidationError, match="already closed"):
        services.reporting_period_set_status(
            period=framework.first, status=PeriodStatus.CLOSED, actor=officer
        )
    services.reporting_period_set_status(period=framework.first, status=PeriodStatus.OPEN, actor=officer)
    trail = list(framework.first.changes.order_by("pk").values_list("from_status", "to_status", "note"))
    assert trail == [("", "open", "Generated"), ("open", "closed", "Report approved"), ("closed", "open", "")]


def test_evidence_on_an_editable_report_only(framework, grantee_a, officer, draft):
    pdf = b"%PDF-1.7\n%%EOF\n"
    evidence = services.submission_evidence_add(
        submission=draft, actor=grantee_a, name="Registros.pdf", stream=io.BytesIO(pdf), size=len(pdf)
    )
    assert (evidence.original_name, evidence.content_type) == ("Registros.pdf", "application/pdf")
    with pytest.raises(ValidationError, match="not a PDF file"):
        services.submission_evidence_add(
            submission=draft, actor=grantee_a, name="fake.pdf", stream=io.BytesIO(b"MZ..."), size=5
        )
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    with pytest.raises(ValidationError, match="locked"):
        services.submission_evidence_add(
            submission=draft, actor=grantee_a, name="late.pdf", stream=io.BytesIO(pdf), size=len(pdf)
        )
    assert SubmissionEvidence.objects.count() == 1


def test_cross_indicator_rules_stay_inside_one_project(world, officer, framework):
    with pytest.raises(ValidationError) as caught:
        services.cross_indicator_rule_create(
            country_project=world.project_a,
            left=framework.reached,
            operator="lte",
            right=framework.reached_b,
            actor=officer,
        )
    assert caught.value.message_dict == {"right": ["That indicator belongs to another country project."]}
    with pytest.raises(ValidationError, match="measured the same way"):
        services.cross_indicator_rule_create(
            country_project=world.project_a,
            left=framework.reached,
            operator="lte",
            right=framework.attending,
            actor=officer,
        )
