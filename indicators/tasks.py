"""Background work of the indicators app, run by the task worker (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from grants.models import CountryProject, Grant
from indicators.selectors.performance import (
    GROUP_PERIODS,
    NO_FILTERS,
    PORTFOLIO_LABEL,
    grant_label,
    warm_performance_table,
)


@task()
def refresh_performance_tables(grant_id: int) -> None:
    """Rebuild the cached performance tables an approval (or a reopening) made stale: the grant's page and the
    portfolio page as office staff open them, without filters. At portfolio scale a build takes seconds; done
    here, the next manager who opens the page gets it from the cache."""
    grant = Grant.objects.filter(pk=grant_id).only("award_number").first()
    if grant is None:
        return  # deleted since: nothing to refresh
    common = {"latest_periods": GROUP_PERIODS, "with_cells": False, **NO_FILTERS}
    warm_performance_table(
        projects=CountryProject.objects.filter(grant=grant),
        group_label=grant_label(grant.award_number),
        **common,
    )
    warm_performance_table(projects=CountryProject.objects.all(), group_label=PORTFOLIO_LABEL, **common)
