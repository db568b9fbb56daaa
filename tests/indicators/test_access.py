"""Who sees and does what with reports, periods and project indicators: 404 for other organisations' objects
(including guessed ids), 403 for people who may see but not act."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from indicators import access, services
from indicators.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world, framework, grantee_a, grantee_b):
    a = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a
    )
    b = services.submission_get_or_create_draft(
        country_project=world.project_b, period=framework.first_b, actor=grantee_b
    )
    return a, b


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("grantee_a", {"a"}),
        ("grantee_b", {"b"}),
        ("officer", {"a", "b"}),
        ("manager", {"a", "b"}),
        ("admin_user", {"a", "b"}),
    ],
)
def test_each_persona_sees_only_its_reports(request, reports, persona, sees):
    user = request.getfixturevalue(persona)
    names = {reports[0].pk: "a", reports[1].pk: "b"}
    assert {names[pk] for pk in access.submissions_visible_to(user).values_list("pk", flat=True)} == sees
    periods = access.reporting_periods_visible_to(user).values_list("grant__grantee__acronym", flat=True)
    assert set(periods) == {"APN" if s == "a" else "BMW" for s in sees}
    indicators = access.project_indicators_visible_to(user).values_list("country_project__country", flat=True)
    assert set(indicators) == {"GT" if s == "a" else "KE" for s in sees}


# (persona, action) -> expected outcome on organisation A's report; "ok", 403 or 404.
MATRIX = [
    ("grantee_a", "view", "ok"),
    ("grantee_a", "edit", "ok"),
    ("grantee_a", "comment", "ok"),
    ("grantee_a", "review", 403),
    ("grantee_b", "view", 404),
    ("grantee_b", "edit", 404),
    ("grantee_b", "review", 404),
    ("grantee_b", "comment", 404),
    ("officer", "view", "ok"),
    ("officer", "review", "ok"),
    ("officer", "comment", "ok"),
    ("officer", "edit", 403),
    ("other_officer", "view", "ok"),
    ("other_officer", "review", 403),
    ("other_officer", "comment", 403),
    ("manager", "view", "ok"),
    ("manager", "edit", 403),
    ("manager", "review", 403),
    ("manager", "comment", 403),
    ("admin_user", "edit", "ok"),
    ("admin_user", "review", "ok"),
]


@pytest.mark.parametrize(("persona", "action", "expected"), MATRIX)
def test_submission_permission_matrix(request, reports, persona, action, expected):
    user = request.getfixturevalue(persona)
    pk = reports[0].pk
    if expected == "ok":
        assert access.get_submission_for_user(user, pk, action=action).pk == pk
    else:
        with pytest.raises(Http404 if expected == 404 else PermissionDenied):
            access.get_submission_for_user(user, pk, action=action)


def test_write_is_shorthand_for_edit(reports, grantee_a, manager):
    assert access.get_submission_for_user(grantee_a, reports[0].pk, write=True)
    with pytest.raises(PermissionDenied, match="Only the grantee's staff"):
        access.get_submission_for_user(manager, reports[0].pk, write=True)


@pytest.mark.parametrize("pk", ["999999", "abc", "-1"])
def test_guessed_ids_are_404(reports, grantee_a, pk):
    with pytest.raises(Http404):
        access.get_submission_for_user(grantee_a, pk)


def test_a_grantee_cannot_reach_another_organisations_report_periods_or_indicators(
    reports, framework, grantee_b
):
    with pytest.raises(Http404):
        access.get_submission_for_user(grantee_b, reports[0].pk, action="edit")
    with pytest.raises(Http404):
        access.get_reporting_period_for_user(grantee_b, framework.first.pk)
    with pytest.raises(Http404):
        access.get_project_indicator_for_user(grantee_b, framework.reached.pk)


def test_periods_and_targets_are_changed_by_the_grants_officer(framework, officer, other_officer, grantee_a):
    assert access.get_reporting_period_for_user(officer, framework.first.pk, write=True)
    assert access.get_project_indicator_for_user(officer, framework.reached.pk, write=True)
    assert access.get_reporting_period_for_user(grantee_a, framework.first.pk)
    for user in (other_officer, grantee_a):
        with pytest.raises(PermissionDenied):
            access.get_reporting_period_for_user(user, framework.first.pk, write=True)
        with pytest.raises(PermissionDenied):
            access.get_project_indicator_for_user(user, framework.reached.pk, write=True)


def test_evidence_follows_its_report(reports, grantee_a, grantee_b):
    import io

    pdf = b"%PDF-1.7\n%%EOF\n"
    evidence = services.submission_evidence_add(
        submission=reports[0], actor=grantee_a, name="a.pdf", stream=io.BytesIO(pdf), size=len(pdf)
    )
    assert access.get_submission_evidence_for_user(grantee_a, evidence.pk) == evidence
    with pytest.raises(Http404):
        access.get_submission_evidence_for_user(grantee_b, evidence.pk)


def test_library_is_managed_by_officers_and_administrators(officer, admin_user, manager, grantee_a):
    assert access.can_manage_library(officer) and access.can_manage_library(admin_user)
    assert not access.can_manage_library(manager) and not access.can_manage_library(grantee_a)


def test_scoped_queryset_is_one_query(reports, grantee_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(access.submissions_visible_to(grantee_a, Submission.objects.select_related("period")))
