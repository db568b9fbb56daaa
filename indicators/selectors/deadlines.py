"""Every due date a person may see: country projects' reports for each reporting period, deliverables and other
milestones; the reports waiting for review; and the timeliness figures built from them.

Queries, whatever the size of the portfolio: ``due_items`` makes at most three (report pairs, the submissions
of those pairs with their first submission date, milestones; a kind left out by the filters costs none);
``waiting_reviews`` one; ``timeliness_figures`` those of ``due_items`` plus one for the review trail. Rows are
read flat with ``values_list`` and folded in Python. Links are reversed once and filled in per row: reversing
thirty thousand URLs one by one would take longer than the queries.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.conf import settings
from django.db.models import Case, Exists, F, Min, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from grants.access import country_projects_visible_to
from grants.countries import country_name
from grants.models import DELIVERABLE_CATEGORIES, CountryProject, Milestone, MilestoneStatus, User
from indicators.deadlines import DueItem, DueKind, DueState, Timeliness, due_state, timeliness
from indicators.models import PeriodStatus, Submission, SubmissionStatus, SubmissionTransition
from portfolio.links import url_pattern

_MET = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
_REPORT_STATUS_LABELS = dict(SubmissionStatus.choices)
_MILESTONE_STATUS_LABELS = dict(MilestoneStatus.choices)
_DELIVERABLE_CATEGORIES = {str(category) for category in DELIVERABLE_CATEGORIES}


@dataclass(frozen=True)
class DueFilters:
    kinds: frozenset[DueKind] | None = None
    states: frozenset[DueState] | None = None
    country: str = ""
    officer_id: int | None = None
    grantee_id: int | None = None
    grant_id: int | None = None
    # Reports only of open reporting periods that have started: those a grantee can report on now.
    started_open_periods: bool = False


def _projects(user: User | None, filters: DueFilters) -> QuerySet[CountryProject]:
    projects = CountryProject.objects.all() if user is None else country_projects_visible_to(user)
    if filters.country:
        projects = projects.filter(country=filters.country)
    if filters.officer_id is not None:
        projects = projects.filter(grant__program_officer_id=filters.officer_id)
    if filters.grantee_id is not None:
        projects = projects.filter(grant__grantee_id=filters.grantee_id)
    if filters.grant_id is not None:
        projects = projects.filter(grant_id=filters.grant_id)
    return projects


# The columns of the project and grant every item shows, by position after the item's own columns.
_PROJECT_COLUMNS = (
    "grant_id",
    "grant__award_number",
    "country",
    "grant__grantee_id",
    "grant__grantee__name",
    "grant__grantee__acronym",
    "grant__program_officer_id",
    "grant__program_officer__first_name",
    "grant__program_officer__last_name",
    "grant__program_officer__username",
)


class _Contexts(dict):
    """The grant and project fields of an item, made once per project: thousands of items share a few
    hundred projects, and a country's name costs a translation lookup."""

    def __init__(self) -> None:
        super().__init__()
        # Per country, not per project: a portfolio has a few dozen countries and a thousand projects.
        self.countries: dict[str, str] = {}

    def __missing__(self, row: tuple) -> dict:
        grant_id, award, country, grantee_id, grantee, acronym, officer_id, first, last, username = row
        if country not in self.countries:
            self.countries[country] = country_name(country)
        self[row] = shown = {
            "grant_id": grant_id,
            "award_number": award,
            "country": country,
            "country_name": self.countries[country],
            "grantee_id": grantee_id,
            "grantee_name": acronym or grantee,
            "officer_id": officer_id,
            "officer_name": f"{first} {last}".strip() or username or "",
        }
        return shown


