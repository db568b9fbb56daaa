"""The home dashboard: the user's slice of the portfolio in a fixed, small number of aggregate queries.

Every figure starts from the scoped querysets in grants.access, so a grantee's dashboard counts only its own
organisation's grants, projects and milestones.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from grants.access import country_projects_visible_to, grants_visible_to, milestones_visible_to
from grants.countries import country_name
from grants.models import OPEN_MILESTONE_STATUSES, Grant, GrantStatus, Milestone, User
from portfolio.links import url_pattern

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
    """One line of a "needs attention" list: only what the line shows, read flat (no model instances)."""

    title: str
    url: str
    award_number: str
    country_name: str
    due_date: datetime.date
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
    # None where the role's "What's due" panel already lists these milestones (see lists_of_milestones).
    overdue: list[LateMilestone] | None
    due_soon: list[LateMilestone] | None
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

    # One grouped query gives both the active-grant figures and the manager's status table.
    by_status = _by_status(grants)
    active = by_status.get(GrantStatus.ACTIVE, {"n": 0, "amount": None})
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
        active_grants=active["n"],
        active_obligated=_usd(active["amount"]),
        countries=country_count,
        open_milestones=ms_figures["open"],
        overdue_milestones=ms_figures["overdue"],
        due_soon_milestones=ms_figures["soon"],
    )
    funding = _funding_by_country(user)
    shown = milestones.order_by("due_date", "pk")
    lists_overdue, lists_due_soon = lists_of_milestones(user)
    my_title, my_grants, my_total = _my_grants(user, grants, today)
    return Dashboard(
        today=today,
        due_soon_days=days,
        kpis=kpis,
        funding_by_country=funding,
        funding_max=max((row.amount for row in funding), default=Decimal("0.00")),
        overdue=_late_milestones(shown.overdue(today), lambda due: (today - due).days)
        if lists_overdue
        else None,
        due_soon=(
            _late_milestones(shown.due_within(today, days), lambda due: (due - today).days)
            if lists_due_soon
            else None
        ),
        my_grants_title=my_title,
        my_grants=my_grants,
        my_grants_total=my_total,
        status_counts=_status_counts(by_status) if not my_title else [],
    )


def _late_milestones(
    milestones: QuerySet[Milestone], days: Callable[[datetime.date], int]
) -> list[LateMilestone]:
    """The first ``ATTENTION_LIMIT`` milestones as flat lines: five columns instead of four joined models,
    and the detail URL reversed once rather than per line."""
    url = url_pattern("grants:milestone_detail")
    return [
        LateMilestone(
            title=title,
            url=url.format(pk),
            award_number=award_number,
            country_name=country_name(country),
            due_date=due_date,
            days=days(due_date),
        )
        for pk, title, due_date, award_number, country in milestones.values_list(
            "pk", "title", "due_date", "country_project__grant__award_number", "country_project__country"
        )[:ATTENTION_LIMIT]
    ]


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
            name=country_name(row["country"]) or row["country"],
            amount=_usd(row["amount"]),
            grants=row["grants"],
            percent_of_total=(row["amount"] * 100 / total).quantize(Decimal("0.1"))
            if total
            else Decimal("0"),
        )
        for row in rows
    ]


def lists_of_milestones(user: User) -> tuple[bool, bool]:
    """Whether the home page lists overdue milestones, and milestones due soon, in cards of their own.

    The "What's due" panel above them already lists a grantee's overdue and coming deliverables and milestones,
    and an officer's overdue items on their own grants: the same milestones twice on one page would only push
    the rest down. An officer keeps the coming ones (their panel lists only what is late); a manager's panel
    counts by country and officer, so the cards are where a manager sees the milestones themselves.
    """
    if user.is_grantee:
        return False, False
    if user.is_program_officer:
        return False, True
    return True, True


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
        # Only the columns the table shows (the grantee is not one of them). A milestone is reached by one
        # path only (its project), so the counts need no DISTINCT.
        mine.only("pk", "award_number", "title", "status", "end_date")
        .annotate(
            open_milestones=Count("country_projects__milestones", filter=open_q),
            overdue_milestones=Count(
                "country_projects__milestones",
                filter=open_q & Q(country_projects__milestones__due_date__lt=today),
            ),
        )
        .order_by("end_date", "award_number")[: MY_GRANTS_LIMIT + 1]
    )
    # Only when the list is cut short is a separate count needed.
    total = len(rows) if len(rows) <= MY_GRANTS_LIMIT else mine.count()
    return title, rows[:MY_GRANTS_LIMIT], total


def _by_status(grants: QuerySet[Grant]) -> dict[str, dict]:
    """Per status, the number of grants ("n") and their obligated amount ("amount")."""
    return {
        row["status"]: row
        for row in grants.order_by().values("status").annotate(n=Count("pk"), amount=Sum("obligated_amount"))
    }


def _status_counts(figures: dict[str, dict]) -> list[StatusCount]:
    return [
        StatusCount(
            status=status.value,
            label=status.label,
            grants=figures[status]["n"] if status in figures else 0,
            amount=_usd(figures[status]["amount"] if status in figures else None),
        )
        for status in GrantStatus
    ]
