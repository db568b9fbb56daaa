"""Indicator performance pages: one country project, one grant, and the portfolio the user may see.

Each view scopes the country projects through grants.access (a grantee sees only its own organisation's, and
gets 404 for another's project or grant), hands them to the ``performance_table`` builder and renders the
frozen result with a small SVG chart per indicator. Read-only pages: there is nothing to write here.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from grants.access import country_projects_visible_to, get_country_project_for_user, get_grant_for_user
from grants.models import CountryProject, Grant
from indicators.charts import ChartPoint, target_actual_svg
from indicators.filters.performance import PerformanceFilter
from indicators.selectors.performance import (
    CACHE_SECONDS,
    GROUP_PERIODS,
    PORTFOLIO_LABEL,
    PROJECT_ROWS_LIMIT,
    IndicatorPerformance,
    PerformanceTable,
    cached_performance_table_and_key,
    grant_label,
    performance_table,
)


@dataclass(frozen=True)
class Shown:
    """An indicator's figures with its chart, as the template lays them out."""

    item: IndicatorPerformance
    chart: str


def _shown(table: PerformanceTable) -> list[Shown]:
    shown = []
    for item in table.indicators:
        # To date rather than per period: it reads the same for flows, stocks and percentages, and stays
        # smooth where quarterly and semi-annual grants are added up.
        points = [
            ChartPoint(p.label.split(" (")[0], p.target_to_date, p.actual_to_date_figure)
            for p in item.total.periods
        ]
        chart = target_actual_svg(
            points,
            title=f"{item.code}: target and approved actual to date, per period",
            chart_id=f"chart-{item.indicator_id}",
            ceiling=Decimal(100) if item.is_percentage else None,
        )
        shown.append(Shown(item=item, chart=chart))
    return shown


def _cells_wanted(request: HttpRequest) -> bool:
    return request.GET.get("cells") == "1"


def _cells_toggle(request: HttpRequest) -> str:
    """The same page with the disaggregated view switched the other way, keeping the filters."""
    query = request.GET.copy()
    if _cells_wanted(request):
        query.pop("cells", None)
    else:
        query["cells"] = "1"
    return f"?{query.urlencode()}" if query else "?"


CARD_TEMPLATE = "indicators/performance_indicator.html"


@functools.cache
def _cards_version() -> str:
    """A fingerprint of the card's templates, so a deploy that changes them does not serve cards cached by the
    previous release (the cached table itself holds only figures)."""
    names = (CARD_TEMPLATE, "indicators/performance_figure.html", "indicators/performance_badge.html")
    sources = "".join(get_template(name).template.source for name in names)
    return hashlib.sha256(sources.encode()).hexdigest()[:12]


def _cards(
    table: PerformanceTable, *, cells: bool, grant: Grant | None, open_projects: bool, cache_key: str | None
) -> SafeString:
    """The indicator cards, figures and charts, as HTML. They depend only on the table and the page's kind,
    so with the table's cache key they are rendered once and cached beside the table (same lifetime, and a
    new results stamp moves both): drawing a chart per indicator and rendering a few hundred kilobytes of
    figures was most of a grant or portfolio page's time."""
    key = None
    if cache_key is not None:
        # The cells flag is already in the table's key; the page kind decides the project rows' links.
        kind = "grant" if grant is not None else "portfolio"
        key = f"{cache_key}:cards:{_cards_version()}:{kind}:{int(open_projects)}:{get_language()}"
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # rendered by our own templates, autoescaped
    card = get_template(CARD_TEMPLATE)
    context = {"table": table, "cells": cells, "grant": grant, "open_projects": open_projects}
    html = "".join(card.render({**context, "s": s}) for s in _shown(table))
    if key is not None:
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # rendered by our own templates, autoescaped


def _page(
    request: HttpRequest,
    template: str,
    table: PerformanceTable,
    *,
    cache_key: str | None = None,
    open_projects: bool = False,
    **context: object,
) -> HttpResponse:
    cells = _cells_wanted(request)
    grant = context.get("grant")
    context.update(
        table=table,
        cards=_cards(
            table,
            cells=cells,
            grant=grant if isinstance(grant, Grant) else None,
            open_projects=open_projects,
            cache_key=cache_key,
        ),
        cells=cells,
        cells_toggle=_cells_toggle(request),
        project_rows_limit=PROJECT_ROWS_LIMIT,
    )
    return render(request, template, context)


@require_safe
def project_performance(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_country_project_for_user(
        request.user, pk, queryset=CountryProject.objects.select_related("grant__grantee")
    )
    table = performance_table(
        projects=CountryProject.objects.filter(pk=project.pk),
        with_projects=False,
        with_cells=_cells_wanted(request),
    )
    return _page(request, "indicators/performance_project.html", table, project=project, grant=project.grant)


def _filtered(request: HttpRequest, projects: QuerySet[CountryProject], grant: Grant | None = None) -> tuple:
    filterset = PerformanceFilter(request.GET or None, queryset=projects, request=request, grant=grant)
    scoped = filterset.qs if filterset.is_bound and filterset.is_valid() else projects
    if filterset.is_bound and not filterset.is_valid():
        scoped = projects.none()
    return filterset, scoped


@require_safe
def grant_performance(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk, queryset=Grant.objects.select_related("grantee"))
    projects = country_projects_visible_to(request.user).filter(grant=grant)
    filterset, scoped = _filtered(request, projects, grant)
    table, key = cached_performance_table_and_key(
        projects=scoped,
        group_label=grant_label(grant.award_number),
        latest_periods=GROUP_PERIODS,
        with_cells=_cells_wanted(request),
        **filterset.performance_options(),
    )
    return _page(
        request,
        "indicators/performance_grant.html",
        table,
        cache_key=key,
        open_projects=True,
        grant=grant,
        filter=filterset,
        clear_url=reverse("indicators:grant_performance", kwargs={"pk": grant.pk}),
    )


@require_safe
def portfolio_performance(request: HttpRequest) -> HttpResponse:
    projects = country_projects_visible_to(request.user)
    filterset, scoped = _filtered(request, projects)
    table, key = cached_performance_table_and_key(
        projects=scoped,
        group_label=PORTFOLIO_LABEL,
        latest_periods=GROUP_PERIODS,
        with_cells=_cells_wanted(request),
        **filterset.performance_options(),
    )
    return _page(
        request,
        "indicators/performance_portfolio.html",
        table,
        cache_key=key,
        filter=filterset,
        clear_url=reverse("indicators:portfolio_performance"),
    )
