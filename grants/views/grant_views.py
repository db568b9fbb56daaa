"""Grant screens: the list and its export, a grant's page, creating and editing grants, status changes,
modifications, country projects and the change history.

Every lookup goes through grants.access (404 for what the user may not see, 403 for what they may see but not
change); every write goes through grants.services, whose ValidationErrors are shown next to their fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import CreateView, DetailView, FormView, UpdateView

from grants import services
from grants.access import (
    can_change_grant,
    can_create_grant,
    get_country_project_for_user,
    get_grant_for_user,
)
from grants.filters.grant_filters import GrantFilter
from grants.forms.common import add_service_error
from grants.forms.grant_forms import CountryProjectForm, GrantForm, GrantTransitionForm, ModificationForm
from grants.models import GRANT_TRANSITION_VERBS, CountryProject, Grant, GrantStatus
from grants.selectors import grant_selectors as selectors
from grants.tables.grant_tables import GrantTable
from portfolio.exports import FORMATS, export_response
from portfolio.lists import FilteredListView, filtered


class GrantListView(FilteredListView):
    table_class = GrantTable
    filterset_class = GrantFilter
    template_name = "grants/grant_list.html"

    def get_queryset(self) -> Any:
        return selectors.grant_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_create_grant(self.request.user)
        return context


@require_safe
def grant_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    queryset = filtered(GrantFilter, request, selectors.grant_list(user=request.user))
    name = f"grants-{timezone.localdate():%Y-%m-%d}"
    return export_response(fmt, name, selectors.EXPORT_COLUMNS, selectors.grant_export_rows(queryset))


class GrantDetailView(DetailView):
    template_name = "grants/grant_detail.html"
    context_object_name = "grant"

    def get_object(self, queryset: Any = None) -> Grant:
        today = timezone.localdate()
        return get_grant_for_user(
            self.request.user, self.kwargs["pk"], queryset=selectors.grant_detail_queryset(today)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grant: Grant = self.object
        projects = list(grant.country_projects.all())
        budgeted = sum((p.budget for p in projects), start=Decimal("0"))
        can_change = can_change_grant(self.request.user, grant)
        context.update(
            can_change=can_change,
            transitions=[
                {
                    "to": status,
                    "label": GRANT_TRANSITION_VERBS[status],
                    "needs_note": status in services.NOTE_REQUIRED,
                    "danger": status in services.NOTE_REQUIRED,
                }
                for status in grant.allowed_transitions
            ]
            if can_change
            else [],
            projects=projects,
            modifications=list(grant.modifications.all()),
            status_changes=list(grant.status_changes.all()),
            budget_total=budgeted,
            unallocated=grant.obligated_amount - budgeted,
        )
        return context


class GrantCreateView(CreateView):
    """New grants start in the pipeline; created through grants.services.grant_create."""

    form_class = GrantForm
    template_name = "grants/grant_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_create_grant(request.user):
            raise PermissionDenied("Only program officers and administrators create grants.")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # The officer who sets a grant up is usually the one who will manage it.
        return {"program_officer": self.request.user.pk} if self.request.user.is_program_officer else {}

    def form_valid(self, form: GrantForm) -> HttpResponse:
        try:
            grant = services.grant_create(
                actor=self.request.user, themes=form.cleaned_data["themes"], **form.service_fields()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Grant {grant.award_number} created in the pipeline.")
        return redirect(grant)


class GrantUpdateView(UpdateView):
    form_class = GrantForm
    template_name = "grants/grant_form.html"
    context_object_name = "grant"

    def get_object(self, queryset: Any = None) -> Grant:
        return get_grant_for_user(self.request.user, self.kwargs["pk"], write=True)

    def form_valid(self, form: GrantForm) -> HttpResponse:
        try:
            grant = services.grant_update(
                grant=self.object,
                actor=self.request.user,
                themes=form.cleaned_data["themes"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Grant saved.")
        return redirect(grant)


@require_POST
def grant_transition(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk, write=True)
    form = GrantTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The status was not changed. Choose a status to move the grant to.")
        return redirect(grant)
    try:
        grant = services.grant_transition(grant=grant, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, f"The status was not changed. {' '.join(exc.messages)}")
    else:
        messages.success(request, f"The grant is now {GrantStatus(grant.status).label.lower()}.")
    return redirect(grant)


@require_safe
def grant_history(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, pk)
    context = {
        "grant": grant,
        "entries": selectors.grant_history(grant),
        "limit": selectors.HISTORY_LIMIT,
    }
    return render(request, "grants/grant_history.html", context)


class ModificationCreateView(FormView):
    """Record a numbered modification; grants.services.modification_apply changes the grant with it."""

    form_class = ModificationForm
    template_name = "grants/modification_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.grant = get_grant_for_user(request.user, kwargs["pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(grant=self.grant, **kwargs)

    def form_valid(self, form: ModificationForm) -> HttpResponse:
        try:
            modification = services.modification_apply(
                grant=self.grant, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Modification {modification.number} applied.")
        return redirect(modification)


modification_create = ModificationCreateView.as_view()


# --- country projects ---------------------------------------------------------------------------------------


class ProjectFormMixin:
    """Create and edit share the form, the template and the service error handling."""

    form_class = CountryProjectForm
    template_name = "grants/countryproject_form.html"
    grant: Grant
    request: HttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "grant": self.grant}  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(grant=self.grant, **kwargs)  # type: ignore[misc]

    def apply(self, form: CountryProjectForm) -> CountryProject:
        raise NotImplementedError

    def form_valid(self, form: CountryProjectForm) -> HttpResponse:
        try:
            project = self.apply(form)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)  # type: ignore[attr-defined]
        messages.success(self.request, f"Country project in {project.country.name} saved.")
        return redirect(project)


class ProjectCreateView(ProjectFormMixin, CreateView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.grant = get_grant_for_user(request.user, kwargs["grant_pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # Most country projects run for the whole grant.
        return {"start_date": self.grant.start_date, "end_date": self.grant.end_date}

    def apply(self, form: CountryProjectForm) -> CountryProject:
        return services.country_project_create(
            grant=self.grant, actor=self.request.user, **form.related_fields(), **form.service_fields()
        )


class ProjectUpdateView(ProjectFormMixin, UpdateView):
    context_object_name = "project"

    def get_object(self, queryset: Any = None) -> CountryProject:
        project = get_country_project_for_user(self.request.user, self.kwargs["pk"], write=True)
        self.grant = project.grant
        return project

    def apply(self, form: CountryProjectForm) -> CountryProject:
        return services.country_project_update(
            project=self.object, actor=self.request.user, **form.related_fields(), **form.service_fields()
        )


project_create = ProjectCreateView.as_view()
project_update = ProjectUpdateView.as_view()


# The project's page shows the latest changes; the grant's history page has the rest.
PROJECT_HISTORY_LIMIT = 20


class ProjectDetailView(DetailView):
    template_name = "grants/countryproject_detail.html"
    context_object_name = "project"

    def get_object(self, queryset: Any = None) -> CountryProject:
        return get_country_project_for_user(
            self.request.user, self.kwargs["pk"], queryset=selectors.project_detail_queryset()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project: CountryProject = self.object
        today = timezone.localdate()
        milestones = [(m, m.is_overdue(today)) for m in project.milestones.all()]
        context.update(
            grant=project.grant,
            can_change=can_change_grant(self.request.user, project.grant),
            milestones=milestones,
            overdue_count=sum(overdue for _, overdue in milestones),
            history=selectors.project_history(project, limit=PROJECT_HISTORY_LIMIT),
        )
        return context
