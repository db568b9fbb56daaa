"""The timeliness page's table: one row per grant (``indicators.views.timeliness_views.TimelinessRow``)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from portfolio.tables import BaseTable

# Shown where there is nothing to count yet.
NONE = "\N{EN DASH}"
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def _share(on_time: int, counted: int, percent: Any) -> str:
    if not counted:
        return NONE
    return f"{on_time} of {counted} ({percent}%)"


class TimelinessTable(BaseTable):
    award_number = tables.Column(verbose_name="Grant", attrs={"td": {"class": "text-nowrap"}})
    grantee = tables.Column(verbose_name="Grantee")
    officer = tables.Column(verbose_name="Program officer", attrs=WIDE_ONLY)
    # Sorted by the percentage; the cell also shows the counts it comes from.
    reports = tables.Column(
        verbose_name="Reports on time", accessor="reports_percent", attrs=NUM, default=NONE
    )
    deliverables = tables.Column(
        verbose_name="Deliverables on time", accessor="deliverables_percent", attrs=NUM, default=NONE
    )
    median_days_late = tables.Column(verbose_name="Median days late", attrs=NUM, default=NONE)
    median_review_days = tables.Column(verbose_name="Median review days", attrs=NUM, default=NONE)

    class Meta(BaseTable.Meta):
        order_by = ("award_number",)
        empty_text = "No grants match these filters."
        row_attrs = {"data-testid": lambda record: f"timeliness-{record.award_number}"}

    def render_award_number(self, record: Any) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("grants:grant_detail", args=[record.grant_id]), record.award_number
        )

    def render_reports(self, record: Any) -> str:
        t = record.timeliness
        return _share(t.reports_on_time, t.reports_counted, t.reports_on_time_percent)

    def render_deliverables(self, record: Any) -> str:
        t = record.timeliness
        return _share(t.deliverables_on_time, t.deliverables_counted, t.deliverables_on_time_percent)
