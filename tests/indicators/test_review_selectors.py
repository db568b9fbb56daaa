"""The review selectors at realistic size: a country project with 15 indicators x 12 disaggregated cells, three
earlier approved periods, comments and evidence; and a queue of many reports. Query counts are pinned and must
not grow with the number of indicators or rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    DisaggregationCategory,
    ReviewComment,
    Submission,
    SubmissionEvidence,
    SubmissionStatus,
    Target,
)
from indicators.selectors.review import review_queue, submission_review
from tests.factories import CountryProjectFactory
from tests.indicator_factories import IndicatorFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def build_report(grant, officer, grantee, *, indicators: int, project=None) -> Submission:
    """A submitted report on ``indicators`` count indicators by age band x migration status (12 cells and a
    total each), with three approved earlier periods, a revised target per indicator, a comment on a cell of
    each indicator and two evidence files."""
    project = project or CountryProjectFactory(grant=grant, country="HN")
    categories = list(DisaggregationCategory.objects.filter(code__in=["age", "migration"]))
    project_indicators = []
    for _ in range(indicators):
        indicator = IndicatorFactory()
        indicator.categories.set(categories)
        project_indicators.append(
            services.project_indicator_create(
                country_project=project, indicator=indicator, actor=officer, lop_target=Decimal(1000)
            )
        )
    keys = project_indicators[0].cell_keys
    assert len(keys) == 13  # 12 cells and the total
    if not grant.reporting_periods.exists():
        services.reporting_periods_generate(grant=grant, actor=officer)
    periods = list(grant.reporting_periods.order_by("start_date")[:4])
    reports = []
    for index, period in enumerate(periods):
        current = index == len(periods) - 1
        report = SubmissionFactory(
            country_project=project,
            period=period,
            created_by=grantee,
            status=SubmissionStatus.SUBMITTED if current else SubmissionStatus.APPROVED,
            submitted_at=timezone.now(),
        )
        ActualValue.objects.bulk_create(
            ActualValue(
                submission=report,
                project_indicator=pi,
                cell_key=key,
                value=Decimal(12 if key == TOTAL else 1) * (index + 1),
                value_text=str(12 * (index + 1) if key == TOTAL else index + 1),
            )
            for pi in project_indicators
            for key in keys
        )
        reports.append(report)
    report = reports[-1]
    Target.objects.bulk_create(
        Target(project_indicator=pi, period=report.period, cell_key=TOTAL, value=50, original_value=40)
        for pi in project_indicators
    )
    ReviewComment.objects.bulk_create(
        ReviewComment(submission=report, project_indicator=pi, cell_key=keys[1], author=officer, text="Why?")
        for pi in project_indicators
    )
    for name in ("register.pdf", "photos.pdf"):
        evidence = SubmissionEvidence(
            submission=report,
            original_name=name,
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=grantee,
        )
        evidence.file.save(name, ContentFile(b"%PDF-1.4\n"), save=True)
    return report


def test_review_layout_has_history_targets_and_comments(world, officer, grantee_a):
    report = build_report(world.grant_a, officer, grantee_a, indicators=2)
    review = submission_review(report)
    assert [p.start_date for p in review.history_periods] == sorted(
        (p.start_date for p in review.history_periods), reverse=True
    )
    assert len(review.history_periods) == 3
    (group,) = review.groups
    entry = group.indicators[0]
    # The reported total (4th period), then the three earlier approved ones, newest first.
    assert entry.total.stored.value_text == "48"
    assert entry.total.history == ["36", "24", "12"]
    assert (entry.total.target, entry.total.original_target) == ("50", "40")
    assert entry.cell_sum == "48" and entry.total_shown == "48" and not entry.sum_differs
    assert [c.comment.text for c in entry.comments] == ["Why?"]
    assert len(review.discussion.evidence) == 2


def test_sum_differs_only_for_complete_disaggregations(world, officer, grantee_a, draft, framework):
    from tests.indicators.conftest import complete_values, fill

    values = complete_values(framework)
    values[(framework.reached.pk, TOTAL)] = {"value": "9"}
    fill(draft, framework, grantee_a, values=values, valid=False)
    review = submission_review(draft)
    by_code = {e.spec.code: e for g in review.groups for e in g.indicators}
    assert by_code["E1"].sum_differs
    assert (by_code["E1"].cell_sum, by_code["E1"].total_shown) == ("8", "9")
    assert not by_code["E3"].sum_differs  # 10 / 20 both ways


@pytest.mark.parametrize("indicators", [5, 15])
def test_review_screen_query_count_does_not_grow(
    indicators, world, officer, grantee_a, client_for, django_assert_num_queries
):
    report = build_report(world.grant_a, officer, grantee_a, indicators=indicators)
    client = client_for(officer)
    url = reverse("indicators:submission_review", args=[report.pk])
    # 14 for 5 and for 15 indicators: session and user (2); the report with period, grant, grantee and
    # officer (1); the layout: project indicators, categories, options, values, targets, earlier approved
    # reports, their values (7); comments with authors, evidence with uploaders, the timeline (3); the
    # validation the grantee saw, which reuses the layout's specs, stored values and previous report: the
    # cross-indicator rules (1).
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(g.indicators) for g in response.context["groups"]) == indicators
    assert response.content.decode().count("Why?") == indicators


@pytest.mark.parametrize("rows", [3, 25])
def test_review_queue_query_count_does_not_grow(rows, world, manager, client_for, django_assert_num_queries):
    # Each report on its own grant, so the grant, officer and country choices are as long as the rows.
    SubmissionFactory.create_batch(rows, status="submitted", submitted_at=timezone.now())
    client = client_for(manager)
    # 7 whatever the number of rows: session and user (2); grant, officer and country choices (3); the count
    # and the page of rows with grant, grantee, officer and period joined (2).
    with django_assert_num_queries(7):
        response = client.get(reverse("indicators:review_queue"))
    assert len(response.context["table"].page.object_list) == min(rows, 25)


def test_review_queue_oldest_waiting_first(world, manager, officer):
    now = timezone.now()
    newer = SubmissionFactory(status="submitted", submitted_at=now - datetime.timedelta(days=1))
    older = SubmissionFactory(status="submitted", submitted_at=now - datetime.timedelta(days=9))
    never = SubmissionFactory()
    assert list(review_queue(user=manager)) == [older, newer, never]


@pytest.mark.parametrize("rows", [3, 25])
def test_officer_queue_query_count_does_not_grow(rows, officer, client_for, django_assert_num_queries):
    SubmissionFactory.create_batch(
        rows, status="submitted", submitted_at=timezone.now(), country_project__grant__program_officer=officer
    )
    client = client_for(officer)
    # 9: as for a manager (7), plus whether the officer has grants, to start the queue on their own (1), and
    # the lookup of that default officer when the filter form is validated (1).
    with django_assert_num_queries(9):
        response = client.get(reverse("indicators:review_queue"))
    assert len(response.context["table"].page.object_list) == rows


@pytest.mark.parametrize("complete", [True, False])
def test_validating_with_the_layouts_reads_gives_the_services_own_result(world, officer, grantee_a, complete):
    # The review and entry screens pass the layout's specs, stored values and previous report to
    # submission_validate instead of letting it read them: the issues must be those it finds reading them.
    report = build_report(world.grant_a, officer, grantee_a, indicators=3)
    jumped = report.values.filter(cell_key=TOTAL).order_by("project_indicator_id").first()
    jumped.value, jumped.value_text = Decimal(480), "480"  # ten times the previous period's 36: a warning
    jumped.save()
    layout = submission_review(report).layout
    reused = services.submission_validate(
        submission=report,
        complete=complete,
        specs=layout.specs,
        stored=layout.stored_values,
        previous=layout.previous_values,
    )
    own = services.submission_validate(submission=report, complete=complete)

    def issues(found: list) -> list:
        return sorted(found, key=lambda i: (i.project_indicator_id or 0, i.cell_key, i.part, i.message))

    assert any(i.project_indicator_id == jumped.project_indicator_id for i in reused.warnings)
    assert issues(reused.warnings) == issues(own.warnings)
    assert issues(reused.errors) == issues(own.errors)
    assert (reused.numbers, reused.expenditure) == (own.numbers, own.expenditure)
