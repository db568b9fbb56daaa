"""The Django admin is for administrators and reference data; grants change only through the app's screens."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from grants.models import Theme, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:grants_theme_changelist",
        "admin:grants_targetgroup_changelist",
        "admin:grants_organisation_changelist",
        "admin:grants_user_changelist",
        "admin:grants_grant_changelist",
        "admin:grants_milestone_changelist",
    ],
)
def test_admin_pages_open_for_administrators(client_for, admin_user, world, name):
    assert client_for(admin_user).get(reverse(name)).status_code == 200


def test_administrator_adds_a_theme(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:grants_theme_add"),
        {"code": "social-protection", "name": "Social protection", "sort_order": 9},
    )
    assert response.status_code == 302
    assert Theme.objects.filter(code="social-protection").exists()


def test_grants_are_read_only_in_the_admin(client_for, admin_user, world):
    url = reverse("admin:grants_grant_change", args=[world.grant_a.pk])
    response = client_for(admin_user).post(url, {"title": "Changed behind the trail"})
    assert response.status_code == 403
    world.grant_a.refresh_from_db()
    assert world.grant_a.title != "Changed behind the trail"


@pytest.mark.parametrize("persona", ["officer", "manager", "grantee_a"])
def test_non_staff_are_sent_to_the_admin_login(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("admin:grants_theme_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_grantee_must_belong_to_an_organisation_and_staff_to_none(org_a):
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="lost", role=User.Role.GRANTEE)
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="mixed", role=User.Role.MANAGER, organisation=org_a)
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="norole", role="")


def test_createsuperuser_makes_an_administrator(db):
    user = User.objects.create_superuser("root", "root@example.org", "a-long-password-123")
    assert user.role == User.Role.ADMIN and user.is_administrator


def test_login_is_required_everywhere(client):
    for url in [reverse("dashboard"), reverse("grants:grant_list"), reverse("grants:milestone_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_page_signs_in_and_rejects_a_wrong_password(client, officer):
    bad = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    assert bad.status_code == 200
    assert "Please enter a correct username and password" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "officer", "password": "correct-horse-battery"})
    assert good.status_code == 302 and good["Location"] == reverse("dashboard")


def test_not_found_and_forbidden_pages_keep_the_navigation(client_for, grantee_a, other_officer, world):
    missing = client_for(grantee_a).get(world.milestone_b.get_absolute_url())
    assert missing.status_code == 404
    assert "Not found" in missing.content.decode() and 'aria-label="Main"' in missing.content.decode()
    assert world.milestone_b.title not in missing.content.decode()
    forbidden = client_for(other_officer).get(reverse("grants:milestone_update", args=[world.milestone_a.pk]))
    assert forbidden.status_code == 403
    assert (
        "Only the grant&#x27;s program officer or an administrator can change this."
        in forbidden.content.decode()
    )