def _date_range(field: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lte": end})
    return q


def _report_items(
    projects: QuerySet[CountryProject],
    today: datetime.date,
    start: datetime.date | None,
    end: datetime.date | None,
    soon: int,
    states: frozenset[DueState] | None = None,
    *,
    started_open_periods: bool = False,
    limit: int | None = None,
) -> tuple[list[DueItem], int]:
    """The report items in ``start``..``end`` and ``states``, and how many there are: all of them, or with
    ``limit`` only the first ``limit`` in ``_sort_key`` order (the rest are counted, not built)."""
    # Only open reports asked for (the dashboards' and reminders' usual question): the database leaves out
    # the pairs whose report is submitted or approved, which at portfolio scale are most of the past ones.
    open_only = states is not None and DueState.DONE not in states
    met = Submission.objects.filter(
        country_project_id=OuterRef("pk"), period_id=OuterRef("grant__reporting_periods__pk"), status__in=_MET
    )
    started = (
        Q(grant__reporting_periods__status=PeriodStatus.OPEN, grant__reporting_periods__start_date__lte=today)
        if started_open_periods
        else Q()
    )
    pairs = list(
        projects.filter(
            # All conditions in one filter(): they apply to the same joined period.
            _date_range("grant__reporting_periods__due_date", start, end),
            started,
            ~Exists(met) if open_only else Q(),
            grant__reporting_periods__end_date__gte=F("start_date"),
            grant__reporting_periods__start_date__lte=F("end_date"),
        )
        .order_by()
        .values_list(
            "pk",
            "grant__reporting_periods__pk",
            "grant__reporting_periods__label",
            "grant__reporting_periods__due_date",
            *_PROJECT_COLUMNS,
        )
    )
    if not pairs:
        return [], 0
    submissions = Submission.objects.filter(
        _date_range("period__due_date", start, end), country_project__in=projects
    )
    if started_open_periods:
        submissions = submissions.filter(period__status=PeriodStatus.OPEN, period__start_date__lte=today)
    if open_only:
        submissions = submissions.exclude(status__in=_MET)
    reports = {
        (project_id, period_id): (pk, status, first)
        for project_id, period_id, pk, status, first in submissions.order_by()
        .annotate(
            # Reports submitted before the review trail was kept (imported or bulk-loaded) fall back on
            # their submission time, then on their last change.
            first_submitted=Coalesce(
                Min("transitions__at", filter=Q(transitions__to_status=SubmissionStatus.SUBMITTED)),
                "submitted_at",
                Case(When(status__in=_MET, then="updated_at")),
            )
        )
        .values_list("country_project_id", "period_id", "pk", "status", "first_submitted")
    }
    zone = timezone.get_current_timezone()  # once: timezone.localdate() looks it up on every call
    # First the state of every pair (cheap tuples), then items only for those shown.
    kept = []
    for project_id, period_id, label, due, *context in pairs:
        pk, status, first = reports.get((project_id, period_id), (None, None, None))
        first_done = first.astimezone(zone).date() if first is not None else None
        done = first_done if status in _MET else None
        state = due_state(due, done, today, soon)
        if states is not None and state not in states:
            continue
        key = f"report:{project_id}:{period_id}"
        kept.append((due, key, project_id, period_id, label, pk, status, first_done, done, state, context))
    total = len(kept)
    if limit is not None:
        # Every item here is a report: the due date and key give the order of ``_sort_key``.
        kept = heapq.nsmallest(limit, kept, key=itemgetter(0, 1))
    entry_url = url_pattern("indicators:submission_entry")
    project_url = url_pattern("indicators:project_reporting")
    contexts = _Contexts()
    items = [
        DueItem(
            kind=DueKind.REPORT,
            key=key,
            title=f"Report for {label}",
            due_date=due,
            done_on=done,
            first_done_on=first_done,
            state=state,
            days_left=(due - today).days,
            status_label=_REPORT_STATUS_LABELS[status] if status else "Not started",
            url=entry_url.format(pk) if pk else project_url.format(project_id) + f"#period-{period_id}",
            project_id=project_id,
            period_id=period_id,
            **contexts[tuple(context)],
        )
        for due, key, project_id, period_id, label, pk, status, first_done, done, state, context in kept
    ]
    return items, total


def _milestone_items(
    projects: QuerySet[CountryProject],
    kinds: frozenset[DueKind],
    today: datetime.date,
    start: datetime.date | None,
    end: datetime.date | None,
    soon: int,
    states: frozenset[DueState] | None = None,
    *,
    limit: int | None = None,
) -> tuple[list[DueItem], int]:
    """The deliverable and milestone items of ``kinds`` in ``start``..``end`` and ``states``, and how many
    there are: all of them, or with ``limit`` only the first ``limit`` in ``_sort_key`` order."""
    milestones = Milestone.objects.filter(
        _date_range("due_date", start, end), country_project__in=projects
    ).exclude(status=MilestoneStatus.CANCELLED)
    if states is not None and DueState.DONE not in states:
        milestones = milestones.exclude(status=MilestoneStatus.COMPLETED)
    elif states is not None and states == {DueState.DONE}:
        milestones = milestones.filter(status=MilestoneStatus.COMPLETED)
    if DueKind.MILESTONE not in kinds:
        milestones = milestones.filter(category__in=_DELIVERABLE_CATEGORIES)
    elif DueKind.DELIVERABLE not in kinds:
        milestones = milestones.exclude(category__in=_DELIVERABLE_CATEGORIES)
    rows = milestones.order_by().values_list(
        "pk",
        "title",
        "category",
        "due_date",
        "status",
        "completed_on",
        "country_project_id",
        *(f"country_project__{column}" for column in _PROJECT_COLUMNS),
    )
    if limit is None:
        # A whole portfolio's history (timeliness, the calendar) is read in chunks: a server-side cursor
        # keeps memory flat. A head list is a person's own open items, a few hundred rows read at once.
        rows = rows.iterator(chunk_size=5000)
    else:
        # First the state and order of every row (cheap tuples), then items only for those shown.
        kept = []
        for row in rows:
            state = due_state(row[3], row[5], today, soon)
            if states is None or state in states:
                kind = DueKind.DELIVERABLE if row[2] in _DELIVERABLE_CATEGORIES else DueKind.MILESTONE
                kept.append((row[3], kind, f"milestone:{row[0]}", row))
        total = len(kept)
        rows = [entry[3] for entry in heapq.nsmallest(limit, kept, key=itemgetter(0, 1, 2))]
    url = url_pattern("grants:milestone_detail")
    items = []
    contexts = _Contexts()
    for pk, title, category, due, status, completed, project_id, *context in rows:
        state = due_state(due, completed, today, soon)
        if states is not None and state not in states:
            continue
        items.append(
            DueItem(
                kind=DueKind.DELIVERABLE if category in _DELIVERABLE_CATEGORIES else DueKind.MILESTONE,
                key=f"milestone:{pk}",
                title=title,
                due_date=due,
                done_on=completed,
                first_done_on=completed,
                state=state,
                days_left=(due - today).days,
                status_label=_MILESTONE_STATUS_LABELS[status],
                url=url.format(pk),
                project_id=project_id,
                **contexts[tuple(context)],
            )
        )
    return items, (total if limit is not None else len(items))


def _narrowed(
    states: frozenset[DueState] | None,
    today: datetime.date,
    soon: int,
    start: datetime.date | None,
    end: datetime.date | None,
) -> tuple[datetime.date | None, datetime.date | None]:
    """The due-date range that can hold items in ``states``: an open item is overdue only before today, due
    soon only up to ``soon`` days ahead, upcoming only after that. Done items can be due on any day."""
    if not states or DueState.DONE in states:
        return start, end
    latest = {
        DueState.OVERDUE: today - datetime.timedelta(days=1),
        DueState.DUE_SOON: today + datetime.timedelta(days=soon),
    }
    if DueState.UPCOMING not in states:
        last = max(latest[state] for state in states)
        end = last if end is None else min(end, last)
    if DueState.OVERDUE not in states:
        first = today if DueState.DUE_SOON in states else today + datetime.timedelta(days=soon + 1)
        start = first if start is None else max(start, first)
    return start, end


def _sort_key(item: DueItem) -> tuple:
    return (item.due_date, item.kind, item.key)


def due_items(
    *,
    user: User | None,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    filters: DueFilters | None = None,
) -> list[DueItem]:
    """Every obligation due in ``start``..``end`` (inclusive, None = unbounded) that ``user`` may see (None:
    the whole portfolio, for the reminder job), sorted by due date, kind and key.

    Reports: one per country project and reporting period in which the project runs, whether or not a report
    was started. Milestones: every one but cancelled ones; those of a deliverable category are deliverables.
    """
    return _due(user, today, start, end, filters, None)[0]


def due_items_head(
    *,
    user: User | None,
    today: datetime.date,
    limit: int,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    filters: DueFilters | None = None,
) -> tuple[list[DueItem], int]:
    """``due_items(...)[:limit]`` and ``len(due_items(...))`` for the same arguments, in the same queries,
    for lists that show a few items and count the rest: only the items shown are built."""
    return _due(user, today, start, end, filters, limit)


def _due(
    user: User | None,
    today: datetime.date,
    start: datetime.date | None,
    end: datetime.date | None,
    filters: DueFilters | None,
    limit: int | None,
) -> tuple[list[DueItem], int]:
    filters = filters or DueFilters()
    kinds = filters.kinds if filters.kinds is not None else frozenset(DueKind)
    projects = _projects(user, filters)
    soon = settings.DUE_SOON_DAYS
    start, end = _narrowed(filters.states, today, soon, start, end)
    if start is not None and end is not None and start > end:
        return [], 0
    items: list[DueItem] = []
    total = 0
    if DueKind.REPORT in kinds:
        reports, count = _report_items(
            projects,
            today,
            start,
            end,
            soon,
            filters.states,
            started_open_periods=filters.started_open_periods,
            limit=limit,
        )
        items += reports
        total += count
    if kinds & {DueKind.DELIVERABLE, DueKind.MILESTONE}:
        milestones, count = _milestone_items(
            projects, kinds, today, start, end, soon, filters.states, limit=limit
        )
        items += milestones
        total += count
    items.sort(key=_sort_key)
    return (items if limit is None else items[:limit]), total


@dataclass(frozen=True)
class WaitingReview:
    submission_id: int
    project_id: int
    award_number: str
    country: str
    country_name: str
    grantee_name: str
    period_label: str
    officer_id: int | None
    officer_name: str
    submitted_on: datetime.date
    days_waiting: int
    url: str


def waiting_reviews(
    *, user: User, today: datetime.date, officer_id: int | None = None
) -> list[WaitingReview]:
    """Reports submitted and not yet approved or returned, the longest waiting first."""
    submissions = Submission.objects.filter(
        status=SubmissionStatus.SUBMITTED, country_project__in=country_projects_visible_to(user)
    )
    if officer_id is not None:
        submissions = submissions.filter(country_project__grant__program_officer_id=officer_id)
    url = url_pattern("indicators:submission_review")
    reviews = []
    rows = submissions.order_by("submitted_at", "pk").values_list(
        "pk",
        "country_project_id",
        "period__label",
        "submitted_at",
        *(f"country_project__{column}" for column in _PROJECT_COLUMNS),
    )
    contexts = _Contexts()
    for pk, project_id, label, submitted_at, *context in rows:
        shown = contexts[tuple(context)]
        submitted_on = timezone.localdate(submitted_at) if submitted_at else today
        reviews.append(
            WaitingReview(
                submission_id=pk,
                project_id=project_id,
                award_number=shown["award_number"],
                country=shown["country"],
                country_name=shown["country_name"],
                grantee_name=shown["grantee_name"],
                period_label=label,
                officer_id=shown["officer_id"],
                officer_name=shown["officer_name"],
                submitted_on=submitted_on,
                days_waiting=(today - submitted_on).days,
                url=url.format(pk),
            )
        )
    return reviews


@dataclass(frozen=True)
class GrantTimeliness:
    grant_id: int
    award_number: str
    timeliness: Timeliness


@dataclass(frozen=True)
class TimelinessFigures:
    portfolio: Timeliness
    by_grant: list[GrantTimeliness]


def review_days(transitions: Iterable[tuple[int, int, str, datetime.datetime]]) -> dict[int, list[int]]:
    """Days from each submission to the decision on it (approved or returned), per grant, from a report's
    transitions as (submission id, grant id, to status, at) in time order per submission. A resubmission
    starts a new review; a report still waiting is not counted."""
    days: dict[int, list[int]] = defaultdict(list)
    pending: dict[int, datetime.date] = {}
    for submission_id, grant_id, to_status, at in transitions:
        on = timezone.localdate(at)
        if to_status == SubmissionStatus.SUBMITTED:
            pending[submission_id] = on
        elif to_status in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED):
            submitted = pending.pop(submission_id, None)
            if submitted is not None:
                days[grant_id].append((on - submitted).days)
    return days


