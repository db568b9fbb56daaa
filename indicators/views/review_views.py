"""The review side of reporting: the queue of reports, the officer's review screen and its actions (approve,
return, reopen), comments on a report or a cell, and the report's evidence files.

Every lookup goes through indicators.access (404 for what the user may not see, 403 for what they may see
but not do); every write goes through indicators.services.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from grants.forms.common import add_service_error
from grants.forms.milestone_forms import EvidenceForm
from indicators import services
from indicators.access import (
    can_comment_on_submission,
    can_edit_submission,
    can_review_submission,
    check_submission_action,
    get_submission_evidence_for_user,
    get_submission_for_user,
)
from indicators.filters.review import ReviewQueueFilter
from indicators.forms.review import ACTION_FORMS, CommentForm, ReviewActionForm
from indicators.models import ProjectIndicator, Submission, SubmissionStatus
from indicators.selectors.review import attach_issues, review_queue, submission_review
from indicators.services.submissions import submission_evidence_remove as evidence_remove
from indicators.tables import ReviewQueueTable
from indicators.tasks import refresh_performance_tables
from indicators.views.entry_views import render_entry
from portfolio.lists import FilteredListView

# The review screen's header names the grantee and the grant's officer.
_REVIEW = Submission.objects.select_related(
    "country_project__grant__grantee", "country_project__grant__program_officer"
)

# Which reviewer actions a report's status offers (the service enforces the same workflow).
_ACTIONS_BY_STATUS = {
    SubmissionStatus.SUBMITTED: ("approve", "return"),
    SubmissionStatus.APPROVED: ("reopen",),
}
_SERVICES = {
    "approve": services.submission_approve,
    "return": services.submission_return,
    "reopen": services.submission_reopen,
}
_DONE = {
    "approve": "The report was approved; its figures are now locked.",
    "return": "The report was returned to the grantee with your comment.",
    "reopen": "The report was reopened as a draft for the grantee to correct.",
}


class ReviewQueueView(FilteredListView):
    """Reports by status, oldest waiting first; office staff only (grantees follow their own reports)."""

    table_class = ReviewQueueTable
    filterset_class = ReviewQueueFilter
    template_name = "indicators/review_queue.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and request.user.is_grantee:
            raise PermissionDenied("The review queue is for the office's staff.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return review_queue(user=self.request.user)


review_queue_view = ReviewQueueView.as_view()


def _render_review(
    request: HttpRequest,
    submission: Submission,
    *,
    action_form: tuple[str, ReviewActionForm] | None = None,
    comment_form: CommentForm | None = None,
    comment_target: str = "",
) -> HttpResponse:
    review = submission_review(submission)
    # The checks the grantee saw at submission (a drafted report is checked as a draft).
    complete = submission.status != SubmissionStatus.DRAFT
    # The review's layout has read the specs, the stored values and the previous report: validation reuses them.
    layout = review.layout
    result = services.submission_validate(
        submission=submission,
        complete=complete,
        specs=layout.specs,
        stored=layout.stored_values,
        previous=layout.previous_values,
    )
    attach_issues(review.groups, result)
    reviewing = can_review_submission(request.user, submission)
    names = _ACTIONS_BY_STATUS.get(submission.status, ()) if reviewing else ()
    forms = {name: ACTION_FORMS[name](initial={"version": submission.version}) for name in names}
    if action_form is not None:
        forms[action_form[0]] = action_form[1]
    context = {
        "submission": submission,
        "project": submission.country_project,
        "review": review,
        "groups": review.groups,
        "discussion": review.discussion,
        "reviewing": reviewing,
        "action_forms": forms,
        "can_comment": can_comment_on_submission(request.user, submission),
        "comment_form": comment_form,
        "comment_target": comment_target,
        "return_to": "review",
    }
    return render(request, "indicators/review_detail.html", context)


@require_safe
def submission_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's screen; managers and other officers read it without actions. The grantee's own staff
    work on the entry page, which shows them the same comments and evidence, so they are sent there."""
    submission = get_submission_for_user(request.user, pk, queryset=_REVIEW)
    if can_edit_submission(request.user, submission) and not can_review_submission(request.user, submission):
        return redirect("indicators:submission_entry", pk=submission.pk)
    return _render_review(request, submission)


