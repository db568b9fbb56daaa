"""The home dashboard: the user's slice of the portfolio in a fixed, small number of aggregate queries.

Every figure starts from the scoped querysets in grants.access, so a grantee's dashboard counts only its own
organisation's grants, projects and milestones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django_countries import countries

from grants.access import country_projects_visible_to, grants_visible_to, milestones_visible_to
from grants.models import OPEN_MILESTONE_STATUSES, Grant, GrantStatus, Milestone, User

# How many milestones each "needs attention" list shows; the counts beside them are complete.
ATTENTION_LIMIT = 10
MY_GRANTS_LIMIT = 25
# Funding counts what is still being spent: active and suspended awards.
FUNDED_STATUSES = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
CENT = Decimal("0.01")


def _usd(value: Decimal | None) -> Decimal:
    # Sums come back with the database's own scale (SQLite drops trailing zeros): money is shown to the cent.
    return (value or Decimal("0")).quantize(CENT)


@dataclass(frozen=True)
class Kpis:
    active_grants: int
    active_obligated: Decimal
    countries: int
    open_milestones: int
    overdue_milestones: int
    due_soon_milestones: int


@dataclass(frozen=True)
class CountryFunding:
    code: str
    name: str
    amount: Decimal
    grants: int
    percent_of_total: Decimal  # one decimal place


@dataclass(frozen=True)
class LateMilestone:
    milestone: Milestone
    days: int  # days late (overdue list) or days left (due-soon list)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    grants: int
    amount: Decimal


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    due_soon_days: int
    kpis: Kpis
    funding_by_country: list[CountryFunding]
    funding_max: Decimal
    overdue: list[LateMilestone]
    due_soon: list[LateMilestone]
    my_grants_title: str  # empty when the role has no "my grants" (managers, administrators)
    my_grants: list[Grant]
    my_grants_total: int
    status_counts: list[StatusCount]


def dashboard(*, user: User, today: datetime.date) -> Dashboard:
    days = settings.DUE_SOON_DAYS
    grants = grants_visible_to(user)
    milestones = milestones_visible_to(user)
    open_q = Q(status__in=OPEN_MILESTONE_STATUSES)
    soon_q = open_q & Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    grant_figures = grants.aggregate(
        active=Count("pk", filter=Q(status=GrantStatus.ACTIVE)),
        obligated=Sum("obligated_amount", filter=Q(status=GrantStatus.ACTIVE)),
    )
    country_count = (
        country_projects_visible_to(user)
        .filter(grant__status=GrantStatus.ACTIVE)
        .aggregate(n=Count("country", distinct=True))["n"]
    )
    ms_figures = milestones.aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        soon=Count("pk", filter=soon_q),
    )
    kpis = Kpis(
        active_grants=grant_figures["active"],
        active_obligated=_usd(grant_figures["obligated"]),
        countries=country_count,
        open_milestones=ms_figures["open"],
        overdue_milestones=ms_figures["overdue"],
        due_soon_milestones=ms_figures["soon"],
    )
    funding = _funding_by_country(user)
    shown = milestones.select_related("country_project__grant__grantee").order_by("due_date", "pk")
    my_title, my_grants, my_total = _my_grants(user, grants, today)
    return Dashboard(
        today=today,
        due_soon_days=days,
        kpis=kpis,
        funding_by_country=funding,
        funding_max=max((row.amount for row in funding), default=Decimal("0.00")),
        overdue=[LateMilestone(m, (today - m.due_date).days) for m in shown.overdue(today)[:ATTENTION_LIMIT]],
        due_soon=[
            LateMilestone(m, (m.due_date - today).days)
            for m in shown.due_within(today, days)[:ATTENTION_LIMIT]
        ],
        my_grants_title=my_title,
        my_grants=my_grants,
        my_grants_total=my_total,
        status_counts=_status_counts(grants) if not my_title else [],
    )


def _funding_by_country(user: User) -> list[CountryFunding]:
    """Sum of country project budgets of active and suspended grants, per country, largest first."""
    rows = list(
        country_projects_visible_to(user)
        .filter(grant__status__in=FUNDED_STATUSES)
        .values("country")
        .annotate(amount=Sum("budget"), grants=Count("grant", distinct=True))
        .order_by("-amount", "country")
    )
    total = sum((row["amount"] for row in rows), Decimal("0"))
    return [
        CountryFunding(
            code=row["country"],
            name=countries.name(row["country"]) or row["country"],
            amount=_usd(row["amount"]),
            grants=row["grants"],
            percent_of_total=(row["amount"] * 100 / total).quantize(Decimal("0.1"))
            if total
            else Decimal("0"),
        )
        for row in rows
    ]


def _my_grants(user: User, grants: QuerySet[Grant], today: datetime.date) -> tuple[str, list[Grant], int]:
    """The grants a person works on: an officer's assigned grants, a grantee's organisation's grants."""
    if user.is_program_officer:
        title, mine = "My grants", grants.filter(program_officer=user)
    elif user.is_grantee:
        title, mine = "Our grants", grants
    else:
        return "", [], 0
    mine = mine.exclude(status=GrantStatus.CLOSED)
    open_q = Q(country_projects__milestones__status__in=OPEN_MILESTONE_STATUSES)
    rows = list(
        mine.select_related("grantee")
        .annotate(
            open_milestones=Count("country_projects__milestones", filter=open_q, distinct=True),
            overdue_milestones=Count(
                "country_projects__milestones",
                filter=open_q & Q(country_projects__milestones__due_date__lt=today),
                distinct=True,
            ),
            projects=Count("country_projects", distinct=True),
        )
        .order_by("end_date", "award_number")[: MY_GRANTS_LIMIT + 1]
    )
    # Only when the list is cut short is a separate count needed.
    total = len(rows) if len(rows) <= MY_GRANTS_LIMIT else mine.count()
    return title, rows[:MY_GRANTS_LIMIT], total


def _status_counts(grants: QuerySet[Grant]) -> list[StatusCount]:
    figures = {
        row["status"]: row
        for row in grants.values("status").annotate(n=Count("pk"), amount=Sum("obligated_amount"))
    }
    return [
        StatusCount(
            status=status.value,
            label=status.label,
            grants=figures[status]["n"] if status in figures else 0,
            amount=_usd(figures[status]["amount"] if status in figures else None),
        )
        for status in GrantStatus
    ]
