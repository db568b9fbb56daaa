"""A grant with enough country projects to make an indicator-data upload of a given size, and its template
filled with valid figures, for the upload benchmarks. Call after django.setup() on a migrated database.

Each country project adopts 15 indicators of the library seeded by the migrations (counts by sex and age
band, percentages, money) with their disaggregations: about 110 template rows a project. The figures are
valid: whole numbers, numerators at most their denominators, every total the sum of its cells.
"""

from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.db import transaction
from django_countries import countries

from grants.models import CountryProject, Grant, GrantStatus, Organisation, User
from indicators import services
from indicators.cells import TOTAL
from indicators.models import DataUpload, Indicator, ProjectIndicator, ReportingPeriod, Submission
from indicators.selectors.uploads import template_data
from indicators.workbook.layout import DATA, DATA_SHEET
from indicators.workbook.writer import write_template

CODES = ("E1", "E2", "E3", "E4", "E5", "L1", "L2", "L3", "L4", "L5", "P1", "P2", "P3", "P4", "S1")
GRANTEE = "bench_grantee"


@dataclass
class Portfolio:
    grant: Grant
    period: ReportingPeriod
    projects: list[CountryProject]
    grantee: User
    rows_per_project: int


def rows_per_project() -> int:
    library = Indicator.objects.filter(code__in=CODES).prefetch_related("categories__options")
    return sum(len(ProjectIndicator(indicator=indicator).spec().cell_keys) for indicator in library)


@transaction.atomic
def seed(rows: int) -> Portfolio:
    """One grant with ceil(rows / rows a project) country projects, each adopting the 15 indicators."""
    per_project = rows_per_project()
    organisation = Organisation.objects.create(
        name="Benchmark Foundation", acronym="BENCH", kind=Organisation.Kind.NGO, headquarters_country="US"
    )
    officer = User.objects.create_user(username="bench_officer", role=User.Role.PROGRAM_OFFICER)
    grantee = User.objects.create_user(username=GRANTEE, role=User.Role.GRANTEE, organisation=organisation)
    start, end = datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)
    grant = Grant.objects.create(
        award_number="IL-99999-24-75-K",
        title="Benchmark grant",
        grantee=organisation,
        program_officer=officer,
        start_date=start,
        end_date=end,
        original_end_date=end,
        obligated_amount=Decimal("5000000.00"),
        original_obligated_amount=Decimal("5000000.00"),
        status=GrantStatus.ACTIVE,
    )
    codes = [country.code for country in countries][: math.ceil(rows / per_project)]
    projects = CountryProject.objects.bulk_create(
        CountryProject(
            grant=grant,
            country=code,
            title=f"Country project {code}",
            budget=Decimal("100000.00"),
            start_date=start,
            end_date=end,
        )
        for code in codes
    )
    projects = list(CountryProject.objects.filter(grant=grant).order_by("country", "pk"))
    library = {i.code: i for i in Indicator.objects.filter(code__in=CODES)}
    ProjectIndicator.objects.bulk_create(
        ProjectIndicator(country_project=project, indicator=library[code], sort_order=order)
        for project in projects
        for order, code in enumerate(CODES)
    )
    services.reporting_periods_generate(grant=grant, actor=officer)
    period = grant.reporting_periods.order_by("start_date").first()
    return Portfolio(grant, period, projects, grantee, per_project)


def template(projects: list[CountryProject], period: ReportingPeriod) -> bytes:
    data = template_data(
        projects=CountryProject.objects.filter(pk__in=[p.pk for p in projects]), period=period
    )
    buffer = io.BytesIO()
    write_template(data, buffer)
    return buffer.getvalue()


def fill_valid(data: bytes) -> bytes:
    """Every input cell of the data sheet with a valid figure; each total the sum of its cells."""
    measures = dict(Indicator.objects.values_list("code", "measure_type"))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[DATA_SHEET]
    columns = {
        key: DATA[key].index for key in ("project", "indicator", "cell", "value", "numerator", "denominator")
    }
    totals: dict[tuple[object, str], int] = {}
    sums: dict[tuple[object, str], list[int]] = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        project, code = row[columns["project"] - 1], row[columns["indicator"] - 1]
        if not code:
            continue
        key = (project, code)
        cell = row[columns["cell"] - 1]
        sums.setdefault(key, [0, 0])
        if cell in (TOTAL, None, "total"):
            totals[key] = number
            continue
        figure = 1 + number % 9
        if measures[code] == "percentage":
            sheet.cell(number, columns["numerator"]).value = figure
            sheet.cell(number, columns["denominator"]).value = figure * 2
            sums[key][0] += figure
            sums[key][1] += figure * 2
        else:
            sheet.cell(number, columns["value"]).value = figure
            sums[key][0] += figure
    for key, number in totals.items():
        numerator, denominator = sums[key]
        if measures[key[1]] == "percentage":
            if not denominator:  # an undisaggregated percentage: 3 of 4
                numerator, denominator = 3, 4
            sheet.cell(number, columns["numerator"]).value = numerator
            sheet.cell(number, columns["denominator"]).value = denominator
        else:
            sheet.cell(number, columns["value"]).value = numerator or 250
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def data_rows(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    count = sum(1 for row in workbook[DATA_SHEET].iter_rows(min_row=2, values_only=True) if row and row[0])
    workbook.close()
    return count


def reset() -> None:
    """Back to the state before any upload: no reports, values, uploads or stored upload files."""
    for upload in DataUpload.objects.all():
        upload.file.delete(save=False)
    with transaction.atomic():
        DataUpload.objects.all().delete()
        Submission.objects.all().delete()  # with their values, transitions and upload links
        Submission.history.all().delete()
