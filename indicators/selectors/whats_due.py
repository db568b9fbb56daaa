"""The home page's "what's due" panel and timeliness card, shaped per role.

- grantee: reports of open, started reporting periods not yet submitted, and deliverables and milestones
  overdue or due within ``DUE_SOON_DAYS``;
- program officer: the late items of the grants assigned to them, and the reports waiting for their review;
- manager and administrator: overdue, due-soon and waiting-for-review counts by country and by officer.

Everything is read through ``indicators.selectors.deadlines`` (constant queries) and folded in Python; long
lists are cut to ``LIST_LIMIT`` with the full count beside them, for a "N more in the calendar" link.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from grants.access import grants_visible_to
from grants.models import User
from indicators.deadlines import DueItem, DueKind, DueState, Timeliness
from indicators.selectors.deadlines import (
    DueFilters,
    WaitingReview,
    due_items,
    due_items_head,
    timeliness_figures,
    waiting_reviews,
)

LIST_LIMIT = 10
_OPEN_STATES = frozenset({DueState.OVERDUE, DueState.DUE_SOON})


def calendar_url(**params: str | int | tuple) -> str:
    """The reporting calendar's list view with the given filters (view=list first, then the rest; a tuple
    gives the parameter once per value)."""
    query = {"view": "list", **{key: value for key, value in params.items() if value not in ("", None)}}
    return f"{reverse('indicators:calendar')}?{urlencode(query, doseq=True)}"


def review_queue_url(**params: str | int) -> str:
    return f"{reverse('indicators:review_queue')}?{urlencode(params)}"


@dataclass(frozen=True)
class DueList:
    """The first ``LIST_LIMIT`` items of a list, its full length and where to see the rest."""

    items: list
    total: int
    more_url: str

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _cut(items: list, more_url: str) -> DueList:
    return DueList(items=items[:LIST_LIMIT], total=len(items), more_url=more_url)


@dataclass(frozen=True)
class DueCount:
    """One row of a manager's count table: a country or an officer, and links to the calendar and queue."""

    key: str  # country code or officer id
    name: str
    overdue: int
    due_soon: int
    waiting: int
    overdue_url: str
    due_soon_url: str
    waiting_url: str


@dataclass(frozen=True)
class WhatsDue:
    role: str  # "grantee", "officer" or "manager" (administrators see the manager's panel)
    today: datetime.date
    soon_days: int
    reports: DueList | None = None  # grantee: open reports not yet submitted
    upcoming: DueList | None = None  # grantee: deliverables and milestones overdue or due soon
    late: DueList | None = None  # officer: late reports, deliverables and milestones of their grants
    reviews: DueList | None = None  # officer: reports waiting for their review, longest waiting first
    by_country: list[DueCount] | None = None  # manager
    by_officer: list[DueCount] | None = None  # manager
    totals: DueCount | None = None  # manager: the whole portfolio
    computed_at: datetime.datetime | None = None  # manager: the counts are cached briefly, and say when


def whats_due(*, user: User, today: datetime.date) -> WhatsDue:
    """What the signed-in user should act on, by role. Queries: grantee 3 (report pairs of the open started
    periods, their submissions, milestones), officer 4 (``due_items``, ``waiting_reviews``), manager 4 or 5 (``due_items``,
    ``waiting_reviews`` and, only when an officer has reviews waiting but no item due, their names) on a
    cache miss, none on a hit (``MANAGER_CACHE_SECONDS``)."""
    soon = settings.DUE_SOON_DAYS
    if user.is_grantee:
        return _grantee(user, today, soon)
    if user.is_program_officer:
        return _officer(user, today, soon)
    return _cached_manager(user, today, soon)


# The manager's panel reads every open item of the portfolio (thousands of due dates, the largest part of a
# manager's home page). It is the same for every manager and administrator, and counts that move by a review
# or an approval at a time may lag a little: the panel is computed at most once every two minutes and says
# when, like the timeliness card. Grantees' and officers' panels list their own items and stay fresh.
MANAGER_CACHE_SECONDS = 120


