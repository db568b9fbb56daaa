"""Spending against time: the active grants whose expenditure runs well behind (or ahead of) the share of
their period of performance already elapsed, for the home page of office staff.

Expenditure to date is, as in the financial summary, the cumulative federal expenditure of each country
project's latest approved report, added over the grant's projects; burn rate is that against the current
obligation, and both percentages come from indicators.calculations. A grant whose burn rate trails the time
elapsed by ``settings.SPENDING_GAP_POINTS`` or more is under-spending (activities late, money that may have to
be de-obligated); one that runs that far ahead may run out before its end. A grant with no approved expenditure
yet is listed once enough time has passed to expect one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from grants.access import grants_visible_to
from grants.models import CountryProject, GrantStatus, User
from indicators.calculations import burn_rate, time_elapsed
from indicators.models import Submission, SubmissionStatus
from portfolio.links import url_pattern

# How many grants the card lists (the most out of step first); the count says how many there are in all.
LIST_LIMIT = 8
# Expenditure moves only when a report is approved: the card (its second query reads every project of the
# scope, ~15 ms for the whole portfolio) is computed at most once every few minutes per scope and says when.
CARD_CACHE_SECONDS = 600


@dataclass(frozen=True)
class SpendingLine:
    award_number: str
    title: str
    url: str
    financial_url: str  # the financial summary of this grant alone (expenditure by country project)
    obligated: Decimal
    spent: Decimal | None  # None: no approved report states an expenditure yet
    burn_rate: Decimal | None  # percent of the current obligation
    time_elapsed: Decimal  # percent of the period of performance
    gap: Decimal  # points: time elapsed minus burn rate (positive: behind)

    @property
    def behind(self) -> bool:
        return self.gap > 0

    @property
    def gap_points(self) -> Decimal:
        return abs(self.gap)


@dataclass(frozen=True)
class SpendingCard:
    scope: str
    gap_points: int
    lines: list[SpendingLine]
    total: int  # grants out of step, of which ``lines`` are the first
    active: int  # active grants looked at
    computed_at: datetime.datetime


def spending_card(*, user: User, today: datetime.date) -> SpendingCard | None:
    """The card for office staff (an officer's own grants, else the portfolio); None for grantees, whose
    officer follows their spending. Two queries on a cache miss (the active grants, their projects' latest
    expenditure), none on a hit."""
    if user.is_grantee:
        return None
    key = f"officer-{user.pk}" if user.is_program_officer else "portfolio"
    cache_key = f"spending-card:v1:{key}:{today.isoformat()}:{settings.SPENDING_GAP_POINTS}"
    return cache.get_or_set(cache_key, lambda: _spending_card(user, today), CARD_CACHE_SECONDS)


def _spending_card(user: User, today: datetime.date) -> SpendingCard:
    grants = grants_visible_to(user).filter(status=GrantStatus.ACTIVE)
    scope = "The whole portfolio's active grants"
    if user.is_program_officer:
        grants, scope = grants.filter(program_officer=user), "Your active grants"
    rows = list(
        grants.order_by().values("pk", "award_number", "title", "obligated_amount", "start_date", "end_date")
    )
    spent = _expenditure_by_grant([row["pk"] for row in rows])
    gap_points = settings.SPENDING_GAP_POINTS
    grant_url = url_pattern("grants:grant_detail")
    financial_url = reverse("reports:preview") + "?report_type=financial&formats=xlsx"
    out_of_step = []
    for row in rows:
        elapsed = time_elapsed(row["start_date"], row["end_date"], today)
        expenditure = spent.get(row["pk"])
        rate = burn_rate(expenditure, row["obligated_amount"])
        gap = elapsed - (rate or Decimal("0"))
        if abs(gap) < gap_points:
            continue
        out_of_step.append(
            SpendingLine(
                award_number=row["award_number"],
                title=row["title"],
                url=grant_url.format(row["pk"]),
                financial_url=financial_url + "&" + urlencode({"grants": row["pk"]}),
                obligated=row["obligated_amount"],
                spent=expenditure,
                burn_rate=rate,
                time_elapsed=elapsed,
                gap=gap,
            )
        )
    out_of_step.sort(key=lambda line: (-abs(line.gap), line.award_number))
    return SpendingCard(
        scope=scope,
        gap_points=gap_points,
        lines=out_of_step[:LIST_LIMIT],
        total=len(out_of_step),
        active=len(rows),
        computed_at=timezone.now(),
    )


def _expenditure_by_grant(grant_ids: list[int]) -> dict[int, Decimal]:
    """Per grant, its projects' latest approved cumulative expenditure added up (grants without one are
    absent). One query: each project with its latest such report's figure as a subquery."""
    latest = (
        Submission.objects.filter(
            country_project=OuterRef("pk"),
            status=SubmissionStatus.APPROVED,
            cumulative_expenditure__isnull=False,
        )
        .order_by("-period__start_date")
        .values("cumulative_expenditure")[:1]
    )
    totals: dict[int, Decimal] = {}
    projects = (
        CountryProject.objects.filter(grant_id__in=grant_ids)
        .annotate(spent=Subquery(latest))
        .filter(spent__isnull=False)
        .order_by()
        .values_list("grant_id", "spent")
    )
    for grant_id, amount in projects:
        totals[grant_id] = totals.get(grant_id, Decimal("0")) + amount
    return totals
