"""The grant list."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.utils.html import format_html

from grants.models import Grant
from portfolio.tables import BaseTable, DateColumn

# Secondary columns give way on phones, so award, grantee, status and amount fit without scrolling far.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
LARGE_ONLY = {"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}}
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def grant_status_badge(grant: Grant) -> str:
    # Same markup as templates/includes/status_badge.html; colours per status live in portfolio.css.
    return format_html(
        '<span class="badge badge-status grant-status-{}">{}</span>', grant.status, grant.get_status_display()
    )


class GrantTable(BaseTable):
    award_number = tables.Column(verbose_name="Award number")
    title = tables.Column(attrs=WIDE_ONLY)
    grantee = tables.Column(verbose_name="Grantee", accessor="grantee__name", order_by="grantee__name")
    program_officer = tables.Column(
        verbose_name="Officer",
        order_by=("program_officer__last_name", "program_officer__first_name"),
        attrs=LARGE_ONLY,
    )
    status = tables.Column()
    countries = tables.Column(empty_values=(), order_by=("first_country",), attrs=WIDE_ONLY)
    obligated_amount = tables.Column(verbose_name="Obligated (USD)", attrs=NUM)
    end_date = DateColumn(
        verbose_name="Ends",
        format="j M Y",
        attrs={
            "th": {"class": "d-none d-md-table-cell"},
            "td": {"class": "d-none d-md-table-cell text-nowrap"},
        },
    )

    class Meta(BaseTable.Meta):
        model = Grant
        fields = ()
        sequence = (
            "award_number",
            "title",
            "grantee",
            "program_officer",
            "status",
            "countries",
            "obligated_amount",
            "end_date",
        )
        order_by = ("award_number",)
        empty_text = "No grants match these filters."

    def render_award_number(self, record: Grant) -> str:
        # On phones the title column gives way; the title then shows, small, under the award number.
        return format_html(
            '<a class="text-nowrap" href="{}">{}</a><span class="d-block d-md-none small text-secondary">{}</span>',
            self.object_url("grants:grant_detail", record.pk),  # record.get_absolute_url(), reversed once
            record.award_number,
            record.title,
        )

    def render_grantee(self, record: Grant) -> str:
        return format_html('<span title="{}">{}</span>', record.grantee.name, record.grantee.short_name)

    def render_status(self, record: Grant) -> str:
        return grant_status_badge(record)

    def render_countries(self, record: Grant) -> str:
        # countries_of(record), with each name looked up once per table.
        return ", ".join(self.country_name(project.country) for project in record.project_countries) or "—"

    def render_obligated_amount(self, value: Decimal) -> str:
        return f"{value:,.2f}"
