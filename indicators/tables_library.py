"""The indicator library list."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators.models import Indicator
from portfolio.tables import BaseTable

# Secondary columns give way on phones, so code, name and the number of projects fit without scrolling.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
LARGE_ONLY = {"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}}
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
MEASURE_SHORT = {"count": "Count", "percentage": "Percentage", "money": "Money (USD)"}


class IndicatorTable(BaseTable):
    code = tables.Column(verbose_name="Code", attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column(verbose_name="Name")
    domain = tables.Column(verbose_name="Domain", attrs=WIDE_ONLY)
    level = tables.Column(verbose_name="Level", attrs=LARGE_ONLY)
    measure_type = tables.Column(verbose_name="Measure", attrs=WIDE_ONLY)
    unit = tables.Column(verbose_name="Unit", attrs=LARGE_ONLY)
    disaggregations = tables.Column(
        verbose_name="Disaggregations", empty_values=(), orderable=False, attrs=LARGE_ONLY
    )
    n_projects = tables.Column(verbose_name="Projects", attrs=NUM)

    class Meta(BaseTable.Meta):
        model = Indicator
        fields = ()
        sequence = (
            "code",
            "name",
            "domain",
            "level",
            "measure_type",
            "unit",
            "disaggregations",
            "n_projects",
        )
        order_by = ("code",)
        empty_text = "No indicators match these filters."
        row_attrs = {"data-testid": lambda record: f"indicator-{record.code}"}

    def render_code(self, record: Indicator) -> str:
        inactive = (
            mark_safe(' <span class="badge text-bg-secondary">Inactive</span>')
            if not record.is_active
            else ""
        )
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("indicators:indicator_detail", args=[record.pk]),
            record.code,
            inactive,
        )

    def render_name(self, record: Indicator) -> str:
        # On phones the domain and measure columns give way; they then show, small, under the name.
        return format_html(
            '{}<span class="d-block d-md-none small text-secondary">{} · {}</span>',
            record.name,
            record.get_domain_display(),
            MEASURE_SHORT.get(record.measure_type, record.measure_type),
        )

    def render_measure_type(self, record: Indicator) -> str:
        return MEASURE_SHORT.get(record.measure_type, record.get_measure_type_display())

    def render_disaggregations(self, record: Indicator) -> str:
        # Categories come prefetched by the list's queryset.
        return ", ".join(category.name for category in record.categories.all()) or "Total only"
