"""Spreadsheet templates and uploads of indicator data, on the web: download a report's template (or a grant's,
for all its country projects), upload the filled-in file, see the preview (changes, errors with sheet, row
and column), apply it, and download the original file or a copy with the problems marked.

Every lookup goes through grants.access and indicators.access: a project, period or upload the user may not
see is 404; one they may see but not fill is 403. What a file holds is checked by
indicators.services.uploads, whose messages are shown as they are.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants.access import get_country_project_for_user, get_grant_for_user
from grants.forms.common import add_service_error
from grants.models import CountryProject, User
from indicators.access import can_upload_for_project, get_upload_for_user, uploads_visible_to
from indicators.forms.uploads import XLSX, DataUploadForm
from indicators.models import (
    DataUpload,
    ReportingPeriod,
    UploadedReport,
    UploadStatus,
)
from indicators.selectors.uploads import template_data, template_filename
from indicators.services.uploads import runs_in_background, upload_receive, upload_request_apply
from indicators.workbook.annotate import annotate_workbook
from indicators.workbook.preflight import FileRefused
from indicators.workbook.writer import write_template

CANNOT_UPLOAD = (
    "Only the grantee's staff and the grant's program officer can fill this project's reports from a "
    "spreadsheet."
)
# The upload's status as a Bootstrap badge colour.
STATUS_BADGES = {
    UploadStatus.QUEUED: "text-bg-secondary",
    UploadStatus.CHECKING: "text-bg-info",
    UploadStatus.READY: "text-bg-primary",
    UploadStatus.INVALID: "text-bg-danger",
    UploadStatus.APPLYING: "text-bg-info",
    UploadStatus.APPLIED: "text-bg-success",
    UploadStatus.FAILED: "text-bg-danger",
}
# How many rows of each table the upload page shows; the rest are counted ("and 120 more").
SHOWN = 200


# --- reads for these screens ----------------------------------------------------------------------------------


def _period_of_grant(grant_id: int, period_pk: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_related("grant").filter(pk=period_pk, grant_id=grant_id).first()
    if period is None:
        raise Http404("No such reporting period.")
    return period


def _project_and_period(
    request: HttpRequest, pk: int, period_pk: int
) -> tuple[CountryProject, ReportingPeriod]:
    """404 for a project the user cannot see or a period not of its grant; 403 if they may not upload."""
    project = get_country_project_for_user(request.user, pk)
    period = _period_of_grant(project.grant_id, period_pk)
    if not can_upload_for_project(request.user, project):
        raise PermissionDenied(CANNOT_UPLOAD)
    return project, period


def may_upload_anything(user: User) -> bool:
    """Who has templates to fill: grantees' staff, program officers (for their grants) and administrators."""
    return user.is_authenticated and (user.is_grantee or user.is_program_officer or user.is_administrator)


@dataclass
class UploadPage:
    """What the upload page shows, read from the upload's stored preview."""

    reports: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    notes: list[str]
    more_errors: int = 0
    more_warnings: int = 0
    more_changes: int = 0
    stale: str = ""
    same_file: dict[str, Any] | None = None
    applied: list[UploadedReport] = field(default_factory=list)
    can_apply: bool = False
    can_mark: bool = False
    retry_url: str = ""


def _same_file(user: User, found: dict[str, Any] | None) -> dict[str, Any] | None:
    if not found:
        return None
    return {
        **found,
        "at": datetime.datetime.fromisoformat(found["at"]),
        "visible": uploads_visible_to(user).filter(pk=found["id"]).exists(),
    }


def upload_page(upload: DataUpload, user: User) -> UploadPage:
    """At most two queries: the changed reports of an applied upload, and whether an earlier upload of the
    same file is one the user may see."""
    result = upload.result or {}
    reports = result.get("reports", [])
    names = {r["project"]: r["name"] for r in reports}
    several = len(reports) > 1
    changes = [
        {**c, "project_name": names.get(c.get("project"), "") if several else ""}
        for c in result.get("changes", [])[:SHOWN]
    ]
    errors = result.get("errors", [])[:SHOWN]
    warnings = result.get("warnings", [])[:SHOWN]
    page = UploadPage(
        reports=reports,
        # A refused file's one message is the page's message already; it is not repeated as a table row.
        errors=[e for e in errors if e.get("sheet") or e.get("message") != upload.message],
        warnings=warnings,
        changes=changes,
        notes=result.get("notes", []),
        more_errors=max(0, upload.error_count - len(errors)),
        more_warnings=max(0, upload.warning_count - len(warnings)),
        more_changes=max(0, upload.change_count - len(changes)),
        stale=result.get("stale", ""),
        same_file=_same_file(user, result.get("same_file")),
        can_apply=(
            upload.uploaded_by_id == user.pk
            and upload.status == UploadStatus.READY
            and upload.change_count > 0
        ),
        can_mark=any(e.get("sheet") and e.get("row") for e in result.get("errors", []))
        and (bool(upload.checked_file) or not runs_in_background(upload.size)),
        retry_url=_upload_url(upload.expected_project_id, upload.expected_period_id),
    )
    if upload.status == UploadStatus.APPLIED:
        page.applied = list(
            upload.reports.select_related("submission__country_project", "submission__period").order_by(
                "submission__country_project__country", "submission_id"
            )
        )
    return page


def _upload_url(project_id: int | None, period_id: int | None) -> str:
    if project_id and period_id:
        return reverse("indicators:project_upload", args=[project_id, period_id])
    return reverse("indicators:upload_create")