def timeliness_figures(
    *,
    user: User | None,
    today: datetime.date,
    grant_ids: Iterable[int] | None = None,
    projects: QuerySet[CountryProject] | None = None,
) -> TimelinessFigures:
    """Timeliness of reports and deliverables, and review turnaround, for the country projects ``user`` may
    see (None: all of them), narrowed to the given grants or to the given projects (a report's scope), each
    grant and all of them together, as of ``today``."""
    filters = DueFilters(kinds=frozenset({DueKind.REPORT, DueKind.DELIVERABLE}))
    scope = _projects(user, filters)
    if grant_ids is not None:
        scope = scope.filter(grant_id__in=list(grant_ids))
    if projects is not None:
        scope = scope.filter(pk__in=projects.values("pk"))
    projects = scope
    soon = settings.DUE_SOON_DAYS
    items = (
        _report_items(projects, today, None, None, soon)[0]
        + _milestone_items(projects, filters.kinds, today, None, None, soon)[0]
    )
    reviews = review_days(
        SubmissionTransition.objects.filter(submission__country_project__in=projects)
        .order_by("submission_id", "at", "pk")
        .values_list("submission_id", "submission__country_project__grant_id", "to_status", "at")
        .iterator(chunk_size=5000)
    )
    items_of: dict[int, list[DueItem]] = defaultdict(list)
    awards: dict[int, str] = {}
    for item in items:
        items_of[item.grant_id].append(item)
        awards[item.grant_id] = item.award_number
    by_grant = [
        GrantTimeliness(
            grant_id, awards[grant_id], timeliness(items_of[grant_id], reviews.get(grant_id, ()), today)
        )
        for grant_id in sorted(items_of, key=awards.__getitem__)
    ]
    every_review = [days for grant_days in reviews.values() for days in grant_days]
    return TimelinessFigures(portfolio=timeliness(items, every_review, today), by_grant=by_grant)