@require_POST
def submission_review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve, return or reopen, at the version the reviewer read; a refusal is shown on the action's form."""
    submission = get_submission_for_user(request.user, pk, action="review", queryset=_REVIEW)
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            _SERVICES[action](
                submission=submission,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if action in ("approve", "reopen"):
                # Approved figures changed: rebuild the cached performance tables in the background.
                grant_id = submission.country_project.grant_id
                transaction.on_commit(lambda: refresh_performance_tables.enqueue(grant_id))
            messages.success(request, _DONE[action])
            return redirect("indicators:submission_review", pk=submission.pk)
    submission.refresh_from_db()
    return _render_review(request, submission, action_form=(action, form))


@require_POST
def submission_comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment on the report, an indicator or one of its cells, from the review screen or the entry page."""
    submission = get_submission_for_user(request.user, pk, action="comment", queryset=_REVIEW)
    form = CommentForm(request.POST)
    # The indicator whose thread shows a refusal; the report's thread when there is none in this report.
    raw = form.data.get("project_indicator") or ""
    indicator = ProjectIndicator.objects.filter(
        pk=int(raw) if raw.isdigit() else None, country_project_id=submission.country_project_id
    ).first()
    if form.is_valid():
        data = form.cleaned_data
        if data["project_indicator"] is not None and indicator is None:
            form.add_error(None, "That indicator is not part of this report; reload the page.")
        if form.is_valid():
            try:
                services.review_comment_add(
                    submission=submission,
                    actor=request.user,
                    text=data["text"],
                    project_indicator=indicator,
                    cell_key=data["cell_key"],
                )
            except ValidationError as exc:
                add_service_error(form, exc, fallback="cell_key")
            else:
                messages.success(request, "Comment added.")
                anchor = f"indicator-{indicator.pk}" if indicator else "report-comments"
                return redirect(f"{_page_url(request, submission, form)}#{anchor}")
    # Text, as the threads' keys are (EntryIndicator.key).
    target = str(indicator.pk) if indicator is not None else "report"
    if _page(request, submission, form) == "review":
        return _render_review(request, submission, comment_form=form, comment_target=target)
    return render_entry(request, submission, comment_form=form, comment_target=target)


def _page(request: HttpRequest, submission: Submission, form: CommentForm) -> str:
    """The page the comment came from: the entry page unless it came from the review screen of a reviewer."""
    asked = form.data.get("return_to")
    if can_review_submission(request.user, submission) and asked != "entry":
        return "review"
    return "entry"


def _page_url(request: HttpRequest, submission: Submission, form: CommentForm) -> str:
    name = "submission_review" if _page(request, submission, form) == "review" else "submission_entry"
    return reverse(f"indicators:{name}", args=[submission.pk])


@require_POST
def submission_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to an editable report; a refused file is named at the file field, nothing stored."""
    submission = get_submission_for_user(request.user, pk, action="edit", queryset=_REVIEW)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.submission_evidence_add(
                submission=submission,
                actor=request.user,
                name=upload.name,
                stream=upload,
                size=upload.size,
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_error(form, exc, fallback="file")
        else:
            messages.success(request, f"“{upload.name}” added as evidence.")
            return redirect(reverse("indicators:submission_entry", args=[submission.pk]) + "#evidence")
    return render_entry(request, submission, evidence_form=form)


@require_POST
def submission_evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a file attached by mistake (only files the reviewer has not seen yet; the service says why not)."""
    evidence = get_submission_evidence_for_user(request.user, pk)
    check_submission_action(request.user, evidence.submission, "edit")
    try:
        evidence_remove(evidence=evidence, actor=request.user)
    except ValidationError as exc:
        messages.error(request, f"The file was not removed. {' '.join(exc.messages)}")
    else:
        messages.success(request, f"“{evidence.original_name}” removed.")
    return redirect(reverse("indicators:submission_entry", args=[evidence.submission_id]) + "#evidence")


@require_safe
def submission_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_submission_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    # Only the last part of the name the uploader gave: never a path, whatever the browser sent.
    filename = PurePosixPath(evidence.original_name.replace("\\", "/")).name or "evidence"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
