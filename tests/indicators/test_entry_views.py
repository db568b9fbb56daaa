"""The grantee's reporting screens: reporting overview, a project's periods, starting a report, data entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import services
from indicators.cells import TOTAL, field_name, make_key
from indicators.models import (
    ActualValue,
    ProjectIndicator,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
)
from indicators.selectors.entry import entry_layout
from tests.indicator_factories import IndicatorFactory
from tests.indicators.conftest import complete_values, fill

pytestmark = pytest.mark.django_db


def form_data(submission: Submission, values: dict, **extra: str) -> dict[str, str]:
    """What the entry form posts: every given cell part under its field name, plus version and narrative."""
    data = {
        "version": str(submission.version),
        "cumulative_expenditure": "125000.00",
        "achievements": "Remedial classes opened in 4 schools.",
        "challenges": "",
        "next_steps": "",
    }
    for (pk, key), parts in values.items():
        for part, text in parts.items():
            data[field_name(pk, key, part)] = text
    data.update(extra)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- permission matrix --------------------------------------------------------------------------------------

READERS = ("officer", "other_officer", "manager", "admin_user", "grantee_a")


@pytest.mark.parametrize("persona", [*READERS, "grantee_b"])
def test_project_reporting_page_is_scoped(request, persona, client_for, world, framework):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("indicators:project_reporting", args=[world.project_a.pk]))
    assert response.status_code == (404 if persona == "grantee_b" else 200)


def test_project_reporting_shows_each_reports_expenditure_against_budget_and_time(
    client_for, world, framework, draft, grantee_a, officer
):
    # Project A: 1 January 2024 to 31 December 2027 (1,460 days), budget 1,000,000. Its first period ends on
    # 31 March 2024: 90 days, 6.2 % of the time; the draft states 125,000 spent, 12.5 % of the budget.
    fill(draft, framework, grantee_a)
    url = reverse("indicators:project_reporting", args=[world.project_a.pk])
    cell = f'data-testid="spent-{framework.first.pk}">'

    page = client_for(grantee_a).get(url).content.decode()
    shown = page.split(cell, 1)[1].split("</td>", 1)[0]
    assert shown.startswith("125,000") and "12.5% of budget · 6.2% of time · not yet approved" in shown
    assert f'data-testid="spent-{framework.second.pk}"><span class="text-secondary">—</span>' in page

    draft.refresh_from_db()
    submitted = services.submission_submit(submission=draft, actor=grantee_a, expected_version=draft.version)
    services.submission_approve(submission=submitted, actor=officer, expected_version=submitted.version)
    shown = client_for(officer).get(url).content.decode().split(cell, 1)[1].split("</td>", 1)[0]
    assert "12.5% of budget · 6.2% of time" in shown and "not yet approved" not in shown


def test_project_reporting_unknown_id_is_404(client_for, grantee_a):
    response = client_for(grantee_a).get(reverse("indicators:project_reporting", args=[999999]))
    assert response.status_code == 404


def test_reporting_overview_shows_only_own_organisation(client_for, grantee_b, world, framework):
    response = client_for(grantee_b).get(reverse("indicators:reporting_overview"))
    assert response.status_code == 200
    projects = [r.project for r in response.context["overview"]]
    assert world.project_b in projects
    assert world.project_a not in projects
    assert world.grant_a.award_number not in response.content.decode()


def test_reporting_overview_lists_open_periods_with_report_state(
    client_for, grantee_a, world, framework, draft
):
    response = client_for(grantee_a).get(reverse("indicators:reporting_overview"))
    (reporting,) = [r for r in response.context["overview"] if r.project == world.project_a]
    states = {row.period: row.submission for row in reporting.periods}
    assert states[framework.first] == draft
    assert all(period.is_open for period in states)
    start = reverse("indicators:submission_start", args=[world.project_a.pk, framework.second.pk])
    assert start in response.content.decode()


def test_reporting_overview_offers_no_start_to_officers(client_for, officer, world, framework):
    response = client_for(officer).get(reverse("indicators:reporting_overview"))
    assert world.project_a in [r.project for r in response.context["overview"]]
    assert "/start/" not in response.content.decode()


def test_reporting_overview_query_count_is_constant(
    client_for, manager, world, framework, django_assert_max_num_queries
):
    from tests.factories import CountryProjectFactory

    for country in ("HN", "SV", "MX", "CO", "PE", "EC", "BO", "PY", "CR", "PA"):
        CountryProjectFactory(grant=world.grant_a, country=country)
    # session, user (2); filter choices: countries, grants, officers (3); the count of projects reporting now,
    # the page's projects, their open periods, their reports (4); the nav and messages add nothing.
    # tests/indicators/test_reporting_overview.py pins the exact count at two portfolio sizes.
    client = client_for(manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("indicators:reporting_overview"))
    assert len(response.context["overview"]) >= 12


def test_anonymous_is_sent_to_login(client, world, framework, draft):
    urls = [
        reverse("indicators:reporting_overview"),
        reverse("indicators:project_reporting", args=[world.project_a.pk]),
        reverse("indicators:submission_entry", args=[draft.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("grantee_a", 302),
        ("admin_user", 302),
        ("officer", 403),
        ("other_officer", 403),
        ("manager", 403),
        ("grantee_b", 404),
    ],
)
def test_start_report_permissions(request, persona, expected, client_for, world, framework):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first.pk])
    response = client.post(url)
    assert response.status_code == expected
    started = Submission.objects.filter(country_project=world.project_a, period=framework.first)
    assert started.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == reverse("indicators:submission_entry", args=[started.get().pk])


def test_start_report_is_post_only(client_for, grantee_a, world, framework):
    url = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first.pk])
    assert client_for(grantee_a).get(url).status_code == 405


def test_start_report_with_other_grants_period_is_refused(client_for, grantee_a, world, framework):
    # Organisation B's period is invisible to grantee A: 404, and no report appears anywhere.
    url = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first_b.pk])
    assert client_for(grantee_a).post(url).status_code == 404
    assert not Submission.objects.exists()


def test_start_report_opens_the_existing_report(client_for, grantee_a, world, framework, draft):
    url = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first.pk])
    response = client_for(grantee_a).post(url)
    assert response["Location"] == reverse("indicators:submission_entry", args=[draft.pk])
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("grantee_a", 200, 302),
        ("admin_user", 200, 302),
        ("officer", 200, 403),
        ("other_officer", 200, 403),
        ("manager", 200, 403),
        ("grantee_b", 404, 404),
    ],
)
def test_entry_permissions(request, persona, read, write, client_for, framework, draft):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("indicators:submission_entry", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == read
    if read == 200:
        # Only those who may enter data get inputs and buttons; the others read.
        assert response.context["editing"] == (write == 302)
    response = client.post(url, form_data(draft, complete_values(framework)))
    assert response.status_code == write
    assert ActualValue.objects.exists() == (write == 302)


def test_entry_unknown_id_is_404(client_for, grantee_a):
    assert client_for(grantee_a).get(reverse("indicators:submission_entry", args=[424242])).status_code == 404


# --- saving and submitting ----------------------------------------------------------------------------------


def test_draft_save_keeps_invalid_text_and_shows_message_at_cell(client_for, grantee_a, framework, draft):
    client = client_for(grantee_a)
    url = reverse("indicators:submission_entry", args=[draft.pk])
    values = complete_values(framework)
    girls = make_key({"sex": "female", "age": "5-11"})
    values[(framework.reached.pk, girls)] = {"value": "2.5"}
    response = client.post(url, form_data(draft, values))
    assert response.status_code == 302
    stored = ActualValue.objects.get(project_indicator=framework.reached, cell_key=girls)
    assert stored.value_text == "2.5"
    page = client.get(url)
    name = field_name(framework.reached.pk, girls)
    assert page.context["form"][name].value() == "2.5"
    cell = next(c for _, row in page.context["groups"][0].indicators[0].rows for c in row if c.key == girls)
    assert cell.errors and "whole number" in cell.errors[0].lower()
    summary = page.context["summary"]
    assert any(item.anchor == f"id_{name}" for item in summary)
    html = page.content.decode()
    assert cell.errors[0] in html
    assert "Draft saved with" in " ".join(_messages(page))


def test_submit_refused_until_fixed_then_accepted(client_for, grantee_a, framework, draft):
    client = client_for(grantee_a)
    url = reverse("indicators:submission_entry", args=[draft.pk])
    values = complete_values(framework)
    values[(framework.attending.pk, TOTAL)] = {"numerator": "30", "denominator": "20"}
    response = client.post(url, form_data(draft, values, submit="1"))
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    num = field_name(framework.attending.pk, TOTAL, "numerator")
    assert any(item.anchor == f"id_{num}" for item in response.context["summary"])
    assert "was not submitted" in " ".join(_messages(response))
    # What was typed is kept as the draft, shown again for correction.
    assert response.context["form"][num].value() == "30"

    response = client.post(url, form_data(draft, complete_values(framework), submit="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED
    page = client.get(url)
    assert page.context["editing"] is False
    assert [t.to_status for t in page.context["timeline"]] == ["draft", "submitted"]
    assert "Submitted for review" in page.content.decode()


def test_stale_version_refused_keeps_typing_and_writes_nothing(client_for, grantee_a, framework, draft):
    opened = draft.version
    fill(draft, framework, grantee_a)  # someone saves in another window after the page was opened
    draft.refresh_from_db()
    before = list(ActualValue.objects.values_list("cell_key", "value_text"))
    values = complete_values(framework, each=3)
    data = form_data(draft, values, version=str(opened))
    response = client_for(grantee_a).post(reverse("indicators:submission_entry", args=[draft.pk]), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "after you opened it" in errors
    assert (
        errors in response.content.decode().replace("&#x27;", "'")
        or "after you opened it" in response.content.decode()
    )
    assert list(ActualValue.objects.values_list("cell_key", "value_text")) == before
    total = field_name(framework.reached.pk, TOTAL)
    assert response.context["form"][total].value() == "24"  # what the user typed, not the stored 8


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_locked_report_refuses_saves(client_for, grantee_a, officer, framework, draft, status):
    submission = fill(draft, framework, grantee_a)
    services.submission_submit(submission=submission, actor=grantee_a)
    if status == "approved":
        services.submission_approve(submission=submission, actor=officer)
    submission.refresh_from_db()
    before = list(ActualValue.objects.values_list("cell_key", "value_text"))
    data = form_data(submission, complete_values(framework, each=5))
    response = client_for(grantee_a).post(reverse("indicators:submission_entry", args=[submission.pk]), data)
    assert response.status_code == 200
    assert "locked" in " ".join(response.context["form"].non_field_errors())
    assert list(ActualValue.objects.values_list("cell_key", "value_text")) == before
    page = client_for(officer).get(reverse("indicators:submission_entry", args=[submission.pk]))
    assert page.context["editing"] is False
    assert SubmissionTransition.objects.filter(submission=submission).count() == (
        2 if status == "submitted" else 3
    )


def test_previous_value_and_target_beside_cell(client_for, grantee_a, officer, world, framework, draft):
    services.target_set(
        project_indicator=framework.capital,
        period=framework.second,
        cell_key=TOTAL,
        value=Decimal(900),
        actor=officer,
    )
    submission = fill(draft, framework, grantee_a)
    services.submission_submit(submission=submission, actor=grantee_a)
    services.submission_approve(submission=submission, actor=officer)
    second = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.second, actor=grantee_a
    )
    page = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[second.pk]))
    capital = next(
        e for g in page.context["groups"] for e in g.indicators if e.project_indicator == framework.capital
    )
    assert capital.total.previous == "1500"
    assert capital.total.target == "900"


# --- query counts -------------------------------------------------------------------------------------------


def _many_indicators(project, count: int, officer) -> None:
    """``count`` count indicators by age band x migration status: 12 cells and the total each."""
    from indicators.models import DisaggregationCategory

    categories = list(DisaggregationCategory.objects.filter(code__in=["age", "migration"]))
    for _ in range(count):
        indicator = IndicatorFactory()
        indicator.categories.set(categories)
        services.project_indicator_create(country_project=project, indicator=indicator, actor=officer)


@pytest.mark.parametrize("extra", [2, 12])
def test_entry_page_query_count_does_not_grow_with_indicators(
    extra, client_for, grantee_a, officer, framework, draft, django_assert_max_num_queries
):
    _many_indicators(draft.country_project, extra, officer)  # 5 or 15 indicators in all
    client = client_for(grantee_a)
    url = reverse("indicators:submission_entry", args=[draft.pk])
    # 15 for 5 indicators and for 15: session, user and the user's organisation (3); the report (1); the
    # layout: project indicators + categories + options, values (which the form's initial data reuses),
    # targets, the previous approved report (6; its values would be one more, but this project has none); the
    # stored draft's validation, which reuses the layout's specs, values and previous report: the rules (1);
    # the timeline, comments with their authors, evidence with uploaders (3); the applied uploads (1).
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(g.indicators) for g in response.context["groups"]) == 3 + extra


def test_entry_layout_reads_the_same_specs_as_the_models(draft, framework, grantee_a):
    # entry_layout reads the library as flat rows (indicators.selectors.entry._specs) instead of prefetching;
    # the specs, and so the cells, their order and labels, must be those ProjectIndicator.spec() gives.
    fill(draft, framework, grantee_a)
    layout = entry_layout(draft)
    specs = [entry.spec for group in layout.groups for entry in group.indicators]
    expected = {
        pi.pk: pi.spec()
        for pi in ProjectIndicator.objects.with_library().filter(country_project=draft.country_project)
    }
    assert any(spec.categories for spec in specs)
    assert {spec.id: spec for spec in specs} == expected
    # The form's initial data comes from the layout's stored values: every one of the report's values.
    assert {(v.project_indicator_id, v.cell_key) for v in layout.stored_values} == set(
        draft.values.values_list("project_indicator_id", "cell_key")
    )
