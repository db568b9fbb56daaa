"""Signing in through the real login form in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

ROLES = [
    ("officer", "Program officer"),
    ("manager", "Manager"),
    ("admin_user", "Administrator"),
    ("grantee_a", "Grantee"),
    ("grantee_b", "Grantee"),
]


@pytest.mark.parametrize(("persona", "role_label"), ROLES)
def test_every_role_signs_in_and_sees_its_name_in_the_nav(
    request, logged_in_page, live_server, persona, role_label
):
    user = request.getfixturevalue(persona)
    page = logged_in_page(user)
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/$"))
    current = page.get_by_test_id("current-user")
    expect(current).to_contain_text(user.get_full_name())
    expect(current).to_contain_text(role_label)
    if user.organisation_id:
        expect(current).to_contain_text(user.organisation.short_name)


def test_wrong_password_shows_the_login_error_and_stays_signed_out(officer, login_through_form, live_server):
    page = login_through_form(officer.username, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    # The typed username is kept, the password is not.
    expect(page.get_by_label("Username")).to_have_value(officer.username)
    expect(page.get_by_label("Password")).to_have_value("")
    # Still signed out: the dashboard sends us back to the login page.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
