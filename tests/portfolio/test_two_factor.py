"""Two-factor authentication (django-otp): required for office staff, optional for grantees.

The suite's settings switch enforcement off (force_login has no second step); every test here switches it on.
"""

from __future__ import annotations

import time
from base64 import b32decode
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portfolio.security import services
from portfolio.security.forms import WRONG_CODE
from portfolio.security.views import SETUP_KEY
from tests.factories import PASSWORD

SETUP = reverse("security:two_factor_setup")
VERIFY = reverse("security:two_factor_verify")
SECURITY = reverse("security:security")


@pytest.fixture(autouse=True)
def two_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.REQUIRE_2FA = True


def code_for(key: str, *, offset_steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows for the hex ``key`` now (or some 30-second steps later)."""
    return f"{_at(key, offset_steps):06d}"


def _at(key: str, offset_steps: int) -> int:
    generator = TOTP(bytes.fromhex(key))
    generator.time = time.time() + 30 * offset_steps
    return generator.token()


def wrong_code_for(key: str) -> str:
    """A 6-digit code valid at none of the steps the server accepts (now, one before, one after)."""
    valid = {_at(key, step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1, 1_000_000) if n not in valid)


def sign_in_with_password(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return client


def give_authenticator(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return services.totp_device_create(user=user, key=services.new_totp_key(), time_step=0, actor=user)


# --- who must use it --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "manager", "admin_user"])
def test_office_staff_without_a_device_are_sent_to_set_up_before_any_page(request, persona):
    user = request.getfixturevalue(persona)
    client = sign_in_with_password(user)
    for path in ("/", reverse("grants:grant_list"), SECURITY, "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next={quote(path)}"


def test_grantee_without_a_device_signs_in_with_the_password_only(grantee_a):
    client = sign_in_with_password(grantee_a)
    assert client.get("/").status_code == 200
    # The devices are looked up once per session, not on every page.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "otp_" in q["sql"]]


def test_enforcement_switch_off_lets_staff_in_without_a_device(settings, officer):
    settings.REQUIRE_2FA = False
    client = sign_in_with_password(officer)
    assert client.get("/").status_code == 200


def test_sign_in_pages_password_reset_and_health_stay_reachable_before_the_second_step(officer):
    give_authenticator(officer)
    client = sign_in_with_password(officer)
    assert client.get(VERIFY).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("health-live")).status_code == 200
    assert client.get("/").status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


# --- setting up an authenticator ------------------------------------------------------------------


def test_set_up_page_draws_the_qr_code_as_inline_svg_and_shows_the_key(officer):
    client = sign_in_with_password(officer)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    key = client.session[SETUP_KEY]
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg  # the Content Security Policy forbids style attributes
    assert 'data-testid="totp-secret"' in html
    shown = response.context["secret"].replace(" ", "")
    assert b32decode(shown + "=" * (-len(shown) % 8)).hex() == key
    # Nothing is stored until a code confirms it.
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_first_code_turns_two_factor_on_and_shows_ten_backup_codes_once(officer):
    client = sign_in_with_password(officer)
    client.get(f"{SETUP}?next=/grants/")
    key = client.session[SETUP_KEY]
    response = client.post(SETUP, {"code": code_for(key), "next": "/grants/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:two_factor_backup_codes"))

    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == key
    page = client.get(response["Location"])
    codes = page.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(
        codes
    )
    assert page.context["next"] == "/grants/"
    # Shown once: the page does not draw them again.
    again = client.get(reverse("security:two_factor_backup_codes"))
    assert again.status_code == 302 and again["Location"] == SECURITY
    # This session is verified: pages open.
    assert client.get("/").status_code == 200


def test_a_wrong_first_code_is_refused_and_stores_nothing(officer):
    client = sign_in_with_password(officer)
    client.get(SETUP)
    key = client.session[SETUP_KEY]
    response = client.post(SETUP, {"code": wrong_code_for(key)})
    assert response.status_code == 200
    assert "That code does not match" in response.context["form"].errors["code"][0]
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    # The same key is kept, so the app the person has already set up still fits.
    assert client.session[SETUP_KEY] == key


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_a_malformed_first_code_is_refused_with_a_message(officer, code):
    client = sign_in_with_password(officer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] in (
        ["Enter the code."],
        ["Enter the 6 digits your authenticator app shows."],
    )
    assert not TOTPDevice.objects.exists()


def test_someone_with_only_the_password_cannot_add_an_authenticator_to_an_account_that_has_one(officer):
    give_authenticator(officer)
    client = sign_in_with_password(officer)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(SETUP, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=officer).count() == 1


# --- the second step ------------------------------------------------------------------------------


def test_a_user_with_a_device_enters_a_code_before_any_page_and_then_reaches_it(officer):
    device = give_authenticator(officer)
    client = sign_in_with_password(officer)
    response = client.get("/grants/")
    assert response["Location"] == f"{VERIFY}?next=/grants/"
    response = client.post(VERIFY, {"code": code_for(device.key), "next": "/grants/"})
    assert response.status_code == 302 and response["Location"] == "/grants/"
    assert client.get("/grants/").status_code == 200


def test_the_same_code_cannot_be_used_twice(officer):
    device = give_authenticator(officer)
    code = code_for(device.key)
    first = sign_in_with_password(officer)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = sign_in_with_password(officer)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [WRONG_CODE]


def test_a_wrong_code_is_refused_and_the_next_try_is_throttled(officer):
    device = give_authenticator(officer)
    client = sign_in_with_password(officer)
    response = client.post(VERIFY, {"code": wrong_code_for(device.key)})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [WRONG_CODE]
    # django-otp's back-off: straight after a failure even the right code is refused, with the wait.
    response = client.post(VERIFY, {"code": code_for(device.key)})
    assert response.status_code == 200
    assert response.context["form"].errors["code"][0].startswith("Too many wrong codes: wait")
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_backup_code_signs_in_once(officer):
    give_authenticator(officer)
    codes = services.backup_codes_regenerate(user=officer, actor=officer).codes
    client = sign_in_with_password(officer)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 left" in response.content.decode()
    other = sign_in_with_password(officer)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.context["form"].errors["code"] == [WRONG_CODE]


def test_next_pointing_off_site_is_ignored(officer):
    device = give_authenticator(officer)
    client = sign_in_with_password(officer)
    response = client.post(VERIFY, {"code": code_for(device.key), "next": "https://evil.example.org/"})
    assert response["Location"] == "/"


# --- the Security page ------------------------------------------------------------------------------


def test_the_navigation_links_the_users_name_to_the_security_page(client_for, grantee_a):
    html = client_for(grantee_a).get("/").content.decode()
    assert f'href="{SECURITY}" data-testid="current-user"' in html


def test_grantee_turns_two_factor_on_from_the_security_page_and_off_again(grantee_a):
    client = sign_in_with_password(grantee_a)
    page = client.get(SECURITY)
    assert "Off: you sign in with your password only." in page.content.decode()
    client.get(SETUP)
    client.post(SETUP, {"code": code_for(client.session[SETUP_KEY])})
    page = client.get(SECURITY)
    assert page.context["authenticators"] and page.context["backup_codes_left"] == 10
    device = page.context["authenticators"][0]
    # Grantees may remove it without a code (two-factor is optional for them); the backup codes go too.
    response = client.post(reverse("security:authenticator_remove", args=[device.pk]))
    assert response["Location"] == SECURITY
    assert not TOTPDevice.objects.filter(user=grantee_a).exists()
    assert not StaticDevice.objects.filter(user=grantee_a).exists()
    assert client.get("/").status_code == 200


def test_a_grantee_with_a_device_must_enter_a_code_too(grantee_a):
    give_authenticator(grantee_a)
    client = sign_in_with_password(grantee_a)
    assert client.get("/")["Location"].startswith(VERIFY)


def verified_client(user) -> tuple[Client, TOTPDevice]:  # type: ignore[no-untyped-def]
    device = give_authenticator(user)
    client = sign_in_with_password(user)
    assert client.post(VERIFY, {"code": code_for(device.key)}).status_code == 302
    return client, device


def test_staff_need_a_valid_code_to_remove_their_authenticator(officer):
    client, device = verified_client(officer)
    url = reverse("security:authenticator_remove", args=[device.pk])
    response = client.post(url, {"remove-code": ""})
    assert response.status_code == 200
    assert response.context["remove_form"].errors["code"] == ["Enter the code."]
    assert 'data-testid="error-remove-code"' in response.content.decode()
    response = client.post(url, {"remove-code": "12345678"})
    assert response.context["remove_form"].errors["code"] == [WRONG_CODE]
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    backup = services.backup_codes_regenerate(user=officer, actor=officer).codes[0]
    response = client.post(url, {"remove-code": backup})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=officer).exists()
    # Without a device the next page sends them to set up a new one.
    assert client.get("/")["Location"].startswith(SETUP)


def test_nobody_can_remove_another_persons_authenticator(officer, other_officer):
    client, _ = verified_client(officer)
    theirs = give_authenticator(other_officer)
    response = client.post(reverse("security:authenticator_remove", args=[theirs.pk]), {"remove-code": "x"})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_removing_needs_post(officer):
    client, device = verified_client(officer)
    assert client.get(reverse("security:authenticator_remove", args=[device.pk])).status_code == 405
    assert client.get(reverse("security:backup_codes_regenerate")).status_code == 405


def test_new_backup_codes_replace_the_old_ones_and_are_shown_once(officer):
    client, _ = verified_client(officer)
    old = set(services.backup_codes_regenerate(user=officer, actor=officer).codes)
    response = client.post(reverse("security:backup_codes_regenerate"), follow=True)
    new = set(response.context["codes"])
    assert len(new) == 10 and not old & new
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == new


def test_backup_codes_cannot_be_made_without_an_authenticator(grantee_a):
    client = sign_in_with_password(grantee_a)
    response = client.post(reverse("security:backup_codes_regenerate"), follow=True)
    assert "Set up an authenticator app first" in response.content.decode()
    assert not StaticToken.objects.exists()


def test_security_page_needs_sign_in(client):
    response = client.get(SECURITY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
