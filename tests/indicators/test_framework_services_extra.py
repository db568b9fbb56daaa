"""The framework services the setup screens added: editing and deleting results, removing indicators and
rules, and saving a whole targets grid at once (all or nothing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators import services
from indicators.models import (
    CrossIndicatorRule,
    NodeLevel,
    ProjectIndicator,
    ResultNode,
    Target,
    TargetRevision,
)
from indicators.services.framework import (
    LOCKED_TARGET,
    TargetEntry,
    cross_indicator_rule_delete,
    project_indicator_remove,
    result_node_delete,
    result_node_update,
    targets_save,
)
from tests.indicator_factories import library
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(world, officer):
    goal = services.result_node_create(
        country_project=world.project_a, level=NodeLevel.GOAL, code="1", statement="Goal", actor=officer
    )
    outcome = services.result_node_create(
        country_project=world.project_a,
        level=NodeLevel.OUTCOME,
        code="1.1",
        statement="Outcome",
        parent=goal,
        actor=officer,
    )
    return goal, outcome


def test_updating_a_result_keeps_its_level_and_checks_the_parent(world, officer, tree):
    outcome = tree[1]
    updated = result_node_update(
        node=outcome, actor=officer, code=" 1.2 ", statement=" Better ", sort_order=4
    )
    assert (updated.code, updated.statement, updated.sort_order, updated.level) == (
        "1.2",
        "Better",
        4,
        "outcome",
    )
    with pytest.raises(ValidationError) as caught:
        result_node_update(node=outcome, actor=officer, parent=None)
    assert caught.value.message_dict == {"parent": ["An outcome sits under a goal."]}
    with pytest.raises(TypeError):
        result_node_update(node=outcome, actor=officer, level="output")


def test_a_result_is_deleted_only_when_nothing_hangs_on_it(officer, framework, tree):
    goal, outcome = tree
    with pytest.raises(ValidationError, match="results under it"):
        result_node_delete(node=goal, actor=officer)
    services.project_indicator_update(project_indicator=framework.reached, actor=officer, result_node=outcome)
    with pytest.raises(ValidationError, match="Indicators measure this result"):
        result_node_delete(node=outcome, actor=officer)
    services.project_indicator_update(project_indicator=framework.reached, actor=officer, result_node=None)
    result_node_delete(node=outcome, actor=officer)
    result_node_delete(node=goal, actor=officer)
    assert not ResultNode.objects.exists()


def test_an_indicator_with_reported_values_stays(officer, grantee_a, framework, draft):
    fill(draft, framework, grantee_a)
    with pytest.raises(ValidationError, match="already reported"):
        project_indicator_remove(project_indicator=framework.reached, actor=officer)
    assert ProjectIndicator.objects.filter(pk=framework.reached.pk).exists()


def test_removing_an_indicator_is_recorded_in_its_history(officer, framework):
    pk = framework.capital.pk
    project_indicator_remove(project_indicator=framework.capital, actor=officer)
    last = ProjectIndicator.history.filter(id=pk).first()
    assert (last.history_type, last.history_user) == ("-", officer)


def test_deleting_a_rule(world, officer, framework):
    e2 = services.project_indicator_create(
        country_project=world.project_a,
        indicator=library("E2"),
        actor=officer,
    )
    rule = services.cross_indicator_rule_create(
        country_project=world.project_a, left=e2, operator="lte", right=framework.reached, actor=officer
    )
    cross_indicator_rule_delete(rule=rule, actor=officer)
    assert not CrossIndicatorRule.objects.exists()


def _entry(period, raw, key_suffix="", cell_key=""):
    return TargetEntry(period=period, cell_key=cell_key, raw=raw, key=f"t-{period.pk}{key_suffix}")


def test_targets_save_sets_missing_and_revises_changed_targets(officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    saved = targets_save(
        project_indicator=framework.reached,
        entries=[_entry(framework.first, "110"), _entry(framework.second, "200")],
        reason="Recount",
        actor=officer,
    )
    assert (saved.set, saved.revised) == (1, 1)
    values = dict(Target.objects.values_list("period_id", "value"))
    assert values == {framework.first.pk: Decimal(110), framework.second.pk: Decimal(200)}
    assert TargetRevision.objects.get().reason == "Recount"
    # The same figures again change nothing and need no reason.
    again = targets_save(
        project_indicator=framework.reached,
        entries=[_entry(framework.first, "110"), _entry(framework.second, "200.00")],
        reason="",
        actor=officer,
    )
    assert (again.set, again.revised) == (0, 0)


def test_targets_save_is_all_or_nothing_with_every_error_keyed(officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    entries = [
        _entry(framework.first, ""),
        _entry(framework.second, "2.5"),
        _entry(framework.first_b, "5"),
        _entry(framework.second, "5", "-cell", cell_key="age=5-11;sex=male"),
    ]
    with pytest.raises(ValidationError) as caught:
        targets_save(project_indicator=framework.reached, entries=entries, reason="", actor=officer)
    errors = caught.value.message_dict
    assert errors[f"t-{framework.first.pk}"] == [LOCKED_TARGET]
    assert errors[f"t-{framework.second.pk}"] == ["This indicator counts whole numbers."]
    assert errors[f"t-{framework.first_b.pk}"] == ["That reporting period belongs to another grant."]
    assert "total only" in errors[f"t-{framework.second.pk}-cell"][0]
    assert Target.objects.count() == 1 and not TargetRevision.objects.exists()


def test_targets_save_needs_a_reason_only_for_revisions(officer, framework):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    with pytest.raises(ValidationError) as caught:
        targets_save(
            project_indicator=framework.reached,
            entries=[_entry(framework.first, "90"), _entry(framework.second, "10")],
            reason=" ",
            actor=officer,
        )
    assert caught.value.message_dict == {
        "reason": ["Say why the target changes; the reason stays on record."]
    }
    assert Target.objects.count() == 1
