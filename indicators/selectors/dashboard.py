"""The reporting panel of the home dashboard: where indicator reports stand for the signed-in user.

Scope by role: a program officer sees the grants assigned to them (the reports they review), a grantee its
organisation's projects, managers and administrators the whole portfolio. Two aggregate queries whatever the
size of the portfolio.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from grants.access import country_projects_visible_to
from grants.models import User
from indicators.models import PeriodStatus, ReportingPeriod, Submission, SubmissionStatus


@dataclass(frozen=True)
class ReportingSummary:
    scope: str  # what the figures cover, for the panel's subtitle
    to_start: int  # open, started periods of running projects with no report yet
    drafts: int
    returned: int  # back with the grantee for correction
    awaiting_review: int
    oldest_waiting_days: int | None  # how long the oldest submitted report has waited for review
    approved: int


def reporting_summary(*, user: User, today: datetime.date) -> ReportingSummary:
    projects = country_projects_visible_to(user)
    if user.is_program_officer:
        projects, scope = projects.filter(grant__program_officer=user), "Your grants"
    elif user.is_grantee:
        scope = "Your organisation's projects"
    else:
        scope = "The whole portfolio"

    open_started = Q(status=PeriodStatus.OPEN, start_date__lte=today)
    # One row per (period, project) pair where the project runs in the period: both conditions sit in one
    # filter() so they apply to the same joined project.
    due_pairs = (
        ReportingPeriod.objects.filter(open_started)
        .filter(
            grant__country_projects__in=projects,
            grant__country_projects__start_date__lte=F("end_date"),
            grant__country_projects__end_date__gte=F("start_date"),
        )
        .count()
    )
    figures = Submission.objects.filter(country_project__in=projects).aggregate(
        in_open=Count("pk", filter=Q(period__status=PeriodStatus.OPEN, period__start_date__lte=today)),
        drafts=Count("pk", filter=Q(status=SubmissionStatus.DRAFT)),
        returned=Count("pk", filter=Q(status=SubmissionStatus.RETURNED)),
        submitted=Count("pk", filter=Q(status=SubmissionStatus.SUBMITTED)),
        approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
        oldest=Min("submitted_at", filter=Q(status=SubmissionStatus.SUBMITTED)),
    )
    oldest = figures["oldest"]
    return ReportingSummary(
        scope=scope,
        to_start=max(due_pairs - figures["in_open"], 0),
        drafts=figures["drafts"],
        returned=figures["returned"],
        awaiting_review=figures["submitted"],
        oldest_waiting_days=(today - timezone.localdate(oldest)).days if oldest else None,
        approved=figures["approved"],
    )