def _cached_manager(user: User, today: datetime.date, soon: int) -> WhatsDue:
    cache_key = f"whats-due:v1:portfolio:{today.isoformat()}:{soon}"
    return cache.get_or_set(cache_key, lambda: _manager(user, today, soon), MANAGER_CACHE_SECONDS)


def _grantee(user: User, today: datetime.date, soon: int) -> WhatsDue:
    org = user.organisation_id
    # Reports of the periods open and started, whether overdue, due soon or not due for a while; deliverables
    # and milestones only overdue or due soon. Each list is cut in the selector, which builds only the items
    # shown.
    reports, reports_total = due_items_head(
        user=user,
        today=today,
        limit=LIST_LIMIT,
        filters=DueFilters(
            kinds=frozenset({DueKind.REPORT}),
            states=frozenset({DueState.OVERDUE, DueState.DUE_SOON, DueState.UPCOMING}),
            started_open_periods=True,
        ),
    )
    upcoming, upcoming_total = due_items_head(
        user=user,
        today=today,
        limit=LIST_LIMIT,
        filters=DueFilters(kinds=frozenset({DueKind.DELIVERABLE, DueKind.MILESTONE}), states=_OPEN_STATES),
    )
    return WhatsDue(
        role="grantee",
        today=today,
        soon_days=soon,
        reports=DueList(
            items=reports,
            total=reports_total,
            more_url=calendar_url(
                grantee=org,
                kind=DueKind.REPORT,
                state=(DueState.OVERDUE, DueState.DUE_SOON, DueState.UPCOMING),
            ),
        ),
        upcoming=DueList(
            items=upcoming,
            total=upcoming_total,
            more_url=calendar_url(
                grantee=org,
                kind=(DueKind.DELIVERABLE, DueKind.MILESTONE),
                state=(DueState.OVERDUE, DueState.DUE_SOON),
            ),
        ),
    )


def _officer(user: User, today: datetime.date, soon: int) -> WhatsDue:
    # Sorted by due date: the most overdue first, as they need chasing soonest.
    late, late_total = due_items_head(
        user=user,
        today=today,
        limit=LIST_LIMIT,
        end=today - datetime.timedelta(days=1),
        filters=DueFilters(states=frozenset({DueState.OVERDUE}), officer_id=user.pk),
    )
    reviews = waiting_reviews(user=user, today=today, officer_id=user.pk)
    return WhatsDue(
        role="officer",
        today=today,
        soon_days=soon,
        late=DueList(
            items=late,
            total=late_total,
            more_url=calendar_url(officer=user.pk, state=DueState.OVERDUE),
        ),
        reviews=_cut(reviews, review_queue_url(officer=user.pk)),
    )


