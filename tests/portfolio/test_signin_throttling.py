"""Login throttling (django-axes): an account is locked per username AND address after too many failures,
with the sign-in page and a message (HTTP 429), and administrators see and lift the locks.

The suite's settings switch axes off (Client.login() authenticates without a request); these tests switch it
on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portfolio.security.throttling import client_ip
from tests.factories import PASSWORD

LOGIN = reverse("login")
MESSAGE = (
    "Too many failed sign-ins for this account from this address. Try again in 15 minutes or ask an "
    "administrator."
)
OFFICE_IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def throttling_on(settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True


def attempt(user, password: str, *, ip: str = OFFICE_IP, **extra: str):  # type: ignore[no-untyped-def]
    """A sign-in through the form from ``ip``; returns the response (the client keeps any session)."""
    client = Client(REMOTE_ADDR=ip, **extra)
    response = client.post(LOGIN, {"username": user.username, "password": password})
    response.client_used = client
    return response


def lock_out(user, *, ip: str = OFFICE_IP, limit: int = 5):  # type: ignore[no-untyped-def]
    for _ in range(limit - 1):
        assert attempt(user, "wrong-password", ip=ip).status_code == 200
    return attempt(user, "wrong-password", ip=ip)


def test_the_failure_limit_and_cool_off_come_from_settings(settings):
    # PORTFOLIO_LOGIN_FAILURE_LIMIT and PORTFOLIO_LOGIN_COOLOFF_MINUTES, at their defaults here.
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_COOLOFF_MINUTES == 15
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_usual_error(officer):
    response = attempt(officer, "wrong-password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_too_many_failures_lock_the_account_with_the_login_page_and_a_message(officer):
    response = lock_out(officer)
    assert response.status_code == 429
    html = response.content.decode()
    assert MESSAGE in html
    # It is the sign-in page, not an error page: the form, with the username kept, and the reset link.
    assert 'name="password"' in html and f'value="{officer.username}"' in html
    assert reverse("password_reset") in html
    assert "correct username and password" not in html


def test_a_locked_account_cannot_sign_in_even_with_the_right_password(officer):
    lock_out(officer)
    response = attempt(officer, PASSWORD)
    assert response.status_code == 429
    assert MESSAGE in response.content.decode()
    assert "_auth_user_id" not in response.client_used.session


def test_the_lock_is_per_username_and_address_so_an_office_ip_does_not_lock_everyone(officer, other_officer):
    lock_out(officer)
    # A colleague behind the same address signs in.
    assert attempt(other_officer, PASSWORD).status_code == 302
    # The same person from another address signs in.
    assert attempt(officer, PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_successful_sign_in_clears_the_failures(officer):
    for _ in range(4):
        attempt(officer, "wrong-password")
    assert attempt(officer, PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(officer, "wrong-password").status_code == 200


def test_the_lock_lifts_after_the_cool_off(officer):
    lock_out(officer)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(officer, PASSWORD).status_code == 302


def test_the_message_names_the_configured_cool_off(settings, officer):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_COOLOFF_MINUTES = 60
    settings.AXES_COOLOFF_TIME = 1.0
    response = lock_out(officer, limit=2)
    assert response.status_code == 429
    assert "Try again in 60 minutes" in response.content.decode()


def test_an_administrator_unlocks_an_account_with_axes_reset_username(officer):
    lock_out(officer)
    call_command("axes_reset_username", officer.username)
    assert attempt(officer, PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_unless_behind_a_proxy(settings, officer):
    settings.LOGIN_IP_FROM_FORWARDED_FOR = False
    # Changing the header does not dodge the lock: the address is the connection's.
    for n in range(5):
        response = attempt(officer, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE_IP}


def test_behind_a_proxy_the_client_is_the_right_most_forwarded_address(settings, officer):
    settings.LOGIN_IP_FROM_FORWARDED_FOR = True
    attempt(officer, "wrong-password", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]


@pytest.mark.parametrize(
    ("behind_proxy", "header", "expected"),
    [
        (False, "198.51.100.9", "10.0.0.2"),
        (True, "198.51.100.9", "198.51.100.9"),
        (True, "forged, 198.51.100.9", "198.51.100.9"),
        (True, " , ", "10.0.0.2"),
        (True, None, "10.0.0.2"),
    ],
)
def test_client_ip(settings, behind_proxy, header, expected):
    settings.LOGIN_IP_FROM_FORWARDED_FOR = behind_proxy
    meta = {"REMOTE_ADDR": "10.0.0.2"}
    if header is not None:
        meta["HTTP_X_FORWARDED_FOR"] = header
    assert client_ip(RequestFactory().get("/", **meta)) == expected


# --- the audit in the admin ---------------------------------------------------------------------------


def test_an_administrator_sees_failed_attempts_and_sign_ins_in_the_admin(client_for, admin_user, officer):
    attempt(officer, "wrong-password")
    attempt(officer, PASSWORD)
    assert AccessFailureLog.objects.filter(username=officer.username, ip_address=OFFICE_IP).exists()
    assert AccessLog.objects.filter(username=officer.username, ip_address=OFFICE_IP).exists()
    admin = client_for(admin_user)
    for model in ("accessfailurelog", "accesslog"):
        response = admin.get(reverse(f"admin:axes_{model}_changelist"))
        assert response.status_code == 200
        html = response.content.decode()
        assert officer.username in html and OFFICE_IP in html


def test_an_administrator_sees_a_locked_account_in_access_attempts(client_for, admin_user, officer):
    lock_out(officer)
    response = client_for(admin_user).get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert officer.username in response.content.decode()


@pytest.mark.parametrize("persona", ["officer", "manager", "grantee_a"])
def test_non_administrators_have_no_access_to_the_audit(request, client_for, persona, other_officer):
    attempt(other_officer, "wrong-password")
    user = request.getfixturevalue(persona)
    for model in ("accessfailurelog", "accesslog", "accessattempt"):
        response = client_for(user).get(reverse(f"admin:axes_{model}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
