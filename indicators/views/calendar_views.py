"""The reporting calendar: every due date (reports, deliverables, milestones) of the portfolio or of one grant,
as a month grid or a paginated list with exports, and as an iCalendar file of the same items.

Each page validates its filters (``indicators.filters.calendar``), calls ``due_items`` once for the user's own
scope and lays the items out; an invalid filter is shown next to its field and the page lists nothing until
it is put right. Today is ``timezone.localdate()``, read once per request.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from grants.access import get_grant_for_user
from grants.models import Grant
from indicators.deadlines import DueItem, DueState
from indicators.filters.calendar import LIST, MONTH, CalendarFilterForm, month_end
from indicators.selectors.deadlines import due_items
from indicators.tables_calendar import KIND_ABBREVIATIONS, STATE_CLASSES, CalendarTable, timing_text
from portfolio.exports import FORMATS, Column, export_response

# A day cell shows this many items; the rest are one "+N more" link to the list for that day.
DAY_ITEMS = 3
WEEKDAYS = [(calendar.day_abbr[day], calendar.day_name[day]) for day in range(7)]
# Keys that belong to one rendering of a page, never to the links that lead to another one.
_PAGE_KEYS = ("page", "sort", "export")


@dataclass(frozen=True)
class DayBadge:
    item: DueItem
    css: str
    abbreviation: str


@dataclass(frozen=True)
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    badges: list[DayBadge]
    more: int
    more_query: str  # "" when there is no "+N more" link
    # The texts the grid prints, made here once rather than by a date filter per use (six weeks of days).
    iso: str  # 2025-05-05
    weekday: str  # Mon
    number: str  # 5
    day_month: str  # 5 May, for the "+N more" link's hidden text ("" without the link)


@dataclass(frozen=True)
class StateCount:
    state: DueState
    css: str
    count: int


@dataclass(frozen=True)
class MonthGrid:
    first: datetime.date
    weeks: list[list[Day]]
    counts: list[StateCount]
    total: int
    previous_query: str
    next_query: str
    this_month_query: str


def _link_query(params: QueryDict, **changes: str | None) -> str:
    """The page's query string with ``changes`` applied (None removes a key), for links that keep the
    filters."""
    query = params.copy()
    for key in _PAGE_KEYS:
        query.pop(key, None)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


def _shift_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_grid(
    first: datetime.date, items: list[DueItem], today: datetime.date, params: QueryDict
) -> MonthGrid:
    """The weeks (Monday to Sunday) around the month starting on ``first``, each day with its items."""
    by_day: dict[datetime.date, list[DueItem]] = {}
    for item in items:
        by_day.setdefault(item.due_date, []).append(item)
    weeks = []
    # Day names as the template's date filter wrote them (translated), once per weekday.
    weekdays: dict[int, str] = {}
    for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month):
        days = []
        for date in week:
            in_month = date.month == first.month
            day_items = by_day.get(date, []) if in_month else []
            more = max(len(day_items) - DAY_ITEMS, 0)
            weekday = weekdays.get(date.weekday())
            if weekday is None:
                weekday = weekdays[date.weekday()] = date_format(date, "D")
            days.append(
                Day(
                    date=date,
                    in_month=in_month,
                    is_today=date == today,
                    badges=[
                        DayBadge(item, STATE_CLASSES[item.state], KIND_ABBREVIATIONS[item.kind])
                        for item in day_items[:DAY_ITEMS]
                    ],
                    more=more,
                    # Only a day with more items than fit links to the list (a query string per day adds up).
                    more_query=_link_query(
                        params, view=LIST, month=None, start=date.isoformat(), end=date.isoformat()
                    )
                    if more
                    else "",
                    iso=date.isoformat(),
                    weekday=weekday,
                    number=str(date.day),
                    day_month=date_format(date, "j F") if more else "",
                )
            )
        weeks.append(days)
    counts = Counter(item.state for item in items)
    return MonthGrid(
        first=first,
        weeks=weeks,
        counts=[StateCount(state, STATE_CLASSES[state], counts[state]) for state in DueState],
        total=len(items),
        previous_query=_link_query(params, month=f"{_shift_month(first, -1):%Y-%m}"),
        next_query=_link_query(params, month=f"{_shift_month(first, 1):%Y-%m}"),
        this_month_query=_link_query(params, month=None),
    )


EXPORT_COLUMNS = (
    Column("Due date", "yyyy-mm-dd", 12),
    Column("Days", width=16),
    Column("State", width=10),
    Column("Kind", width=16),
    Column("Title", width=40),
    Column("Grant", width=18),
    Column("Country", width=16),
    Column("Grantee", width=24),
    Column("Officer", width=20),
    Column("Status", width=14),
    Column("Link", width=40),
)


def _export_rows(items: list[DueItem], today: datetime.date, request: HttpRequest) -> list[list[Any]]:
    return [
        [
            item.due_date,
            timing_text(item, today),
            item.state.label,
            item.kind.label,
            item.title,
            item.award_number,
            item.country_name,
            item.grantee_name,
            item.officer_name,
            item.status_label,
            request.build_absolute_uri(item.url),
        ]
        for item in items
    ]


def _view_links(params: QueryDict, form: CalendarFilterForm, today: datetime.date) -> dict[str, str]:
    """Month <-> list switches that keep the filters and, where there is one, the time being looked at."""
    to_list: dict[str, str | None] = {"view": LIST, "month": None}
    to_month: dict[str, str | None] = {"view": None, "start": None, "end": None}
    if form.view == MONTH and params.get("month") and form.is_valid():
        first = form.cleaned_data["month"]
        to_list.update(start=first.isoformat(), end=month_end(first).isoformat())
    if form.view == LIST and form.is_valid() and form.cleaned_data.get("start"):
        to_month["month"] = f"{form.cleaned_data['start']:%Y-%m}"
    return {"month_query": _link_query(params, **to_month), "list_query": _link_query(params, **to_list)}


def _calendar_page(request: HttpRequest, grant: Grant | None) -> HttpResponse:
    today = timezone.localdate()
    params = request.GET
    form = CalendarFilterForm(params, request=request, today=today, grant=grant)
    context: dict[str, Any] = {
        "form": form,
        "grant": grant,
        "today": today,
        "view": form.view,
        "weekdays": WEEKDAYS,
        "page_url": request.path,
        "ics_query": _link_query(params, **({"grant": str(grant.pk)} if grant else {})),
        "due_soon_days": settings.DUE_SOON_DAYS,
        **_view_links(params, form, today),
    }
    if form.is_valid():
        query = form.query()
        items = due_items(
            user=request.user, today=today, start=query.start, end=query.end, filters=query.filters
        )
        context["query"] = query
        if query.view == MONTH:
            context["month"] = month_grid(query.month, items, today, params)
        else:
            export = params.get("export")
            if export is not None:
                if export not in FORMATS:
                    raise Http404("Unknown export format.")
                name = f"calendar-{grant.award_number if grant else 'portfolio'}-{query.start}-{query.end}"
                return export_response(export, name, EXPORT_COLUMNS, _export_rows(items, today, request))
            # A grantee sees only its own organisation: a grantee column would say the same thing each time.
            table = CalendarTable(
                items, today=today, exclude=("grantee_name",) if request.user.is_grantee else ()
            )
            RequestConfig(request, paginate={"per_page": settings.PAGE_SIZE}).configure(table)
            context["table"] = table
            context["item_count"] = len(items)
            context["export_query"] = _link_query(params)
    return render(request, "indicators/calendar.html", context)


@require_safe
def portfolio_calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, grant=None)


@require_safe
def grant_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk, queryset=Grant.objects.select_related("grantee"))
    return _calendar_page(request, grant=grant)


# --- iCalendar (RFC 5545) ---------------------------------------------------------------------------------

# Without dates the feed covers the last year and everything ahead: enough for a calendar client to show
# what was late, without the whole history of a decade-old portfolio.
ICS_DAYS_BEFORE = 365


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, newlines as \\n."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1): continuation lines start with a space, and a
    UTF-8 character is never split between lines."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current = " "
            size = 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def ics_calendar(
    items: list[DueItem],
    *,
    now: datetime.datetime,
    base_url: str,
    name: str = "Reporting calendar",
    refresh: datetime.timedelta | None = None,
) -> str:
    """The VCALENDAR text of ``items``: one all-day VEVENT each, with CRLF line ends. ``refresh``, for a
    subscription, tells calendar apps how often to read it again (RFC 7986 REFRESH-INTERVAL, and Outlook's
    X-PUBLISHED-TTL)."""
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Grant Portfolio//Reporting calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    if refresh is not None:
        duration = f"PT{int(refresh.total_seconds()) // 3600}H"
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]
    for item in items:
        description = (
            f"{item.kind.label} · {item.state.label} · Status: {item.status_label}\n"
            f"{item.award_number} · {item.country_name} · {item.grantee_name}"
            + (f"\nProgram officer: {item.officer_name}" if item.officer_name else "")
        )
        url = base_url + item.url
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.key}@portfolio",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.due_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{item.due_date + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_escape(f'{item.title} ({item.award_number}, {item.country})')}",
            f"DESCRIPTION:{ics_escape(description)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def ics_filter_form(request: HttpRequest, params: QueryDict, today: datetime.date) -> CalendarFilterForm:
    """The filter form of an .ics download or subscription, bound: ``params`` are the calendar's filters (no
    dates: from a year ago onwards), checked against the choices of ``request.user``."""
    params = params.copy()
    params["view"] = LIST
    return CalendarFilterForm(params, request=request, today=today, fill_defaults=False)


def ics_items(
    request: HttpRequest, params: QueryDict, today: datetime.date
) -> tuple[list[DueItem] | None, CalendarFilterForm]:
    """The items of an .ics download or subscription in ``request.user``'s scope (see ics_filter_form); None
    for the items when the filters are invalid."""
    form = ics_filter_form(request, params, today)
    if not form.is_valid():
        return None, form
    query = form.query(default_start=today - datetime.timedelta(days=ICS_DAYS_BEFORE), unbounded=True)
    items = due_items(user=request.user, today=today, start=query.start, end=query.end, filters=query.filters)
    return items, form


def form_problems(form: CalendarFilterForm) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


@require_safe
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The filtered items as an .ics file to import into Outlook or Google Calendar (the user's own scope;
    the query string is the calendar page's). Invalid filters are a 400 with the messages: there is no page
    to show them on."""
    today = timezone.localdate()
    items, form = ics_items(request, request.GET, today)
    if items is None:
        return HttpResponse(
            f"Invalid filters: {form_problems(form)}\n", status=400, content_type="text/plain"
        )
    body = ics_calendar(items, now=timezone.now(), base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reporting-calendar-{today:%Y-%m-%d}.ics"'
    return response
