"""The scoping rules every view relies on: who sees which grants, projects, milestones and files."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from grants import access, services
from grants.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _evidence(world, officer):
    return services.evidence_add(
        milestone=world.milestone_b, actor=officer, name="plan.pdf", stream=io.BytesIO(b"%PDF-1.7 x"), size=10
    )


@pytest.mark.parametrize("persona", ["officer", "other_officer", "manager", "admin_user"])
def test_office_staff_see_every_organisations_work(request, world, persona):
    user = request.getfixturevalue(persona)
    assert set(access.grants_visible_to(user)) == {world.grant_a, world.grant_b}
    assert set(access.country_projects_visible_to(user)) == {world.project_a, world.project_b}
    assert set(access.milestones_visible_to(user)) == {world.milestone_a, world.milestone_b}


def test_grantee_sees_only_its_organisations_work(world, grantee_a, other_officer):
    evidence_b = _evidence(world, other_officer)
    assert list(access.grants_visible_to(grantee_a)) == [world.grant_a]
    assert list(access.country_projects_visible_to(grantee_a)) == [world.project_a]
    assert list(access.milestones_visible_to(grantee_a)) == [world.milestone_a]
    assert evidence_b not in access.evidence_visible_to(grantee_a)


@pytest.mark.parametrize(
    ("getter", "attr"),
    [
        (access.get_grant_for_user, "grant_b"),
        (access.get_country_project_for_user, "project_b"),
        (access.get_milestone_for_user, "milestone_b"),
    ],
)
def test_grantee_gets_404_for_other_organisations_objects_and_guessed_ids(world, grantee_a, getter, attr):
    with pytest.raises(Http404):
        getter(grantee_a, getattr(world, attr).pk)
    with pytest.raises(Http404):
        getter(grantee_a, 999999)
    with pytest.raises(Http404):
        getter(grantee_a, "not-a-number")


def test_grantee_gets_404_for_other_organisations_evidence(world, grantee_a, grantee_b, other_officer):
    evidence = _evidence(world, other_officer)
    with pytest.raises(Http404):
        access.get_evidence_for_user(grantee_a, evidence.pk)
    assert access.get_evidence_for_user(grantee_b, evidence.pk) == evidence


def test_write_is_for_the_assigned_officer_and_administrators(
    world, officer, other_officer, manager, admin_user, grantee_a
):
    assert access.get_grant_for_user(officer, world.grant_a.pk, write=True) == world.grant_a
    assert access.get_milestone_for_user(admin_user, world.milestone_a.pk, write=True) == world.milestone_a
    for reader in (other_officer, manager, grantee_a):
        with pytest.raises(PermissionDenied):
            access.get_grant_for_user(reader, world.grant_a.pk, write=True)
        with pytest.raises(PermissionDenied):
            access.get_country_project_for_user(reader, world.project_a.pk, write=True)
        with pytest.raises(PermissionDenied):
            access.get_milestone_for_user(reader, world.milestone_a.pk, write=True)


def test_only_officers_and_administrators_create_grants(officer, manager, admin_user, grantee_a):
    assert access.can_create_grant(officer) and access.can_create_grant(admin_user)
    assert not access.can_create_grant(manager) and not access.can_create_grant(grantee_a)


def test_anonymous_and_orphan_users_see_nothing(world):
    assert not access.grants_visible_to(AnonymousUser()).exists()
    # A grantee whose organisation link is missing (only possible by bypassing the constraint in memory)
    # must fall back to nothing, never to everything.
    orphan = User(username="orphan", role=User.Role.GRANTEE)
    assert not access.grants_visible_to(orphan).exists()


def test_superuser_without_role_flag_is_administrator(db):
    user = UserFactory(username="root", role=User.Role.MANAGER, is_superuser=True)
    assert user.is_administrator
