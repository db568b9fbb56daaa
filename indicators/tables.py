"""Tables of the indicators lists: the review queue."""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from indicators.models import Submission, SubmissionStatus
from portfolio.tables import BaseTable, DateTimeColumn

# Secondary columns give way on phones, so grant, period, status, waiting time and the link fit.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def days_waiting(submission: Submission, today: datetime.date) -> int | None:
    """Days since the report was sent for review, while it waits; None once it is no longer waiting."""
    if submission.status != SubmissionStatus.SUBMITTED or submission.submitted_at is None:
        return None
    return (today - timezone.localtime(submission.submitted_at).date()).days


class ReviewQueueTable(BaseTable):
    award_number = tables.Column(
        verbose_name="Grant",
        accessor="country_project__grant__award_number",
        linkify=lambda record: record.country_project.grant.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    grantee = tables.Column(
        verbose_name="Grantee",
        accessor="country_project__grant__grantee__name",
        order_by="country_project__grant__grantee__name",
        attrs=WIDE_ONLY,
    )
    # The accessor is the project, not its CountryField, so tables2 does not normalise the country choices.
    country = tables.Column(
        verbose_name="Country",
        accessor="country_project",
        order_by="country_project__country",
        attrs=WIDE_ONLY,
    )
    # The period links to the review screen too, so on a phone (where the Review button gives way) it is a tap.
    period = tables.Column(
        verbose_name="Period",
        accessor="period__label",
        order_by="period__start_date",
        linkify=lambda record: reverse("indicators:submission_review", args=[record.pk]),
    )
    status = tables.Column()
    submitted_at = DateTimeColumn(
        verbose_name="Submitted",
        format="j M Y",
        attrs={
            "td": {"class": "text-nowrap d-none d-md-table-cell"},
            "th": {"class": "d-none d-md-table-cell"},
        },
    )
    waiting = tables.Column(verbose_name="Days waiting", empty_values=(), orderable=False, attrs=NUM)
    # A header for screen readers only: the column holds one "Review" button a row.
    review = tables.Column(
        verbose_name=format_html('<span class="visually-hidden">{}</span>', "Action"),
        empty_values=(),
        orderable=False,
        attrs=WIDE_ONLY,
    )

    class Meta(BaseTable.Meta):
        model = Submission
        fields = ()
        sequence = (
            "award_number",
            "grantee",
            "country",
            "period",
            "status",
            "submitted_at",
            "waiting",
            "review",
        )
        empty_text = "No reports match these filters."

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def render_grantee(self, record: Submission) -> str:
        grantee = record.country_project.grant.grantee
        return format_html('<span title="{}">{}</span>', grantee.name, grantee.short_name)

    def render_country(self, record: Submission) -> str:
        return self.country_name(record.country_project.country)

    def render_status(self, record: Submission) -> str:
        return format_html(
            '<span class="badge badge-status sub-status-{}">{}</span>',
            record.status,
            record.get_status_display(),
        )

    def render_waiting(self, record: Submission) -> str:
        days = days_waiting(record, self.today)
        if days is None:
            return "—"
        css = "text-danger fw-semibold" if days > 30 else ""
        return format_html('<span class="{}">{}</span>', css, days)

    def render_review(self, record: Submission) -> str:
        url = reverse("indicators:submission_review", args=[record.pk])
        period = record.period.label
        return format_html(
            '<a class="btn btn-outline-primary btn-sm text-nowrap" href="{}" aria-label="Review {} {}">Review</a>',
            url,
            record.country_project.grant.award_number,
            period,
        )
