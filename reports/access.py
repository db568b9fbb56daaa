"""Who may see a report run and download its files: whoever asked for it, and anyone who may see every
country project it covers (a grantee never gets a file that includes another organisation's projects)."""

from __future__ import annotations

from django.http import Http404

from grants.access import country_projects_visible_to
from grants.models import User
from reports.models import ReportDefinition, ReportRun


def can_see_run(user: User, run: ReportRun) -> bool:
    if not user.is_authenticated:
        return False
    if run.requested_by_id == user.pk:
        return True
    ids = set(run.project_ids or [])
    return bool(ids) and country_projects_visible_to(user).filter(pk__in=ids).count() == len(ids)


def get_run_for_user(user: User, pk: int | str) -> ReportRun:
    try:
        run = ReportRun.objects.select_related("requested_by", "definition").get(pk=pk)
    except (ReportRun.DoesNotExist, ValueError):
        raise Http404("No such report.") from None
    if not can_see_run(user, run):
        raise Http404("No such report.")
    return run


def get_definition_for_user(user: User, pk: int | str) -> ReportDefinition:
    """Saved definitions are their owner's own: anyone else gets 404."""
    try:
        return ReportDefinition.objects.get(pk=pk, owner=user)
    except (ReportDefinition.DoesNotExist, ValueError):
        raise Http404("No such saved report.") from None
