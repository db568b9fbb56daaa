"""The results framework screens: the permission matrix of every URL, the framework page and its results.

Permission matrix for every URL, bad input for every form (the message the user sees, and nothing written),
and the query counts of the two read pages at realistic size.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import (
    CrossIndicatorRule,
    Indicator,
    NodeLevel,
    ProjectIndicator,
    ResultNode,
    Target,
    TargetRevision,
)
from tests.indicator_factories import library
from tests.indicators.conftest import form_errors, target_field

pytestmark = pytest.mark.django_db


# --- permission matrix --------------------------------------------------------------------------------------

PERSONAS = ("anonymous", "grantee_a", "grantee_b", "officer", "other_officer", "manager", "admin_user")
READ = {
    "anonymous": 302,
    "grantee_a": 200,
    "grantee_b": 404,
    "officer": 200,
    "other_officer": 200,
    "manager": 200,
    "admin_user": 200,
}


def _write(allowed: int) -> dict[str, int]:
    return {
        "anonymous": 302,
        "grantee_a": 403,
        "grantee_b": 404,
        "officer": allowed,
        "other_officer": 403,
        "manager": 403,
        "admin_user": allowed,
    }


def _snapshot() -> tuple:
    models = (ResultNode, ProjectIndicator, Target, TargetRevision, CrossIndicatorRule)
    lop = tuple(ProjectIndicator.objects.order_by("pk").values_list("lop_target", flat=True))
    node_codes = tuple(ResultNode.objects.order_by("pk").values_list("code", flat=True))
    return tuple(m.objects.count() for m in models) + lop + node_codes


# (url name, how to find the pk, method, data, expected status per persona)
MATRIX = [
    ("project_framework", "project", "get", None, READ),
    ("project_indicator_targets", "reached", "get", None, READ),
    ("result_node_create", "project", "get", None, _write(200)),
    (
        "result_node_create",
        "project",
        "post",
        {"level": "goal", "code": "9", "statement": "G", "sort_order": "0"},
        _write(302),
    ),
    ("result_node_update", "output", "get", None, _write(200)),
    (
        "result_node_update",
        "output",
        "post",
        {"parent": "OUTCOME", "code": "1.1.9", "statement": "S", "sort_order": "1"},
        _write(302),
    ),
    ("result_node_delete", "output", "post", {}, _write(302)),
    ("project_indicator_create", "project", "get", None, _write(200)),
    ("project_indicator_create", "project", "post", {"indicator": "E5", "lop_target": "10"}, _write(302)),
    ("project_indicator_update", "capital", "get", None, _write(200)),
    ("project_indicator_update", "capital", "post", {"baseline_value": "10"}, _write(302)),
    ("project_indicator_remove", "capital", "post", {}, _write(302)),
    ("project_indicator_targets", "capital", "post", {"FIRST": "100"}, _write(302)),
    (
        "project_indicator_lop_revise",
        "capital",
        "post",
        {"lop-new_value": "60000", "lop-reason": "More"},
        _write(302),
    ),
    ("cross_indicator_rule_create", "project", "get", None, _write(200)),
    (
        "cross_indicator_rule_create",
        "project",
        "post",
        {"left": "E1", "operator": "gte", "right": "E2"},
        _write(302),
    ),
    ("cross_indicator_rule_delete", "rule", "post", {}, _write(302)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "target", "method", "data", "expected"), MATRIX, ids=lambda v: v if isinstance(v, str) else ""
)
def test_permission_matrix(
    request, client, client_for, world, framework, nodes, rules, persona, name, target, method, data, expected
):
    pks = {
        "project": world.project_a.pk,
        "reached": framework.reached.pk,
        "capital": framework.capital.pk,
        "output": nodes.output.pk,
        "rule": rules[0].pk,
    }
    by_code = {
        pi.indicator.code: str(pi.pk)
        for pi in ProjectIndicator.objects.filter(country_project=world.project_a)
    }
    replacements = {"OUTCOME": str(nodes.outcome.pk), "E5": str(library("E5").pk), **by_code}
    if data is not None:
        data = {
            (target_field(framework.first) if key == "FIRST" else key): replacements.get(value, value)
            for key, value in data.items()
        }
    browser = client if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    before = _snapshot()
    url = reverse(f"indicators:{name}", kwargs={"pk": pks[target]})
    response = browser.get(url) if method == "get" else browser.post(url, data)
    assert response.status_code == expected[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected[persona] != expected["officer"] or persona == "anonymous":
        assert _snapshot() == before, "a refused request wrote something"


@pytest.mark.parametrize(
    "name",
    [
        "result_node_delete",
        "project_indicator_remove",
        "project_indicator_lop_revise",
        "cross_indicator_rule_delete",
    ],
)
def test_actions_are_post_only(client_for, officer, nodes, rules, framework, name):
    pk = {"result_node_delete": nodes.output.pk, "cross_indicator_rule_delete": rules[0].pk}.get(
        name, framework.capital.pk
    )
    assert client_for(officer).get(reverse(f"indicators:{name}", kwargs={"pk": pk})).status_code == 405


def test_other_organisations_objects_are_404_for_a_grantee_on_every_url(
    client_for, grantee_a, nodes, rules, world, framework
):
    client = client_for(grantee_a)
    urls = [
        reverse("indicators:project_framework", kwargs={"pk": world.project_b.pk}),
        reverse("indicators:project_indicator_targets", kwargs={"pk": framework.reached_b.pk}),
        reverse("indicators:result_node_update", kwargs={"pk": nodes.goal_b.pk}),
        reverse("indicators:project_indicator_update", kwargs={"pk": framework.reached_b.pk}),
        reverse("indicators:result_node_create", kwargs={"pk": world.project_b.pk}),
        reverse("indicators:project_indicator_create", kwargs={"pk": world.project_b.pk}),
        reverse("indicators:cross_indicator_rule_create", kwargs={"pk": world.project_b.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("indicators:result_node_delete", kwargs={"pk": nodes.goal_b.pk}),
        reverse("indicators:project_indicator_remove", kwargs={"pk": framework.reached_b.pk}),
        reverse("indicators:project_indicator_lop_revise", kwargs={"pk": framework.reached_b.pk}),
        reverse("indicators:project_indicator_targets", kwargs={"pk": framework.reached_b.pk}),
        reverse("indicators:cross_indicator_rule_delete", kwargs={"pk": rules[1].pk}),
    ]
    for url in posts:
        assert client.post(url, {}).status_code == 404, url
    assert ResultNode.objects.filter(pk=nodes.goal_b.pk).exists()
    assert CrossIndicatorRule.objects.filter(pk=rules[1].pk).exists()


# --- the framework page -------------------------------------------------------------------------------------


def test_framework_page_shows_the_tree_indicators_and_rules(
    client_for, officer, world, framework, nodes, rules
):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value="100", actor=officer
    )
    services.target_revise(
        project_indicator=framework.reached, new_value="1200", reason="Extension", actor=officer
    )
    services.project_indicator_update(
        project_indicator=framework.attending,
        actor=officer,
        baseline_numerator="45",
        baseline_denominator="120",
        baseline_date=datetime.date(2024, 2, 1),
        baseline_source="Baseline survey",
    )
    response = client_for(officer).get(
        reverse("indicators:project_framework", kwargs={"pk": world.project_a.pk})
    )
    page = response.content.decode()
    fw = response.context["framework"]
    assert [(n.node.code, n.depth) for n in fw.nodes] == [("1", 0), ("1.1", 1), ("1.1.1", 2)]
    assert [e.pi.indicator.code for e in fw.nodes[1].indicators] == ["E1"]
    assert {e.pi.indicator.code for e in fw.other} == {"E2", "E3", "L5"}
    reached = fw.nodes[1].indicators[0]
    assert (reached.lop_target, reached.original_lop_target, reached.target_count) == ("1,200", "1,000", 1)
    assert "originally 1,000" in page
    assert "45 of 120 (37.5%)" in page and "Baseline survey" in page
    assert "Other indicators" in page
    assert "must be <strong>at most</strong>" in page
    assert reverse("indicators:project_indicator_targets", kwargs={"pk": framework.reached.pk}) in page
    assert reverse("indicators:result_node_create", kwargs={"pk": world.project_a.pk}) in page


@pytest.mark.parametrize("persona", ["grantee_a", "manager", "other_officer"])
def test_readers_get_no_action_buttons(request, client_for, world, framework, nodes, rules, persona):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("indicators:project_framework", kwargs={"pk": world.project_a.pk})
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Result 1.1.1" in page
    for name in ("result_node_create", "project_indicator_create", "cross_indicator_rule_create"):
        assert reverse(f"indicators:{name}", kwargs={"pk": world.project_a.pk}) not in page
    assert reverse("indicators:project_indicator_remove", kwargs={"pk": framework.reached.pk}) not in page
    assert "<form" not in page.split('id="main"')[1]


def _adopt_many(project, officer, count: int) -> None:
    taken = set(
        ProjectIndicator.objects.filter(country_project=project).values_list("indicator__code", flat=True)
    )
    output = ResultNode.objects.filter(country_project=project, level=NodeLevel.OUTPUT).first()
    for indicator in [i for i in Indicator.objects.filter(is_active=True) if i.code not in taken][:count]:
        services.project_indicator_create(
            country_project=project, indicator=indicator, actor=officer, lop_target="100", result_node=output
        )


@pytest.mark.parametrize(("extra", "total"), [(2, 5), (12, 15)])
def test_framework_page_queries_do_not_grow_with_indicators(
    client_for, officer, world, framework, nodes, rules, extra, total, django_assert_num_queries
):
    # rules added E2, so 4 are adopted before; extra - 1 more makes `total`.
    _adopt_many(world.project_a, officer, extra - 1)
    client = client_for(officer)
    url = reverse("indicators:project_framework", kwargs={"pk": world.project_a.pk})
    # session, user, the country project with its grant, results, indicators (+ library, target counts), rules
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.context["framework"].indicator_count == total


# --- results ------------------------------------------------------------------------------------------------


def test_officer_adds_an_outcome_under_the_goal(client_for, officer, world, nodes):
    client = client_for(officer)
    url = reverse("indicators:result_node_create", kwargs={"pk": world.project_a.pk})
    form = client.get(url, {"level": "outcome", "parent": nodes.goal.pk}).context["form"]
    assert form.initial == {"level": "outcome", "parent": str(nodes.goal.pk)}
    # Parent choices: the project's goals and outcomes, never outputs or another project's results.
    assert set(form.fields["parent"].queryset) == {nodes.goal, nodes.outcome}
    response = client.post(
        url,
        {
            "level": "outcome",
            "parent": nodes.goal.pk,
            "code": "1.2",
            "statement": " Jobs ",
            "sort_order": "2",
        },
    )
    created = ResultNode.objects.get(country_project=world.project_a, code="1.2")
    assert response.status_code == 302 and response["Location"].endswith(f"#node-{created.pk}")
    assert (created.parent, created.statement, created.sort_order) == (nodes.goal, "Jobs", 2)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"level": "output", "parent": "GOAL"}, "parent", "An output sits under an outcome, not a goal."),
        ({"level": "outcome", "parent": ""}, "parent", "An outcome sits under a goal."),
        (
            {"level": "goal", "parent": "OUTCOME"},
            "parent",
            "A goal is the top of the framework and has no parent.",
        ),
        (
            {"level": "outcome", "parent": "GOAL_B"},
            "parent",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            {"level": "outcome", "parent": "OUTPUT"},
            "parent",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"level": "goal", "code": "1"}, "code", "This project's results framework already uses that code."),
        ({"level": "goal", "sort_order": "first"}, "sort_order", "Enter a whole number."),
        (
            {"level": "goal", "sort_order": "-1"},
            "sort_order",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"level": "goal", "statement": " "}, "statement", "This field is required."),
        ({"level": "impact"}, "level", "Select a valid choice. impact is not one of the available choices."),
    ],
)
def test_bad_result_nodes_are_refused_and_nothing_is_written(
    client_for, officer, world, nodes, data, field, message
):
    ids = {
        "GOAL": nodes.goal.pk,
        "OUTCOME": nodes.outcome.pk,
        "OUTPUT": nodes.output.pk,
        "GOAL_B": nodes.goal_b.pk,
    }
    post = {"code": "7", "statement": "New result", "sort_order": "0", **data}
    post = {k: ids.get(v, v) for k, v in post.items()}
    before = ResultNode.objects.count()
    response = client_for(officer).post(
        reverse("indicators:result_node_create", kwargs={"pk": world.project_a.pk}), post
    )
    assert response.status_code == 200
    assert form_errors(response, field) == [message]
    assert "Nothing was saved" in response.content.decode()
    assert ResultNode.objects.count() == before


def test_editing_a_result_offers_only_parents_one_level_up(client_for, officer, world, nodes):
    client = client_for(officer)
    url = reverse("indicators:result_node_update", kwargs={"pk": nodes.output.pk})
    form = client.get(url).context["form"]
    assert "level" not in form.fields and list(form.fields["parent"].queryset) == [nodes.outcome]
    response = client.post(
        url, {"parent": nodes.goal.pk, "code": "1.1.1", "statement": "x", "sort_order": "0"}
    )
    assert form_errors(response, "parent") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    response = client.post(
        url, {"parent": nodes.outcome.pk, "code": "1.1", "statement": "x", "sort_order": "0"}
    )
    assert form_errors(response, "code") == ["This project's results framework already uses that code."]
    nodes.output.refresh_from_db()
    assert (nodes.output.code, nodes.output.statement) == ("1.1.1", "Result 1.1.1")
    client.post(url, {"parent": nodes.outcome.pk, "code": "1.1.2", "statement": "Renamed", "sort_order": "3"})
    nodes.output.refresh_from_db()
    assert (nodes.output.code, nodes.output.statement, nodes.output.sort_order) == ("1.1.2", "Renamed", 3)
    assert (
        "parent"
        not in client.get(reverse("indicators:result_node_update", kwargs={"pk": nodes.goal.pk}))
        .context["form"]
        .fields
    )


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("goal", "This result has results under it; delete or move them first."),
        ("outcome", "This result has results under it; delete or move them first."),
    ],
)
def test_deleting_a_result_with_children_is_refused(client_for, officer, nodes, which, message):
    node = getattr(nodes, which)
    response = client_for(officer).post(
        reverse("indicators:result_node_delete", kwargs={"pk": node.pk}), follow=True
    )
    assert message in response.content.decode()
    assert ResultNode.objects.filter(pk=node.pk).exists()


def test_deleting_a_result_measured_by_indicators_is_refused(client_for, officer, nodes, framework):
    client = client_for(officer)
    client.post(reverse("indicators:result_node_delete", kwargs={"pk": nodes.output.pk}))
    response = client.post(
        reverse("indicators:result_node_delete", kwargs={"pk": nodes.outcome.pk}), follow=True
    )
    assert (
        "Indicators measure this result; move them to another result or remove them first."
        in response.content.decode()
    )
    assert ResultNode.objects.filter(pk=nodes.outcome.pk).exists()
    assert not ResultNode.objects.filter(pk=nodes.output.pk).exists()
