"""Timeliness by grant: reports and deliverables on time, median days late and review turnaround, for the
grants the user may see (a grantee: its organisation's), with the scope's totals, filters and exports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from grants.access import grants_visible_to
from grants.models import CountryProject, Grant, User
from indicators.deadlines import Timeliness, timeliness
from indicators.filters.timeliness import TimelinessFilter
from indicators.selectors.deadlines import timeliness_figures
from indicators.tables_timeliness import TimelinessTable
from portfolio.exports import FORMATS, Column, export_response

_NOTHING_DUE = timeliness((), (), datetime.date.min)


@dataclass(frozen=True)
class TimelinessRow:
    grant_id: int
    award_number: str
    grantee: str
    officer: str
    timeliness: Timeliness

    # Flat accessors, so the table sorts on them.
    @property
    def reports_percent(self) -> Decimal | None:
        return self.timeliness.reports_on_time_percent

    @property
    def deliverables_percent(self) -> Decimal | None:
        return self.timeliness.deliverables_on_time_percent

    @property
    def median_days_late(self) -> Decimal | None:
        return self.timeliness.median_days_late

    @property
    def median_review_days(self) -> Decimal | None:
        return self.timeliness.median_review_days


def _figures(request: HttpRequest) -> tuple[TimelinessFilter, Timeliness, list[TimelinessRow]]:
    """The filter, the totals of the filtered grants and one row per filtered grant. Queries: the filter's
    choice lists, the grants, and the four of ``timeliness_figures``. An invalid filter shows nothing."""
    user: User = request.user
    grants = grants_visible_to(user).select_related("grantee", "program_officer")
    filterset = TimelinessFilter(request.GET, queryset=grants, request=request)
    shown: list[Grant] = list(filterset.qs.order_by("award_number")) if filterset.is_valid() else []
    if not shown:
        return filterset, _NOTHING_DUE, []
    # With a country chosen, the figures are those of the grants' projects in that country only.
    country = filterset.form.cleaned_data.get("country")
    figures = timeliness_figures(
        user=user,
        today=timezone.localdate(),
        grant_ids=[g.pk for g in shown],
        projects=CountryProject.objects.filter(country=country) if country else None,
    )
    of_grant = {row.grant_id: row.timeliness for row in figures.by_grant}
    rows = [
        TimelinessRow(
            grant_id=grant.pk,
            award_number=grant.award_number,
            grantee=grant.grantee.short_name,
            officer=_name(grant.program_officer),
            # A grant with nothing due yet has nothing to count.
            timeliness=of_grant.get(grant.pk, _NOTHING_DUE),
        )
        for grant in shown
    ]
    return filterset, figures.portfolio, rows


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@require_safe
def timeliness_list(request: HttpRequest) -> HttpResponse:
    filterset, totals, rows = _figures(request)
    # A grantee sees only its own organisation: a grantee column would say the same thing each time.
    table = TimelinessTable(rows, exclude=("grantee",) if request.user.is_grantee else ())
    RequestConfig(request).configure(table)
    query = request.GET.copy()
    for key in ("page", "sort"):
        query.pop(key, None)
    context = {"filter": filterset, "table": table, "totals": totals, "export_query": query.urlencode()}
    return render(request, "indicators/timeliness_list.html", context)


EXPORT_COLUMNS = (
    Column("Award number", width=20),
    Column("Grantee", width=24),
    Column("Program officer", width=20),
    Column("Reports counted", "0", 10),
    Column("Reports on time", "0", 10),
    Column("Reports on time %", "0.0", 10),
    Column("Deliverables counted", "0", 10),
    Column("Deliverables on time", "0", 10),
    Column("Deliverables on time %", "0.0", 10),
    Column("Late items", "0", 10),
    Column("Median days late", "0.0", 10),
    Column("Reviews counted", "0", 10),
    Column("Median review days", "0.0", 10),
)


@require_safe
def timeliness_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    _, _, rows = _figures(request)
    name = f"timeliness-{timezone.localdate():%Y-%m-%d}"
    return export_response(
        fmt,
        name,
        EXPORT_COLUMNS,
        (
            (
                row.award_number,
                row.grantee,
                row.officer,
                t.reports_counted,
                t.reports_on_time,
                t.reports_on_time_percent,
                t.deliverables_counted,
                t.deliverables_on_time,
                t.deliverables_on_time_percent,
                t.late_count,
                t.median_days_late,
                t.reviews_counted,
                t.median_review_days,
            )
            for row in rows
            for t in (row.timeliness,)
        ),
    )