def _manager(user: User, today: datetime.date, soon: int) -> WhatsDue:
    # Nothing due after the due-soon window can be overdue or due soon: no need to read it.
    items = due_items(
        user=user,
        today=today,
        end=today + datetime.timedelta(days=soon),
        filters=DueFilters(states=_OPEN_STATES),
    )
    reviews = waiting_reviews(user=user, today=today)
    country_names: dict[str, str] = {}
    officer_names: dict[str, str] = {}
    overdue: dict[str, Counter] = {"country": Counter(), "officer": Counter()}
    due_soon: dict[str, Counter] = {"country": Counter(), "officer": Counter()}
    waiting: dict[str, Counter] = {"country": Counter(), "officer": Counter()}
    for item in items:
        officer = str(item.officer_id or "")
        country_names[item.country] = item.country_name
        officer_names[officer] = item.officer_name
        counts = overdue if item.state is DueState.OVERDUE else due_soon
        counts["country"][item.country] += 1
        counts["officer"][officer] += 1
    for review in reviews:
        officer = str(review.officer_id or "")
        country_names.setdefault(review.country, review.country_name)
        officer_names.setdefault(officer, review.officer_name)
        waiting["country"][review.country] += 1
        waiting["officer"][officer] += 1

    def rows(dimension: str, names: dict[str, str], unnamed: str) -> list[DueCount]:
        keys = set(overdue[dimension]) | set(due_soon[dimension]) | set(waiting[dimension])
        built = [
            _count_row(dimension, key, names.get(key) or unnamed or key, overdue, due_soon, waiting)
            for key in keys
        ]
        # The most overdue first, then the most due soon, then by name.
        return sorted(built, key=lambda row: (-row.overdue, -row.due_soon, -row.waiting, row.name))

    return WhatsDue(
        role="manager",
        today=today,
        soon_days=soon,
        by_country=rows("country", country_names, ""),
        by_officer=rows("officer", officer_names, "No officer"),
        totals=DueCount(
            key="",
            name="Whole portfolio",
            overdue=sum(overdue["country"].values()),
            due_soon=sum(due_soon["country"].values()),
            waiting=len(reviews),
            overdue_url=calendar_url(state=DueState.OVERDUE),
            due_soon_url=calendar_url(state=DueState.DUE_SOON),
            waiting_url=review_queue_url(status="submitted"),
        ),
        computed_at=timezone.now(),
    )


def _count_row(
    dimension: str,
    key: str,
    name: str,
    overdue: dict[str, Counter],
    due_soon: dict[str, Counter],
    waiting: dict[str, Counter],
) -> DueCount:
    param = "country" if dimension == "country" else "officer"
    return DueCount(
        key=key,
        name=name,
        overdue=overdue[dimension][key],
        due_soon=due_soon[dimension][key],
        waiting=waiting[dimension][key],
        overdue_url=calendar_url(**{param: key, "state": DueState.OVERDUE}),
        due_soon_url=calendar_url(**{param: key, "state": DueState.DUE_SOON}),
        waiting_url=review_queue_url(**{param: key}),
    )


@dataclass(frozen=True)
class TimelinessCard:
    scope: str  # what the figures cover, for the card's subtitle
    figures: Timeliness
    computed_at: datetime.datetime


# The card reads every report and deliverable of its scope's history: at portfolio scale (30,000 due dates)
# about a second. Timeliness moves slowly, so the card is computed at most once every few minutes per scope
# and says when; the timeliness page is always computed afresh.
CARD_CACHE_SECONDS = 600


def timeliness_card(*, user: User, today: datetime.date) -> TimelinessCard:
    """Timeliness for the user's scope: an officer's own grants, a grantee's organisation, else the portfolio.
    Queries on a cache miss: those of ``timeliness_figures`` (four), plus one for an officer's grant ids;
    none on a hit."""
    if user.is_program_officer:
        key = f"officer-{user.pk}"
    elif user.is_grantee:
        key = f"organisation-{user.organisation_id}"
    else:
        key = "portfolio"
    cache_key = f"timeliness-card:v1:{key}:{today.isoformat()}"
    return cache.get_or_set(cache_key, lambda: _timeliness_card(user, today), CARD_CACHE_SECONDS)


def _timeliness_card(user: User, today: datetime.date) -> TimelinessCard:
    grant_ids = None
    if user.is_program_officer:
        scope = "Your grants"
        grant_ids = list(grants_visible_to(user).filter(program_officer=user).values_list("pk", flat=True))
    elif user.is_grantee:
        scope = "Your organisation's grants"
    else:
        scope = "The whole portfolio"
    figures = timeliness_figures(user=user, today=today, grant_ids=grant_ids)
    return TimelinessCard(scope=scope, figures=figures.portfolio, computed_at=timezone.now())


__all__ = [
    "LIST_LIMIT",
    "DueCount",
    "DueItem",
    "DueList",
    "TimelinessCard",
    "WaitingReview",
    "WhatsDue",
    "calendar_url",
    "timeliness_card",
    "whats_due",
]
