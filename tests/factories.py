"""factory_boy factories. Grants and children are built directly (not through services) for speed;
tests of services call the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    Milestone,
    MilestoneCategory,
    MilestoneStatus,
    Organisation,
    User,
)

PASSWORD = "correct-horse-battery"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.NGO
    headquarters_country = "US"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.PROGRAM_OFFICER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class GranteeUserFactory(UserFactory):
    role = User.Role.GRANTEE
    organisation = factory.SubFactory(OrganisationFactory)


class GrantFactory(DjangoModelFactory):
    class Meta:
        model = Grant
        skip_postgeneration_save = True

    award_number = factory.Sequence(lambda n: f"IL-{30000 + n}-24-75-K")
    title = factory.Sequence(lambda n: f"Education and livelihoods for migrant children {n}")
    grantee = factory.SubFactory(OrganisationFactory)
    program_officer = factory.SubFactory(UserFactory)
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    original_end_date = factory.SelfAttribute("end_date")
    obligated_amount = Decimal("5000000.00")
    original_obligated_amount = factory.SelfAttribute("obligated_amount")
    status = GrantStatus.ACTIVE


class CountryProjectFactory(DjangoModelFactory):
    class Meta:
        model = CountryProject
        skip_postgeneration_save = True

    grant = factory.SubFactory(GrantFactory)
    country = factory.Iterator(["GT", "HN", "SV", "MX", "KE", "TH", "BD", "PE", "CO"])
    title = factory.LazyAttribute(lambda p: f"Country project {p.country}")
    budget = Decimal("1000000.00")
    start_date = factory.SelfAttribute("grant.start_date")
    end_date = factory.SelfAttribute("grant.end_date")


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    country_project = factory.SubFactory(CountryProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    category = MilestoneCategory.ACTIVITY
    due_date = datetime.date(2025, 6, 30)
    status = MilestoneStatus.PLANNED