def _stored_bytes(upload: DataUpload) -> bytes:
    try:
        with upload.file.open("rb") as stream:
            return stream.read()
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None


# --- templates ---------------------------------------------------------------------------------------------


def _template_response(projects: list[CountryProject], period: ReportingPeriod) -> HttpResponse:
    data = template_data(
        projects=CountryProject.objects.filter(pk__in=[p.pk for p in projects]), period=period
    )
    buffer = io.BytesIO()
    write_template(data, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, template_filename(period, projects))
    return response


@require_safe
def project_template(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """The Excel template of one country project's report for a period."""
    project, period = _project_and_period(request, pk, period_pk)
    return _template_response([project], period)


@require_safe
def grant_template(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """One template for every country project of the grant the user may fill, for one period."""
    grant = get_grant_for_user(request.user, pk)
    period = _period_of_grant(grant.pk, period_pk)
    projects = [
        project
        for project in CountryProject.objects.filter(grant=grant)
        .select_related("grant")
        .order_by("country", "pk")
        if can_upload_for_project(request.user, project)
    ]
    if not projects:
        raise PermissionDenied(CANNOT_UPLOAD)
    return _template_response(projects, period)


# --- uploading ---------------------------------------------------------------------------------------------


def _upload(
    request: HttpRequest, project: CountryProject | None = None, period: ReportingPeriod | None = None
) -> HttpResponse:
    """Check the form, hand the bytes to the service, and show the upload's page; a refused file is named at
    the file field and nothing is stored."""
    if request.method == "POST":
        form = DataUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = upload_receive(
                    actor=request.user,
                    name=file.name,
                    data=file.read(),
                    expected_project=project,
                    expected_period=period,
                )
            except ValidationError as exc:
                add_service_error(form, exc, fallback="file")
            else:
                return redirect("indicators:upload_detail", pk=upload.pk)
    else:
        form = DataUploadForm()
    context = {
        "form": form,
        "project": project,
        "period": period,
        "recent": list(DataUpload.objects.filter(uploaded_by=request.user).select_related("period")[:10]),
    }
    return render(request, "indicators/upload_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def upload_create(request: HttpRequest) -> HttpResponse:
    """Upload any template the user may fill (one report's or a grant's for all its projects)."""
    if not may_upload_anything(request.user):
        raise PermissionDenied("Only grantees' staff and program officers upload report figures.")
    return _upload(request)


@require_http_methods(["GET", "HEAD", "POST"])
def project_upload(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """Upload one report's template from its page: a template for another report is refused."""
    project, period = _project_and_period(request, pk, period_pk)
    return _upload(request, project, period)


# --- an upload's page and its actions ----------------------------------------------------------------------


@require_safe
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_upload_for_user(request.user, pk)
    context = {
        "upload": upload,
        "page": upload_page(upload, request.user),
        "badge": STATUS_BADGES.get(upload.status, "text-bg-secondary"),
        "shown": SHOWN,
    }
    return render(request, "indicators/upload_detail.html", context)


@require_safe
def upload_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress of an upload the worker is checking or applying, polled by static/js/progress.js."""
    upload = get_upload_for_user(request.user, pk)
    determinate = upload.status == UploadStatus.CHECKING and upload.rows_total > 0
    response = JsonResponse(
        {
            # What static/js/progress.js reads (shared with report runs).
            "label": upload.get_status_display(),
            "determinate": determinate,
            "detail": (
                f"{upload.rows_done:,} of {upload.rows_total:,} rows read ({upload.progress_percent}%)."
                if determinate
                else ""
            ),
            "status": upload.status,
            "status_label": upload.get_status_display(),
            "rows_done": upload.rows_done,
            "rows_total": upload.rows_total,
            "percent": upload.progress_percent,
            "busy": upload.is_busy,
            "message": upload.message,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def upload_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader confirms the preview: applied at once, or by the worker for a large file."""
    upload = get_upload_for_user(request.user, pk)
    if upload.uploaded_by_id != request.user.pk:
        raise PermissionDenied("Only the person who uploaded the file can apply it.")
    try:
        upload = upload_request_apply(upload=upload, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Applied at once: the page says so and links the reports. Queued: say that it is under way.
        if upload.status != UploadStatus.APPLIED:
            messages.info(request, "The changes are being applied. This page shows when they are done.")
    return redirect("indicators:upload_detail", pk=upload.pk)


def _download_name(upload: DataUpload) -> str:
    # Only the last part of the name the uploader gave: never a path, whatever the browser sent.
    return PurePosixPath(upload.original_name.replace("\\", "/")).name or "upload.xlsx"


@require_safe
def upload_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file as it was uploaded."""
    upload = get_upload_for_user(request.user, pk)
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, as_attachment=True, filename=_download_name(upload), content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def upload_checked_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of the uploaded workbook with each problem marked on its cell and listed on a first sheet."""
    upload = get_upload_for_user(request.user, pk)
    problems = (upload.result or {}).get("errors", [])
    if not problems:
        raise Http404("This upload has no problems to mark.")
    if upload.checked_file:
        with upload.checked_file.open("rb") as stream:
            data = stream.read()
    elif runs_in_background(upload.size):
        messages.info(
            request, "The copy with the problems marked is still being prepared; try again in a minute."
        )
        return redirect("indicators:upload_detail", pk=upload.pk)
    else:
        try:
            data = annotate_workbook(_stored_bytes(upload), problems)
        except FileRefused as refused:
            messages.error(request, refused.message)
            return redirect("indicators:upload_detail", pk=upload.pk)
    stem = PurePosixPath(_download_name(upload)).stem or "upload"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}-problems-marked.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response
