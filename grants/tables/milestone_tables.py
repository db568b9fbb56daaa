"""The portfolio-wide milestone list."""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from grants.models import Milestone
from grants.selectors.milestone_selectors import days_overdue
from portfolio.tables import BaseTable, DateColumn

# Secondary columns give way on phones, so due date, title, status and lateness fit without scrolling far.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
WIDE_ONLY_NOWRAP = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}


def status_badge(milestone: Milestone) -> str:
    # The colour per status lives in portfolio.css (.ms-status-*), shared with the detail page and dashboard.
    return format_html(
        '<span class="badge badge-status ms-status-{}">{}</span>',
        milestone.status,
        milestone.get_status_display(),
    )


class MilestoneTable(BaseTable):
    due_date = DateColumn(verbose_name="Due", format="j M Y", attrs={"td": {"class": "text-nowrap"}})
    # The links are formatted from a pattern reversed once per table (BaseTable.object_url), as the
    # models' get_absolute_url would write them.
    title = tables.Column(
        linkify=lambda table, record: table.object_url("grants:milestone_detail", record.pk)
    )
    category = tables.Column(attrs=WIDE_ONLY)
    status = tables.Column()
    award_number = tables.Column(
        verbose_name="Grant",
        accessor="country_project__grant__award_number",
        linkify=lambda table, record: table.object_url(
            "grants:grant_detail", record.country_project.grant_id
        ),
        attrs={"td": {"class": "text-nowrap"}},
    )
    # The accessor is the project, not its CountryField: tables2 would otherwise normalise the 250-country
    # choice list for every row (about 50 ms a page).
    country = tables.Column(
        verbose_name="Country", accessor="country_project", order_by="country_project__country"
    )
    grantee = tables.Column(
        verbose_name="Grantee",
        accessor="country_project__grant__grantee__name",
        order_by="country_project__grant__grantee__name",
        attrs=WIDE_ONLY,
    )
    completed_on = DateColumn(verbose_name="Completed", format="j M Y", attrs=WIDE_ONLY_NOWRAP)
    days_overdue = tables.Column(
        verbose_name="Days overdue",
        empty_values=(),
        orderable=False,
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )

    class Meta(BaseTable.Meta):
        model = Milestone
        fields = ()
        sequence = (
            "due_date",
            "title",
            "category",
            "status",
            "award_number",
            "country",
            "grantee",
            "completed_on",
            "days_overdue",
        )
        order_by = ("due_date",)
        empty_text = "No milestones match these filters."

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def render_status(self, record: Milestone) -> str:
        return status_badge(record)

    def render_country(self, record: Milestone) -> str:
        return self.country_name(record.country_project.country)

    def render_grantee(self, record: Milestone) -> str:
        grantee = record.country_project.grant.grantee
        return format_html('<span title="{}">{}</span>', grantee.name, grantee.short_name)

    def render_days_overdue(self, record: Milestone) -> str:
        days = days_overdue(record, self.today)
        if days > 0:
            return format_html('<span class="text-danger fw-semibold">{}</span>', days)
        return "—"
