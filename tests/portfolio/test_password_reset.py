"""Password reset by email: Django's auth views with the app's pages, links to the configured SITE_URL."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

RESET = reverse("password_reset")
SENT_MESSAGE = "If an account exists for that address, we have sent it a link to choose a new password."
NEW_PASSWORD = "a-brand-new-passphrase"


def request_reset(email: str):  # type: ignore[no-untyped-def]
    return Client().post(RESET, {"email": email}, follow=True)


def reset_link(site_url: str) -> str:
    [message] = mail.outbox
    match = re.search(rf"{re.escape(site_url)}(/accounts/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_password_reset(client):
    assert f'href="{RESET}"' in client.get(reverse("login")).content.decode()


def test_reset_pages_are_open_without_signing_in(client):
    assert client.get(RESET).status_code == 200
    assert client.get(reverse("password_reset_done")).status_code == 200
    assert client.get(reverse("password_reset_complete")).status_code == 200


def test_a_known_address_gets_a_link_to_the_site_url_that_sets_a_new_password(settings, officer):
    settings.SITE_URL = "https://portfolio.example.org"
    response = request_reset(officer.email.upper())  # addresses match whatever their case
    assert SENT_MESSAGE in response.content.decode()
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == "Grant Portfolio: choose a new password"
    assert officer.username in message.body

    client = Client()
    form_page = client.get(reset_link(settings.SITE_URL), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    # The link works once.
    again = Client().get(reset_link(settings.SITE_URL), follow=True)
    assert not again.context["validlink"]
    assert "This link does not work any more" in again.content.decode()


def test_an_unknown_address_gets_the_same_message_and_no_email(officer):
    response = request_reset("nobody@example.org")
    assert response.status_code == 200
    assert SENT_MESSAGE in response.content.decode()
    assert mail.outbox == []


def test_a_malformed_address_is_refused_next_to_the_field():
    response = Client().post(RESET, {"email": "not-an-address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert 'data-testid="error-email"' in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "This password is too short. It must contain at least 10 characters."),
        (NEW_PASSWORD, "something-else-entirely", "The two password fields didn\u2019t match."),
        ("password123", "password123", "This password is too common."),
    ],
)
def test_a_weak_or_mismatched_new_password_is_refused_and_the_old_one_kept(
    settings, officer, password1, password2, message
):
    request_reset(officer.email)
    client = Client()
    form_page = client.get(reset_link(settings.SITE_URL), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password1, "new_password2": password2}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors["new_password2"]
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_a_reset_lifts_a_sign_in_lock(settings, officer):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="203.0.113.7").post(reverse("login"), {"username": "officer", "password": "nope"})
    assert AccessAttempt.objects.filter(username="officer").exists()
    request_reset(officer.email)
    client = Client()
    form_page = client.get(reset_link(settings.SITE_URL), follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not AccessAttempt.objects.filter(username="officer").exists()
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("login"), {"username": "officer", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
