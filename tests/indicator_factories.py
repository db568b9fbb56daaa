"""factory_boy factories for the indicators app. The library (categories, options and the seeded indicators
E1..S2) comes from the data migration; ``library(code)`` fetches one. Objects with rules are built through
the services in tests of those services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from indicators.models import (
    Indicator,
    ProjectIndicator,
    ReportingPeriod,
    Submission,
)
from tests.factories import CountryProjectFactory, GrantFactory, UserFactory


def library(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"X{n}")
    name = factory.Sequence(lambda n: f"Test indicator {n}")
    definition = "A test indicator."
    domain = "education"
    level = "output"
    unit = "people"
    measure_type = "count"
    direction = "increase"
    aggregation = "sum"


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    grant = factory.SubFactory(GrantFactory)
    start_date = datetime.date(2024, 10, 1)
    end_date = datetime.date(2025, 3, 31)
    due_date = factory.LazyAttribute(lambda p: p.end_date + datetime.timedelta(days=30))
    label = factory.LazyAttribute(lambda p: f"{p.start_date:%b %Y} - {p.end_date:%b %Y}")


class ProjectIndicatorFactory(DjangoModelFactory):
    class Meta:
        model = ProjectIndicator

    country_project = factory.SubFactory(CountryProjectFactory)
    indicator = factory.LazyFunction(lambda: library("E1"))
    lop_target = Decimal("1000")
    original_lop_target = factory.SelfAttribute("lop_target")


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    country_project = factory.SubFactory(CountryProjectFactory)
    period = factory.SubFactory(
        ReportingPeriodFactory, grant=factory.SelfAttribute("..country_project.grant")
    )
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")
