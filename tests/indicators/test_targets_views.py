"""The project indicator screens: adopting, editing and removing indicators, cross-indicator rules, and one
indicator's targets grid.

Permission matrix for every URL, bad input for every form (the message the user sees, and nothing written),
and the query counts of the two read pages at realistic size.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import services
from indicators.cells import TOTAL
from indicators.models import (
    CrossIndicatorRule,
    DisaggregationCategory,
    ProjectIndicator,
    Target,
    TargetRevision,
)
from tests.indicator_factories import IndicatorFactory, library
from tests.indicators.conftest import fill, form_errors, make_modification, target_field

pytestmark = pytest.mark.django_db


# --- project indicators -------------------------------------------------------------------------------------


def test_officer_adopts_an_indicator_under_an_output(client_for, officer, world, framework, nodes):
    client = client_for(officer)
    url = reverse("indicators:project_indicator_create", kwargs={"pk": world.project_a.pk})
    form = client.get(url, {"node": nodes.output.pk}).context["form"]
    offered = set(form.fields["indicator"].queryset.values_list("code", flat=True))
    assert "E5" in offered and not offered & {"E1", "E3", "L5"}
    response = client.post(
        url,
        {
            "indicator": library("E5").pk,
            "result_node": nodes.output.pk,
            "baseline_value": "12",
            "baseline_date": "2024-01-15",
            "baseline_source": "School registers",
            "lop_target": "400",
            "disaggregated_targets": "on",
        },
    )
    pi = ProjectIndicator.objects.get(country_project=world.project_a, indicator__code="E5")
    assert response["Location"] == reverse("indicators:project_indicator_targets", kwargs={"pk": pi.pk})
    assert (pi.result_node, pi.baseline_value, pi.baseline_date, pi.lop_target, pi.original_lop_target) == (
        nodes.output,
        Decimal(12),
        datetime.date(2024, 1, 15),
        Decimal(400),
        Decimal(400),
    )
    assert pi.disaggregated_targets and pi.baseline_source == "School registers"
    assert pi.history.first().history_user == officer


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"lop_target": "12.5"}, "lop_target", "This indicator counts whole numbers."),
        ({"lop_target": "many"}, "lop_target", "Enter a number, such as 120 or 12.5."),
        (
            {"lop_target": "1,500"},
            "lop_target",
            "Use digits only, with a point for decimals (1500 or 12.5, not 1,500 or 12,5).",
        ),
        ({"baseline_value": "-3"}, "baseline_value", "A target or baseline cannot be negative."),
        ({"indicator": "P4", "lop_target": "120"}, "lop_target", "A percentage target is at most 100."),
        (
            {"indicator": "P4", "baseline_value": "40"},
            "baseline_value",
            "A percentage baseline is a numerator and a denominator.",
        ),
        (
            {"indicator": "P4", "baseline_numerator": "4"},
            "baseline_denominator",
            "Give both the baseline numerator and denominator.",
        ),
        (
            {"indicator": "P4", "baseline_numerator": "5", "baseline_denominator": "4"},
            "baseline_numerator",
            "The baseline numerator cannot exceed its denominator.",
        ),
        (
            {"baseline_numerator": "4", "baseline_denominator": "5"},
            "baseline_numerator",
            "Only percentage indicators have a numerator and denominator.",
        ),
        ({"baseline_date": "31/12/2024"}, "baseline_date", "Enter a valid date."),
        (
            {"indicator": "E1"},
            "indicator",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            {"indicator": "RETIRED"},
            "indicator",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"indicator": ""}, "indicator", "This field is required."),
        (
            {"result_node": "GOAL_B"},
            "result_node",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_bad_adoptions_are_refused_and_nothing_is_written(
    client_for, officer, world, framework, nodes, data, field, message
):
    retired = IndicatorFactory(is_active=False)
    ids = {"GOAL_B": nodes.goal_b.pk, "RETIRED": retired.pk, "P4": library("P4").pk, "E1": library("E1").pk}
    post = {"indicator": library("E5").pk, **data}
    post = {k: ids.get(v, v) for k, v in post.items()}
    before = ProjectIndicator.objects.count()
    response = client_for(officer).post(
        reverse("indicators:project_indicator_create", kwargs={"pk": world.project_a.pk}), post
    )
    assert response.status_code == 200
    assert form_errors(response, field) == [message]
    assert ProjectIndicator.objects.count() == before
    # What was typed stays in the form.
    for key, value in data.items():
        if key not in ("indicator", "result_node"):
            assert response.context["form"][key].value() == value


def test_editing_a_project_indicator_changes_the_baseline_but_never_the_lop_target(
    client_for, officer, framework, nodes
):
    client = client_for(officer)
    url = reverse("indicators:project_indicator_update", kwargs={"pk": framework.attending.pk})
    form = client.get(url).context["form"]
    assert "lop_target" not in form.fields and "baseline_value" not in form.fields
    client.post(
        url,
        {
            "result_node": nodes.output.pk,
            "baseline_numerator": "30",
            "baseline_denominator": "60",
            "lop_target": "5",
            "disaggregated_targets": "on",
        },
    )
    framework.attending.refresh_from_db()
    assert (
        framework.attending.baseline_numerator,
        framework.attending.result_node,
        framework.attending.lop_target,
    ) == (
        Decimal(30),
        nodes.output,
        Decimal(80),
    )
    assert framework.attending.disaggregated_targets


@pytest.mark.parametrize(
    ("pi_name", "data", "field", "message"),
    [
        ("reached", {"baseline_value": "-1"}, "baseline_value", "A target or baseline cannot be negative."),
        ("reached", {"baseline_value": "2.5"}, "baseline_value", "This indicator counts whole numbers."),
        ("capital", {"baseline_value": "10.555"}, "baseline_value", "Use at most 2 decimal places."),
        (
            "attending",
            {"baseline_numerator": "9"},
            "baseline_denominator",
            "Give both the baseline numerator and denominator.",
        ),
        (
            "reached",
            {"result_node": "GOAL_B"},
            "result_node",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ("reached", {"baseline_date": "yesterday"}, "baseline_date", "Enter a valid date."),
    ],
)
def test_bad_project_indicator_edits_are_refused(
    client_for, officer, framework, nodes, pi_name, data, field, message
):
    pi = getattr(framework, pi_name)
    before = pi.history.count()
    post = {k: nodes.goal_b.pk if v == "GOAL_B" else v for k, v in data.items()}
    response = client_for(officer).post(
        reverse("indicators:project_indicator_update", kwargs={"pk": pi.pk}), post
    )
    assert form_errors(response, field) == [message]
    assert pi.history.count() == before


def test_removing_an_indicator_with_reported_values_is_refused(
    client_for, officer, grantee_a, framework, draft
):
    fill(draft, framework, grantee_a)
    response = client_for(officer).post(
        reverse("indicators:project_indicator_remove", kwargs={"pk": framework.reached.pk}), follow=True
    )
    assert (
        "Values were already reported for this indicator, so it stays in the framework."
        in response.content.decode()
    )
    assert ProjectIndicator.objects.filter(pk=framework.reached.pk).exists()


def test_removing_an_unreported_indicator_removes_its_targets(client_for, officer, framework):
    services.target_set(
        project_indicator=framework.capital, period=framework.first, value="10", actor=officer
    )
    response = client_for(officer).post(
        reverse("indicators:project_indicator_remove", kwargs={"pk": framework.capital.pk})
    )
    assert response.status_code == 302
    assert not ProjectIndicator.objects.filter(pk=framework.capital.pk).exists()
    assert not Target.objects.filter(project_indicator_id=framework.capital.pk).exists()


# --- cross-indicator rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "field", "message"),
    [
        (
            "E1",
            "E3",
            "right",
            "Compare indicators measured the same way (counts with counts, percentages with percentages).",
        ),
        ("E1", "E1", "right", "A rule compares two different indicators."),
        ("E2", "E1", "right", "This rule already exists."),
        ("E1", "B", "right", "Select a valid choice. That choice is not one of the available choices."),
        ("B", "E1", "left", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_bad_rules_are_refused(client_for, officer, world, framework, rules, left, right, field, message):
    ids = {
        pi.indicator.code: pi.pk for pi in ProjectIndicator.objects.filter(country_project=world.project_a)
    }
    ids["B"] = framework.reached_b.pk
    before = CrossIndicatorRule.objects.count()
    response = client_for(officer).post(
        reverse("indicators:cross_indicator_rule_create", kwargs={"pk": world.project_a.pk}),
        {"left": ids[left], "operator": "lte", "right": ids[right]},
    )
    assert form_errors(response, field) == [message]
    assert CrossIndicatorRule.objects.count() == before


def test_officer_adds_and_removes_a_rule(client_for, officer, world, framework, rules):
    client = client_for(officer)
    client.post(
        reverse("indicators:cross_indicator_rule_create", kwargs={"pk": world.project_a.pk}),
        {"left": framework.capital.pk, "operator": "gte", "right": framework.reached.pk},
    )
    # Money and counts do not compare, so only the count rule below is created.
    ids = {
        pi.indicator.code: pi.pk for pi in ProjectIndicator.objects.filter(country_project=world.project_a)
    }
    client.post(
        reverse("indicators:cross_indicator_rule_create", kwargs={"pk": world.project_a.pk}),
        {"left": ids["E1"], "operator": "gte", "right": ids["E2"]},
    )
    assert CrossIndicatorRule.objects.filter(country_project=world.project_a).count() == 2
    client.post(reverse("indicators:cross_indicator_rule_delete", kwargs={"pk": rules[0].pk}))
    assert list(
        CrossIndicatorRule.objects.filter(country_project=world.project_a).values_list("operator", flat=True)
    ) == ["gte"]


# --- targets ------------------------------------------------------------------------------------------------


def _targets_url(pi) -> str:
    return reverse("indicators:project_indicator_targets", kwargs={"pk": pi.pk})


def test_officer_sets_targets_then_revises_one_with_a_reason_and_amake_modification(
    client_for, officer, world, framework
):
    modification = make_modification(world.grant_a, officer)
    client = client_for(officer)
    url = _targets_url(framework.reached)
    response = client.post(url, {target_field(framework.first): "100", target_field(framework.second): "250"})
    assert response.status_code == 302
    assert dict(
        Target.objects.filter(project_indicator=framework.reached).values_list("period_id", "value")
    ) == {
        framework.first.pk: Decimal(100),
        framework.second.pk: Decimal(250),
    }
    assert not TargetRevision.objects.exists()
    client.post(
        url,
        {
            target_field(framework.first): "100",
            target_field(framework.second): "300",
            "reason": "Two more municipalities",
            "modification": modification.pk,
        },
    )
    target = Target.objects.get(project_indicator=framework.reached, period=framework.second)
    assert (target.original_value, target.value) == (Decimal(250), Decimal(300))
    revision = TargetRevision.objects.get()
    assert (
        revision.previous_value,
        revision.new_value,
        revision.reason,
        revision.modification,
        revision.actor,
    ) == (
        Decimal(250),
        Decimal(300),
        "Two more municipalities",
        modification,
        officer,
    )
    page = client.get(url)
    content = page.content.decode()
    assert "originally 250" in content and "Two more municipalities" in content
    assert f"Modification {modification.number}" in content
    cell = page.context["grid"].rows[1].cells[0]
    assert (cell.current, cell.original) == ("300", "250")


def test_disaggregated_targets_show_a_column_per_cell(client_for, officer, framework):
    services.project_indicator_update(
        project_indicator=framework.reached, actor=officer, disaggregated_targets=True
    )
    response = client_for(officer).get(_targets_url(framework.reached))
    grid = response.context["grid"]
    assert [label for _, label in grid.columns][:3] == ["Total", "5-11, Female", "12-14, Female"]
    assert len(grid.columns) == 9 and len(grid.rows) == 9
    key = "age=12-14;sex=female"
    client_for(officer).post(_targets_url(framework.reached), {target_field(framework.first, key): "7"})
    assert Target.objects.get(project_indicator=framework.reached, cell_key=key).value == Decimal(7)


@pytest.mark.parametrize(
    ("pi_name", "value", "message"),
    [
        ("reached", "12.5", "This indicator counts whole numbers."),
        ("reached", "-4", "A target or baseline cannot be negative."),
        ("reached", "lots", "Enter a number, such as 120 or 12.5."),
        ("attending", "101", "A percentage target is at most 100."),
        ("capital", "10.001", "Use at most 2 decimal places."),
    ],
)
def test_bad_targets_are_refused_at_their_cell_and_nothing_is_written(
    client_for, officer, framework, pi_name, value, message
):
    pi = getattr(framework, pi_name)
    response = client_for(officer).post(
        _targets_url(pi), {target_field(framework.first): "50", target_field(framework.second): value}
    )
    assert response.status_code == 200
    assert form_errors(response, target_field(framework.second)) == [message]
    assert form_errors(response, target_field(framework.first)) == []
    # All or nothing: the valid cell typed beside it is not written either, and both stay in the form.
    assert not Target.objects.filter(project_indicator=pi).exists()
    form = response.context["form"]
    assert (form[target_field(framework.first)].value(), form[target_field(framework.second)].value()) == (
        "50",
        value,
    )
    assert message in response.content.decode()


def test_a_revision_without_a_reason_writes_nothing(client_for, officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    response = client_for(officer).post(
        _targets_url(framework.reached),
        {target_field(framework.first): "120", target_field(framework.second): "80", "reason": "  "},
    )
    assert form_errors(response, "reason") == ["Say why the target changes; the reason stays on record."]
    assert list(
        Target.objects.filter(project_indicator=framework.reached).values_list("value", flat=True)
    ) == [Decimal(100)]
    assert not TargetRevision.objects.exists()


def test_clearing_a_set_target_is_refused(client_for, officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    response = client_for(officer).post(
        _targets_url(framework.reached), {target_field(framework.first): "", "reason": "x"}
    )
    assert form_errors(response, target_field(framework.first)) == [
        "A target once set stays on record; enter the revised figure instead of clearing it."
    ]
    assert Target.objects.get(project_indicator=framework.reached).value == Decimal(100)


def test_periods_and_cells_of_elsewhere_posted_by_name_are_ignored(client_for, officer, framework):
    response = client_for(officer).post(
        _targets_url(framework.reached),
        {target_field(framework.first_b): "5", target_field(framework.first, "age=5-11;sex=male"): "5"},
    )
    assert response.status_code == 302
    assert not Target.objects.exists()


def test_a_modification_of_another_grant_is_refused(client_for, officer, other_officer, world, framework):
    foreign = make_modification(world.grant_b, other_officer)
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    response = client_for(officer).post(
        _targets_url(framework.reached),
        {target_field(framework.first): "120", "reason": "Scope", "modification": foreign.pk},
    )
    assert form_errors(response, "modification") == [
        f"Select a valid choice. {foreign.pk} is not one of the available choices."
    ]
    assert not TargetRevision.objects.exists()


def test_revising_the_life_of_project_target(client_for, officer, world, framework):
    modification = make_modification(world.grant_a, officer)
    client = client_for(officer)
    url = reverse("indicators:project_indicator_lop_revise", kwargs={"pk": framework.reached.pk})
    response = client.post(
        url, {"lop-new_value": "1200", "lop-reason": "Extension", "lop-modification": modification.pk}
    )
    assert response.status_code == 302
    framework.reached.refresh_from_db()
    assert (framework.reached.lop_target, framework.reached.original_lop_target) == (
        Decimal(1200),
        Decimal(1000),
    )
    page = client.get(_targets_url(framework.reached)).content.decode()
    assert "originally 1,000" in page and "Life of project" in page and "Extension" in page


@pytest.mark.parametrize(
    ("pi_name", "data", "field", "message"),
    [
        (
            "reached",
            {"lop-new_value": "1200", "lop-reason": ""},
            "reason",
            "Say why the target changes; the reason stays on record.",
        ),
        (
            "reached",
            {"lop-new_value": "1000", "lop-reason": "x"},
            "new_value",
            "The revised target is the same as the current one.",
        ),
        ("reached", {"lop-new_value": "", "lop-reason": "x"}, "new_value", "Enter the revised target."),
        (
            "reached",
            {"lop-new_value": "99.5", "lop-reason": "x"},
            "new_value",
            "This indicator counts whole numbers.",
        ),
        (
            "reached",
            {"lop-new_value": "-1", "lop-reason": "x"},
            "new_value",
            "A target or baseline cannot be negative.",
        ),
        (
            "attending",
            {"lop-new_value": "150", "lop-reason": "x"},
            "new_value",
            "A percentage target is at most 100.",
        ),
    ],
)
def test_bad_lop_revisions_are_refused(client_for, officer, framework, pi_name, data, field, message):
    pi = getattr(framework, pi_name)
    response = client_for(officer).post(
        reverse("indicators:project_indicator_lop_revise", kwargs={"pk": pi.pk}), data
    )
    assert response.status_code == 200
    assert response.context["lop_form"].errors[field] == [message]
    assert response.context["lop_form"]["new_value"].value() == data["lop-new_value"]
    assert not TargetRevision.objects.exists()


def test_readers_see_targets_without_inputs(client_for, grantee_a, officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    response = client_for(grantee_a).get(_targets_url(framework.reached))
    page = response.content.decode()
    assert response.context["form"] is None and "100" in page
    assert 'name="reason"' not in page and "Save targets" not in page


def _twelve_cell_indicator(project, officer, periods: int):
    """An indicator with age band x migration status (4 x 3 = 12 cells), targets and revisions in every cell."""
    indicator = IndicatorFactory(code="T12")
    indicator.categories.set(DisaggregationCategory.objects.filter(code__in=["age", "migration"]))
    pi = services.project_indicator_create(
        country_project=project,
        indicator=indicator,
        actor=officer,
        lop_target="5000",
        disaggregated_targets=True,
    )
    pi = ProjectIndicator.objects.with_library().get(pk=pi.pk)
    for period in project.grant.reporting_periods.order_by("start_date")[:periods]:
        for key in pi.cell_keys:
            target = services.target_set(
                project_indicator=pi, period=period, cell_key=key, value="10", actor=officer
            )
            if key == TOTAL:
                services.target_revise(target=target, new_value="12", reason="Recount", actor=officer)
    return pi


@pytest.mark.parametrize(
    ("periods", "end"), [(3, datetime.date(2024, 12, 31)), (6, datetime.date(2026, 9, 30))]
)
def test_targets_page_queries_do_not_grow_with_periods_or_cells(
    client_for, officer, world, framework, periods, end, django_assert_num_queries
):
    world.project_a.end_date = end
    world.project_a.save()
    make_modification(world.grant_a, officer)
    pi = _twelve_cell_indicator(world.project_a, officer, periods)
    client = client_for(officer)
    # session, user, the project indicator (+ categories, options), periods, targets, revisions, modifications
    with django_assert_num_queries(9):
        response = client.get(_targets_url(pi))
    grid = response.context["grid"]
    assert (len(grid.rows), len(grid.columns), len(grid.revisions), grid.missing) == (periods, 13, periods, 0)


def test_delete_and_remove_are_offered_only_where_they_can_succeed(
    client_for, officer, grantee_a, world, framework, nodes, draft
):
    fill(draft, framework, grantee_a)  # values reported for E1, E3 and L5
    fresh = services.project_indicator_create(
        country_project=world.project_a, indicator=library("E5"), actor=officer
    )
    page = (
        client_for(officer)
        .get(reverse("indicators:project_framework", kwargs={"pk": world.project_a.pk}))
        .content.decode()
    )

    def offered(name: str, pk: int) -> bool:
        return reverse(f"indicators:{name}", kwargs={"pk": pk}) in page

    assert offered("result_node_delete", nodes.output.pk)
    assert not offered("result_node_delete", nodes.goal.pk)  # has an outcome under it
    assert not offered("result_node_delete", nodes.outcome.pk)  # has an output and E1
    assert offered("project_indicator_remove", fresh.pk)
    assert not offered("project_indicator_remove", framework.reached.pk)
    assert not offered("project_indicator_remove", framework.capital.pk)
