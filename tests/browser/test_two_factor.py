"""Two-factor sign-in and the lockout message in Chromium, with enforcement and throttling switched on."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

MESSAGE = "Too many failed sign-ins for this account from this address. Try again in 15 minutes"


def code_from_secret(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app would show for the key typed by hand from the page (base32, spaced)."""
    compact = secret.replace(" ", "")
    generator = TOTP(b32decode(compact + "=" * (-len(compact) % 8)))
    generator.time = time.time() + 30 * steps_ahead
    return f"{generator.token():06d}"


def test_officer_sets_up_an_authenticator_and_signs_in_again_with_a_code(
    settings, officer, login_through_form, live_server
):
    settings.REQUIRE_2FA = True
    page = login_through_form(officer.username)
    # Sent to set-up, with the QR code drawn in the page and the key for typing in.
    expect(page).to_have_url(re.compile(r"/account/two-factor/set-up/\?next=/$"))
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-user")).to_contain_text(officer.get_full_name())

    page.get_by_role("button", name="Sign out").click()
    page = login_through_form(officer.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=/$"))
    # The code of the next 30-second step: the one used at set-up cannot be used again.
    page.get_by_label("Code").fill(code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_test_id("current-user").click()
    expect(page.get_by_role("heading", name="Security")).to_be_visible()
    expect(page.get_by_test_id("backup-codes-left")).to_have_text("10 unused backup codes left.")


def test_a_wrong_code_is_refused_with_a_message(settings, officer, login_through_form, live_server):
    settings.REQUIRE_2FA = True
    page = login_through_form(officer.username)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_test_id("error-code")).to_have_text("Enter the 6 digits your authenticator app shows.")
    # The same key is still on the page, so an app already set up from it keeps working.
    expect(page.get_by_test_id("totp-secret")).to_have_text(secret)


def test_a_grantee_signs_in_without_two_factor(settings, grantee_a, logged_in_page, live_server):
    settings.REQUIRE_2FA = True
    page = logged_in_page(grantee_a)
    expect(page).to_have_url(f"{live_server.url}/")


@pytest.mark.parametrize("tries", [5])
def test_a_locked_out_user_sees_the_message_on_the_login_page(
    settings, officer, login_through_form, live_server, tries
):
    settings.AXES_ENABLED = True
    for _ in range(tries - 1):
        page = login_through_form(officer.username, "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    with page.expect_response(lambda r: r.request.method == "POST") as response_info:
        page = login_through_form(officer.username, "not-the-password")
    assert response_info.value.status == 429
    expect(page.get_by_test_id("lockout-message")).to_contain_text(MESSAGE)
    expect(page.get_by_label("Username")).to_have_value(officer.username)
    # The right password does not help until the lock lifts.
    page = login_through_form(officer.username)
    expect(page.get_by_test_id("lockout-message")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
