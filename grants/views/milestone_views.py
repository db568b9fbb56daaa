"""Milestone screens: the portfolio list and its export, one milestone's page, logging and editing, status
changes, and evidence upload and download.

Every lookup goes through grants.access (404 for what the user may not see, 403 for what they may see but not
change); every write goes through grants.services.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import CreateView, DetailView, UpdateView

from grants import services
from grants.access import get_country_project_for_user, get_evidence_for_user, get_milestone_for_user
from grants.filters.milestone_filters import MilestoneFilter
from grants.forms.common import add_service_error
from grants.forms.milestone_forms import (
    EvidenceForm,
    MilestoneCreateForm,
    MilestoneForm,
    MilestoneTransitionForm,
)
from grants.models import Milestone, MilestoneStatus
from grants.selectors import milestone_selectors as selectors
from grants.tables.milestone_tables import MilestoneTable
from portfolio.exports import FORMATS, export_response
from portfolio.lists import FilteredListView, filtered


class MilestoneListView(FilteredListView):
    table_class = MilestoneTable
    filterset_class = MilestoneFilter
    template_name = "grants/milestone_list.html"

    def get_queryset(self) -> Any:
        return selectors.milestone_list(user=self.request.user)


@require_safe
def milestone_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    queryset = filtered(MilestoneFilter, request, selectors.milestone_list(user=request.user))
    today = timezone.localdate()
    return export_response(
        fmt,
        f"milestones-{today:%Y-%m-%d}",
        selectors.EXPORT_COLUMNS,
        selectors.milestone_export_rows(queryset, today),
    )


class MilestoneDetailView(DetailView):
    template_name = "grants/milestone_detail.html"
    context_object_name = "milestone"

    def get_object(self, queryset: Any = None) -> Milestone:
        self.detail = selectors.milestone_detail(user=self.request.user, pk=self.kwargs["pk"])
        return self.detail.milestone

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["detail"] = self.detail
        context["today"] = today = timezone.localdate()
        context["days_late"] = selectors.days_overdue(self.object, today)
        context.setdefault("evidence_form", EvidenceForm())
        return context


milestone_detail = MilestoneDetailView.as_view()


class MilestoneCreateView(CreateView):
    """Log a milestone under a country project; with a status, completion date and evidence if already done.

    All or nothing: if the evidence file is refused, the milestone is not created either.
    """

    form_class = MilestoneCreateForm
    template_name = "grants/milestone_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.project = get_country_project_for_user(request.user, kwargs["project_pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Milestone(country_project=self.project)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(project=self.project, grant=self.project.grant, **kwargs)

    def form_valid(self, form: MilestoneCreateForm) -> HttpResponse:
        data = form.cleaned_data
        user = self.request.user
        try:
            with transaction.atomic():
                milestone = services.milestone_create(
                    country_project=self.project,
                    actor=user,
                    **{name: data[name] for name in MilestoneForm.Meta.fields},
                    status=data["status"],
                    completed_on=data["completed_on"],
                )
                if data["evidence_file"]:
                    _add_evidence(milestone, user, data["evidence_file"], data["evidence_description"])
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Milestone “{milestone.title}” logged.")
        return redirect(milestone)

    def form_invalid(self, form: MilestoneCreateForm) -> HttpResponse:
        if self.request.FILES.get("evidence_file") and not form.has_error("evidence_file"):
            # Browsers never refill a file input: say so, or the milestone would be saved without its file.
            form.add_error("evidence_file", "Nothing was saved, so please choose the file again.")
        return super().form_invalid(form)


milestone_create = MilestoneCreateView.as_view()


def _add_evidence(milestone: Milestone, user: Any, upload: Any, description: str) -> None:
    """Store an upload through the service; its refusal is re-raised keyed to the create form's file field."""
    try:
        services.evidence_add(
            milestone=milestone,
            actor=user,
            name=upload.name,
            stream=upload,
            size=upload.size,
            description=description,
        )
    except ValidationError as exc:
        raise ValidationError({"evidence_file": exc.messages}) from exc


class MilestoneUpdateView(UpdateView):
    form_class = MilestoneForm
    template_name = "grants/milestone_form.html"
    context_object_name = "milestone"

    def get_object(self, queryset: Any = None) -> Milestone:
        return get_milestone_for_user(self.request.user, self.kwargs["pk"], write=True)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = self.object.country_project
        return super().get_context_data(project=project, grant=project.grant, **kwargs)

    def form_valid(self, form: MilestoneForm) -> HttpResponse:
        try:
            milestone = services.milestone_update(
                milestone=self.object, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Milestone saved.")
        return redirect(milestone)


milestone_update = MilestoneUpdateView.as_view()


@require_POST
def milestone_transition(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_milestone_for_user(request.user, pk, write=True)
    form = MilestoneTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The status was not changed. {form.error_text()}")
        return redirect(milestone)
    try:
        milestone = services.milestone_transition(
            milestone=milestone, actor=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, f"The status was not changed. {' '.join(exc.messages)}")
    else:
        label = MilestoneStatus(milestone.status).label.lower()
        messages.success(request, f"Milestone marked {label}.")
    return redirect(milestone)


@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_milestone_for_user(request.user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.evidence_add(
                milestone=milestone,
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
            return redirect(milestone)
    # Re-show the milestone's page with the error next to the file field, nothing stored.
    view = MilestoneDetailView()
    view.setup(request, pk=pk)
    view.object = view.get_object()
    return view.render_to_response(view.get_context_data(evidence_form=form))


@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    # Only the last part of the name the uploader gave: never a path, whatever the browser sent.
    filename = PurePosixPath(evidence.original_name.replace("\\", "/")).name or "evidence"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
