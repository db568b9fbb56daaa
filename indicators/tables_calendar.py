"""The reporting calendar's list view: one row per due item (``indicators.deadlines.DueItem``)."""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString

from indicators.deadlines import DueItem, DueKind, DueState
from portfolio.tables import BaseTable, DateColumn

# Bootstrap's own colours: the state is also written in the badge, so colour is never the only signal.
STATE_CLASSES = {
    DueState.OVERDUE: "text-bg-danger",
    DueState.DUE_SOON: "text-bg-warning",
    DueState.UPCOMING: "text-bg-secondary",
    DueState.DONE: "text-bg-success",
}
KIND_ABBREVIATIONS = {DueKind.REPORT: "R", DueKind.DELIVERABLE: "D", DueKind.MILESTONE: "M"}

# Secondary columns give way on phones, so the due date, timing, state and title fit without scrolling.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
WIDE_ONLY_NOWRAP = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}


def state_badge(item: DueItem) -> SafeString:
    return format_html(
        '<span class="badge {} calendar-state" data-state="{}">{}</span>',
        STATE_CLASSES[item.state],
        item.state.value,
        item.state.label,
    )


def timing_text(item: DueItem, today: datetime.date) -> str:
    """ "3 days left", "due today", "12 days late", "done on 4 Jun 2025" (late or not, the date says it)."""
    if item.done_on is not None:
        return f"done on {item.done_on.day} {item.done_on:%b %Y}"
    days = (item.due_date - today).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} late"


class CalendarTable(BaseTable):
    due_date = DateColumn(verbose_name="Due", format="j M Y", attrs=NOWRAP)
    timing = tables.Column(verbose_name="Days", accessor="due_date", orderable=False)
    state = tables.Column(verbose_name="State", orderable=False)
    kind = tables.Column(verbose_name="Kind", orderable=False, attrs=WIDE_ONLY)
    title = tables.Column(verbose_name="Title", orderable=False, linkify=lambda record: record.url)
    award_number = tables.Column(verbose_name="Grant", attrs=WIDE_ONLY_NOWRAP)
    country_name = tables.Column(verbose_name="Country", attrs=WIDE_ONLY)
    grantee_name = tables.Column(verbose_name="Grantee", attrs=WIDE_ONLY)
    officer_name = tables.Column(verbose_name="Officer", attrs=WIDE_ONLY)
    status_label = tables.Column(verbose_name="Status", orderable=False, attrs=WIDE_ONLY)

    class Meta(BaseTable.Meta):
        order_by = ("due_date",)
        empty_text = "Nothing is due in these dates with these filters."
        row_attrs = {"data-key": lambda record: record.key}

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def render_timing(self, record: DueItem) -> str:
        text = timing_text(record, self.today)
        if record.state == DueState.OVERDUE:
            return format_html('<span class="text-danger fw-semibold">{}</span>', text)
        return text

    def render_state(self, record: DueItem) -> SafeString:
        return state_badge(record)

    def render_kind(self, record: DueItem) -> str:
        return record.kind.label
