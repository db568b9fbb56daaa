"""Country project screens: who may do what, what bad input shows, and what the project's page costs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.models import CountryProject, TargetGroup
from tests.factories import MilestoneFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

READ_OK, WRITE_OK, FORBIDDEN, NOT_FOUND = "read-ok", "write-ok", 403, 404
# What each persona gets on organisation A's country project (its grant's officer: `officer`).
MATRIX = {
    "officer": (READ_OK, WRITE_OK),
    "admin_user": (READ_OK, WRITE_OK),
    "other_officer": (READ_OK, FORBIDDEN),
    "manager": (READ_OK, FORBIDDEN),
    "grantee_a": (READ_OK, FORBIDDEN),
    "grantee_b": (NOT_FOUND, NOT_FOUND),
}


def _project_data(project: CountryProject | None = None, **overrides) -> dict:
    data = {
        "country": "HN",
        "title": "Safe schools in Honduras",
        "budget": "750000.00",
        "start_date": "2024-01-01",
        "end_date": "2027-12-31",
        "target_regions": "Cortés, Yoro",
    }
    if project is not None:
        data.update(
            country=project.country.code,
            title=project.title,
            budget=str(project.budget),
            start_date=project.start_date.isoformat(),
            end_date=project.end_date.isoformat(),
            target_regions=project.target_regions,
        )
    data.update(overrides)
    return data


def _field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize("persona", MATRIX)
def test_project_access_matrix(request, client_for, world, persona):
    read, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    project = world.project_a
    detail = reverse("grants:project_detail", args=[project.pk])
    edit = reverse("grants:project_update", args=[project.pk])
    create = reverse("grants:project_create", args=[project.grant_id])
    assert client.get(detail).status_code == (200 if read == READ_OK else 404)
    expected_write = 200 if write == WRITE_OK else write
    assert client.get(edit).status_code == expected_write
    assert client.get(create).status_code == expected_write
    response = client.post(edit, _project_data(project, title="Renamed project"))
    assert response.status_code == (302 if write == WRITE_OK else write)
    response = client.post(create, _project_data())
    assert response.status_code == (302 if write == WRITE_OK else write)
    project.refresh_from_db()
    allowed = write == WRITE_OK
    assert (project.title == "Renamed project") == allowed
    assert CountryProject.objects.filter(grant=project.grant, country="HN").exists() == allowed


def test_grantee_gets_404_for_other_organisations_project(client_for, grantee_a, world):
    client = client_for(grantee_a)
    project = world.project_b
    for url in (
        reverse("grants:project_detail", args=[project.pk]),
        reverse("grants:project_update", args=[project.pk]),
        reverse("grants:project_create", args=[project.grant_id]),
        reverse("grants:project_detail", args=[999999]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("grants:project_update", args=[project.pk]), _project_data(project)).status_code
        == 404
    )
    response = client.post(reverse("grants:project_create", args=[project.grant_id]), _project_data())
    assert response.status_code == 404
    assert CountryProject.objects.count() == 2


def test_anonymous_is_sent_to_login(client, world):
    project = world.project_a
    for url in (
        reverse("grants:project_detail", args=[project.pk]),
        reverse("grants:project_update", args=[project.pk]),
        reverse("grants:project_create", args=[project.grant_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_create_defaults_to_grant_period_and_saves_partners_and_groups(client_for, officer, world):
    client = client_for(officer)
    grant = world.grant_a
    url = reverse("grants:project_create", args=[grant.pk])
    form = client.get(url).context["form"]
    assert form["start_date"].value() == grant.start_date and form["end_date"].value() == grant.end_date
    partners = OrganisationFactory.create_batch(2)
    groups = list(TargetGroup.objects.all()[:2])
    data = _project_data(implementing_partners=[p.pk for p in partners], target_groups=[g.pk for g in groups])
    response = client.post(url, data)
    project = CountryProject.objects.get(grant=grant, country="HN")
    assert response["Location"] == project.get_absolute_url()
    assert set(project.implementing_partners.all()) == set(partners)
    assert set(project.target_groups.all()) == set(groups)
    assert project.budget == Decimal("750000.00")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Cortés" in page and partners[0].name in page and groups[0].name in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_date": "2023-06-01"}, "start_date", "Starts before the grant's period of performance"),
        ({"end_date": "2028-06-30"}, "end_date", "Ends after the grant's period of performance"),
        ({"start_date": "2026-01-01", "end_date": "2025-01-01"}, "end_date", "cannot end before it starts"),
        ({"budget": "-1"}, "budget", "The budget cannot be negative."),
        ({"budget": "a lot"}, "budget", "Enter an amount in US dollars"),
        # The world's grant has 5,000,000 obligated and 1,000,000 already budgeted to Guatemala.
        ({"budget": "4000000.01"}, "budget", "at most 4,000,000.00 USD is left"),
        ({"country": "GT"}, "country", "This grant already has a project in that country."),
        ({"country": "XX"}, "country", "Select a valid choice"),
    ],
)
def test_rejected_create_shows_error_next_to_field_and_writes_nothing(
    client_for, officer, world, overrides, field, message
):
    response = client_for(officer).post(
        reverse("grants:project_create", args=[world.grant_a.pk]), _project_data(**overrides)
    )
    errors = _field_errors(response, field)
    assert any(message in e for e in errors), errors
    assert "Nothing was saved" in response.content.decode()
    assert CountryProject.objects.count() == 2


def test_edit_keeps_its_own_country_and_checks_budget(client_for, officer, world):
    client = client_for(officer)
    project = world.project_a
    url = reverse("grants:project_update", args=[project.pk])
    response = client.post(url, _project_data(project, budget="5000000.01"))
    assert any("more than the 5,000,000.00 USD obligated" in e for e in _field_errors(response, "budget"))
    project.refresh_from_db()
    assert project.budget == Decimal("1000000.00")
    response = client.post(url, _project_data(project, budget="5000000.00", title="All of it"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.budget, project.title) == (Decimal("5000000.00"), "All of it")


def test_project_page_lists_milestones_with_overdue_flag_and_log_link(client_for, officer, manager, world):
    today = datetime.date.today()
    project = world.project_a
    MilestoneFactory(
        country_project=project, title="Future report", due_date=today + datetime.timedelta(days=9)
    )
    url = reverse("grants:project_detail", args=[project.pk])
    response = client_for(officer).get(url)
    flags = {m.title: overdue for m, overdue in response.context["milestones"]}
    assert flags == {"Baseline study Guatemala": True, "Future report": False}
    page = response.content.decode()
    assert reverse("grants:milestone_create", args=[project.pk]) in page
    assert reverse("grants:project_update", args=[project.pk]) in page
    assert "Overdue" in page
    page = client_for(manager).get(url).content.decode()
    assert reverse("grants:milestone_create", args=[project.pk]) not in page
    assert reverse("grants:project_update", args=[project.pk]) not in page


def test_project_page_shows_its_history(client_for, officer, world):
    services.country_project_update(project=world.project_a, actor=officer, title="Retitled project")
    response = client_for(officer).get(reverse("grants:project_detail", args=[world.project_a.pk]))
    changes = [(c.field, c.new) for e in response.context["history"] for c in e.changes]
    assert ("Title", "Retitled project") in changes


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_project_page_query_count_does_not_grow_with_milestones(
    client_for, officer, world, django_assert_max_num_queries
):
    client = client_for(officer)
    project = world.project_a
    url = reverse("grants:project_detail", args=[project.pk])
    small = _queries(client, url)
    MilestoneFactory.create_batch(25, country_project=project)
    project.implementing_partners.set(OrganisationFactory.create_batch(4))
    # session, user, project + grant + grantee + officer, partners, target groups, milestones; history:
    # latest project records, their many-to-many snapshots (2), latest milestone records.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert len(response.context["milestones"]) == 26
    assert _queries(client, url) <= small + 1  # the partner change adds a "record before" lookup
