"""Personas shared by every test: one of each role, and two grantee organisations so that isolation
between organisations is always under test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from grants.models import CountryProject, Grant, Milestone, Organisation, User
from tests.factories import (
    CountryProjectFactory,
    GranteeUserFactory,
    GrantFactory,
    MilestoneFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):  # type: ignore[no-untyped-def]
    """pytest-django's test databases, with their serialized contents kept where every connection sees them.

    setup_databases stores the migrated reference data (indicator library, categories, themes) on the
    connection object for serialized rollback. Once Playwright's sync API runs its event loop in the main
    thread, asgiref's Local hands Django a new connection object without that attribute, and the browser
    tests' serialized rollback silently restores nothing after the previous test's flush. On the class, every
    connection object of the backend has it.
    """
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    return django_db_setup


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: rolled-back tests reuse ids, so a cached page could outlive its
    data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org_a(db) -> Organisation:
    return OrganisationFactory(name="Alianza para la Niñez", acronym="APN")


@pytest.fixture
def org_b(db) -> Organisation:
    return OrganisationFactory(name="Bridges for Migrant Workers", acronym="BMW")


@pytest.fixture
def officer(db) -> User:
    return UserFactory(
        username="officer", first_name="Olivia", last_name="Officer", role=User.Role.PROGRAM_OFFICER
    )


@pytest.fixture
def other_officer(db) -> User:
    return UserFactory(
        username="officer2", first_name="Omar", last_name="Other", role=User.Role.PROGRAM_OFFICER
    )


@pytest.fixture
def manager(db) -> User:
    return UserFactory(username="manager", first_name="Maya", last_name="Manager", role=User.Role.MANAGER)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(
        username="admin",
        first_name="Ada",
        last_name="Admin",
        role=User.Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def grantee_a(org_a) -> User:
    return GranteeUserFactory(username="grantee_a", first_name="Gabriela", organisation=org_a)


@pytest.fixture
def grantee_b(org_b) -> User:
    return GranteeUserFactory(username="grantee_b", first_name="Ben", organisation=org_b)


@dataclass
class World:
    """One grant per organisation, each with a country project and a milestone."""

    grant_a: Grant
    project_a: CountryProject
    milestone_a: Milestone
    grant_b: Grant
    project_b: CountryProject
    milestone_b: Milestone


@pytest.fixture
def world(org_a, org_b, officer, other_officer) -> World:
    grant_a = GrantFactory(grantee=org_a, program_officer=officer, award_number="IL-11111-24-75-K")
    grant_b = GrantFactory(grantee=org_b, program_officer=other_officer, award_number="IL-22222-24-75-K")
    project_a = CountryProjectFactory(grant=grant_a, country="GT")
    project_b = CountryProjectFactory(grant=grant_b, country="KE")
    return World(
        grant_a=grant_a,
        project_a=project_a,
        milestone_a=MilestoneFactory(country_project=project_a, title="Baseline study Guatemala"),
        grant_b=grant_b,
        project_b=project_b,
        milestone_b=MilestoneFactory(country_project=project_b, title="Baseline study Kenya"),
    )


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client signed in as that user."""
    return login
