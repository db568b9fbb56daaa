"""BaseTable writes the same table as stock django-tables2, only faster; its date columns the same text."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from grants.models import Milestone
from grants.selectors.grant_selectors import grant_list
from grants.tables.grant_tables import GrantTable
from grants.tables.milestone_tables import MilestoneTable
from portfolio.tables import BaseTable, DateColumn, DateTimeColumn
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory

STOCK_TEMPLATE = "django_tables2/bootstrap5-responsive.html"


def normalised(html: str) -> str:
    # The Python-written rows leave out the template's indentation between tags, nothing else.
    return re.sub(r">\s+<", "><", html).strip()


def both(table_factory: Any, path: str = "/") -> tuple[str, str]:
    """The table rendered by BaseTable and by the stock template (fresh tables: rendering sets state)."""
    request = RequestFactory().get(path)
    fast = table_factory()
    stock = table_factory()
    stock.template_name = STOCK_TEMPLATE
    fast_html, stock_html = fast.as_html(request), stock.as_html(request)
    assert "<tbody" in fast_html
    # The one difference by design: the scrolling wrapper is focusable, for keyboards (axe's rule
    # scrollable-region-focusable).
    wrapper = '<div class="table-container table-responsive" tabindex="0">'
    assert wrapper in fast_html and "tabindex" not in stock_html
    fast_html = fast_html.replace(wrapper, '<div class="table-container table-responsive">', 1)
    return normalised(fast_html), normalised(stock_html)


@dataclass
class Row:
    name: str
    amount: Decimal | None
    day: datetime.date | None
    at: datetime.datetime | None
    url: str


class ThingTable(BaseTable):
    name = tables.Column(linkify=lambda record: record.url, attrs={"td": {"class": "text-nowrap"}})
    amount = tables.Column(attrs={"td": {"class": "num", "data-value": lambda value: value}})
    localised = tables.Column(accessor="amount", localize=True, empty_values=())
    unlocalised = tables.Column(accessor="amount", localize=False, empty_values=())
    day = DateColumn(format="j M Y")
    short_day = DateColumn(accessor="day")
    at = DateTimeColumn(format="j M Y H:i")
    note = tables.Column(empty_values=(), orderable=False)
    everything = tables.Column(empty_values=(), orderable=False, attrs={"th": {"class": "x"}})
    unreachable = tables.Column(empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        row_attrs = {"data-name": lambda record: record.name}
        order_by = ("name",)
        empty_text = "Nothing <here>."

    def render_note(self, record: Row, value: Any) -> str:
        return format_html("<em>{}</em> & {}", record.name, value)

    def render_everything(self, **kwargs: Any) -> str:
        return f"{kwargs['bound_row'].row_counter} {kwargs['bound_column'].name} <raw>"

    def render_unreachable(self, record: Row, something_else: Any) -> str:
        # tables2 does not call a render method asking for more than a cell offers: the cell shows None.
        raise AssertionError("not called")


ROWS = [
    Row(
        "b & co",
        Decimal("1234567.5"),
        datetime.date(2025, 6, 4),
        datetime.datetime(2025, 6, 4, 23, 30, tzinfo=datetime.UTC),
        "/b/?x=1&y=2",
    ),
    Row("a <tag>", None, None, None, "/a/"),
    Row(mark_safe("<b>safe</b>"), Decimal("0.10"), datetime.date(2024, 1, 31), None, "/c/"),
]


def test_base_table_writes_what_the_stock_template_writes() -> None:
    fast, stock = both(lambda: ThingTable(ROWS))
    assert fast == stock
    assert '<tr data-name="a &lt;tag&gt;" class="odd">' in fast
    assert '<td class="num" data-value="1234567.5">1234567.5</td>' in fast
    assert '<a href="/b/?x=1&amp;y=2">b &amp; co</a>' in fast
    assert "<td >31 Jan 2024</td><td >01/31/2024</td>" in fast


def test_base_table_writes_the_stock_rows_sorted_and_paginated() -> None:
    rows = [Row(f"row {n}", Decimal(n), None, None, f"/{n}/") for n in range(30)]
    fast, stock = both(lambda: ThingTable(rows, order_by="-amount").paginate(page=2, per_page=7))
    assert fast == stock
    assert "row 22" in fast and "row 23" not in fast


def test_base_table_writes_the_stock_empty_text() -> None:
    fast, stock = both(lambda: ThingTable([]))
    assert fast == stock
    assert '<td colspan="10">Nothing &lt;here&gt;.</td>' in fast


def test_date_columns_write_what_tables2_date_columns_write() -> None:
    class Stock(tables.Table):
        day = tables.DateColumn(format="j M Y")
        short_day = tables.DateColumn(accessor="day")
        long_day = tables.DateColumn(accessor="day", short=False)
        at = tables.DateTimeColumn(format="j M Y H:i")
        short_at = tables.DateTimeColumn(accessor="at")

    class Fast(tables.Table):
        day = DateColumn(format="j M Y")
        short_day = DateColumn(accessor="day")
        long_day = DateColumn(accessor="day", short=False)
        at = DateTimeColumn(format="j M Y H:i")
        short_at = DateTimeColumn(accessor="at")

    # Datetimes show in the current time zone, as the template's date filter shows them.
    with timezone.override("America/Guatemala"):
        for row in ROWS:
            stock, fast = Stock([row]).rows[0], Fast([row]).rows[0]
            for name in ("day", "short_day", "long_day", "at", "short_at"):
                assert fast.get_cell(name) == stock.get_cell(name), name
                assert fast.get_cell_value(name) == stock.get_cell_value(name), name
        assert Fast([ROWS[0]]).rows[0].get_cell("at") == "4 Jun 2025 17:30"
        assert Fast([ROWS[1]]).rows[0].get_cell("at") == "—"


@pytest.mark.django_db
def test_grant_table_writes_what_the_stock_template_writes(officer: Any) -> None:
    for n in range(4):
        grant = GrantFactory(program_officer=officer, status=["active", "closed"][n % 2])
        for country in ["GT", "KE", "HN"][: n % 3 + 1]:
            CountryProjectFactory(grant=grant, country=country)
    GrantFactory(program_officer=officer)  # no projects: "—"
    fast, stock = both(lambda: GrantTable(grant_list(user=officer)))
    assert fast == stock
    assert ">Guatemala, Honduras, Kenya</td>" in fast
    assert ">—</td>" in fast


@pytest.mark.django_db
def test_milestone_table_writes_what_the_stock_template_writes(officer: Any) -> None:
    grant = GrantFactory(program_officer=officer)
    project = CountryProjectFactory(grant=grant, country="KE")
    MilestoneFactory(country_project=project, due_date=datetime.date(2025, 1, 10))
    MilestoneFactory(country_project=project, status="completed", completed_on=datetime.date(2025, 2, 1))
    queryset = Milestone.objects.select_related("country_project__grant__grantee")
    today = datetime.date(2025, 3, 1)
    fast, stock = both(lambda: MilestoneTable(queryset, today=today))
    assert fast == stock
    assert ">Kenya</td>" in fast


class LinkedTable(BaseTable):
    # Static ``a`` attributes take the fast link; a URL of None leaves the bare content, as tables2 does.
    name = tables.Column(
        linkify=lambda record: record.url or None, attrs={"a": {"class": "stretched", "data-x": "<&>"}}
    )
    amount = tables.Column(linkify=lambda table, value: f"/amount/{value}/?a=1&b=2", empty_values=())

    class Meta(BaseTable.Meta):
        order_by = ("name",)


def test_base_table_links_write_what_tables2_links_write() -> None:
    rows = [*ROWS, Row("no link", None, None, None, "")]
    fast, stock = both(lambda: LinkedTable(rows))
    assert fast == stock
    assert '<a class="stretched" data-x="&lt;&amp;&gt;" href="/b/?x=1&amp;y=2">b &amp; co</a>' in fast
    assert "<td >no link</td>" in fast
    assert '<a href="/amount/None/?a=1&amp;b=2">None</a>' in fast


@pytest.mark.django_db
def test_object_url_is_what_reverse_writes(officer: Any) -> None:
    grant = GrantFactory(program_officer=officer)
    milestone = MilestoneFactory(country_project=CountryProjectFactory(grant=grant))
    table = BaseTable([])
    for _ in range(2):  # the second call formats the remembered pattern
        assert table.object_url("grants:grant_detail", grant.pk) == grant.get_absolute_url()
        assert table.object_url("grants:milestone_detail", milestone.pk) == milestone.get_absolute_url()


@pytest.mark.django_db
def test_list_tables_link_to_the_models_own_urls(officer: Any) -> None:
    grant = GrantFactory(program_officer=officer)
    milestone = MilestoneFactory(country_project=CountryProjectFactory(grant=grant))
    request = RequestFactory().get("/")
    queryset = Milestone.objects.select_related("country_project__grant__grantee")
    milestones = MilestoneTable(queryset).as_html(request)
    assert f'<a href="{milestone.get_absolute_url()}">{milestone.title}</a>' in milestones
    assert f'<a href="{grant.get_absolute_url()}">{grant.award_number}</a>' in milestones
    grants = GrantTable(grant_list(user=officer)).as_html(request)
    assert f'<a class="text-nowrap" href="{grant.get_absolute_url()}">{grant.award_number}</a>' in grants
