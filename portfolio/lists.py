"""The shape every portfolio list shares: filtered, sortable, paginated, with exports of the filtered rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django_filters import FilterSet
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin


class FilteredListView(SingleTableMixin, FilterView):
    def get_table_kwargs(self) -> dict[str, Any]:
        # A grantee sees only its own organisation's rows: a grantee column would say the same thing each time.
        return {"exclude": ("grantee",)} if self.request.user.is_grantee else {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The export links carry the filters (not the page or sort), so the file has every matching row.
        query = self.request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        context["export_query"] = query.urlencode()
        return context


def filtered(filterset_class: type[FilterSet], request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """The rows an export writes: the list's filters over the list's scoped queryset. An invalid filter
    exports nothing, as the list then shows nothing."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()
