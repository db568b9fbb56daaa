"""The indicator library: the list and its export, an indicator's page, creating and editing indicators, and
deactivating or reactivating them.

Everyone signed in reads the library (grantees need the definitions); program officers and administrators
change it (``indicators.access.can_manage_library``, 403 for others). The projects shown beside an indicator
are only those the viewer may see. Every write goes through ``indicators.services.library``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, FormView

from grants.forms.common import add_service_error
from grants.models import User
from indicators.access import can_manage_library, get_indicator_for_user
from indicators.filters.library import IndicatorFilter
from indicators.forms.library import IndicatorActiveForm, IndicatorForm
from indicators.models import (
    DisaggregationCategory,
    Indicator,
)
from indicators.selectors.library import (
    EXPORT_COLUMNS,
    aggregation_explained,
    indicator_history,
    indicator_projects,
    library_export_rows,
    library_list,
)
from indicators.services import library as services
from indicators.tables_library import IndicatorTable
from portfolio.exports import FORMATS, export_response
from portfolio.lists import FilteredListView, filtered

# --- the list and its export -----------------------------------------------------------------------------------


class IndicatorListView(FilteredListView):
    table_class = IndicatorTable
    filterset_class = IndicatorFilter
    template_name = "indicators/library_list.html"

    def get_queryset(self) -> QuerySet[Indicator]:
        return library_list(user=self.request.user)

    def get_table_kwargs(self) -> dict[str, Any]:
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_manage"] = can_manage_library(self.request.user)
        return context


@require_safe
def library_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    queryset = filtered(IndicatorFilter, request, library_list(user=request.user))
    name = f"indicators-{timezone.localdate():%Y-%m-%d}"
    return export_response(fmt, name, EXPORT_COLUMNS, library_export_rows(queryset))


# --- one indicator ---------------------------------------------------------------------------------------------


def _check_manage(user: User) -> None:
    if not can_manage_library(user):
        raise PermissionDenied("Only program officers and administrators change the indicator library.")


@dataclass(frozen=True)
class CategoryView:
    category: DisaggregationCategory
    options: list[str]


class IndicatorDetailView(DetailView):
    template_name = "indicators/library_detail.html"
    context_object_name = "indicator"

    def get_object(self, queryset: Any = None) -> Indicator:
        categories = Prefetch(
            "categories", queryset=DisaggregationCategory.objects.prefetch_related("options")
        )
        return get_indicator_for_user(
            self.request.user, self.kwargs["pk"], queryset=Indicator.objects.prefetch_related(categories)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicator: Indicator = self.object
        can_manage = can_manage_library(self.request.user)
        projects = indicator_projects(user=self.request.user, indicator=indicator)
        context.update(
            can_manage=can_manage,
            explained=aggregation_explained(indicator),
            categories=[
                CategoryView(c, [o.name for o in c.options.all()]) for c in indicator.categories.all()
            ],
            projects=projects,
            # Staff see every project, so whether any reported tells them what is fixed.
            locked=can_manage and services.indicator_has_reported_values(indicator),
            history=indicator_history(indicator) if can_manage else [],
        )
        return context


# --- create, edit, (de)activate ------------------------------------------------------------------------------------


class IndicatorCreateView(FormView):
    form_class = IndicatorForm
    template_name = "indicators/library_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _check_manage(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        try:
            indicator = services.indicator_create(actor=self.request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Indicator {indicator.code} added to the library.")
        return redirect("indicators:indicator_detail", pk=indicator.pk)


class IndicatorUpdateView(FormView):
    form_class = IndicatorForm
    template_name = "indicators/library_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.indicator = get_indicator_for_user(request.user, kwargs["pk"], write=True)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        locked = services.indicator_has_reported_values(self.indicator)
        # A copy: the form writes what was typed onto its instance, and the page's title keeps the stored code.
        instance = copy.copy(self.indicator)
        return {**super().get_form_kwargs(), "instance": instance, "locked": locked}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(indicator=self.indicator, **kwargs)

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        try:
            indicator = services.indicator_update(
                indicator=self.indicator, actor=self.request.user, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Indicator {indicator.code} saved.")
        return redirect("indicators:indicator_detail", pk=indicator.pk)


@require_POST
def indicator_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, pk, write=True)
    url = reverse("indicators:indicator_detail", args=[indicator.pk])
    form = IndicatorActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed. Choose whether the indicator is active.")
        return redirect(url)
    try:
        indicator = services.indicator_set_active(
            indicator=indicator, is_active=form.cleaned_data["is_active"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, f"Nothing was changed. {' '.join(exc.messages)}")
        return redirect(url)
    if indicator.is_active:
        messages.success(request, f"{indicator.code} is active again: projects can adopt it.")
    else:
        messages.success(
            request,
            f"{indicator.code} is deactivated: no new project can adopt it; projects using it keep it.",
        )
    return redirect(url)
