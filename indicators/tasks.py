"""Background work of the indicators app, run by the task worker (django-tasks)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from grants.models import CountryProject, Grant, User
from indicators.models import DataUpload, UploadStatus
from indicators.selectors.performance import (
    GROUP_PERIODS,
    NO_FILTERS,
    PORTFOLIO_LABEL,
    grant_label,
    warm_performance_table,
)
from indicators.services.uploads import upload_apply, upload_check, upload_fail, upload_mark_problems


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


@task()
def check_upload(upload_id: int) -> None:
    """Check a large uploaded workbook (see indicators.services.uploads), reporting progress as it reads, and
    when it has problems, keep a copy of it with the problems marked (too slow to make in a request)."""
    upload = DataUpload.objects.filter(pk=upload_id).select_related("uploaded_by").first()
    if upload is None:
        return
    try:
        upload = upload_check(upload=upload, progress=True)
        upload_mark_problems(upload=upload)
    except Exception:
        upload_fail(
            upload=upload,
            message="The file could not be checked because of an error on our side. Upload it again; if it fails again, tell the program officer.",
        )
        raise


@task()
def apply_upload(upload_id: int, actor_id: int) -> None:
    """Apply a large checked upload the uploader confirmed, in one transaction."""
    upload = DataUpload.objects.filter(pk=upload_id).select_related("uploaded_by").first()
    actor = User.objects.filter(pk=actor_id).first()
    if upload is None or actor is None:
        return
    try:
        upload_apply(upload=upload, actor=actor)
    except ValidationError as error:
        # A stale preview was refreshed (back to "ready" or "has errors") and says why; anything else that
        # stopped the confirmation is recorded so the page does not wait for ever.
        upload.refresh_from_db()
        if upload.status == UploadStatus.APPLYING:
            upload_fail(upload=upload, message=" ".join(error.messages))
    except Exception:
        upload_fail(
            upload=upload,
            message="The file could not be applied because of an error on our side; nothing was changed. Try again; if it fails again, tell the program officer.",
        )
        raise
