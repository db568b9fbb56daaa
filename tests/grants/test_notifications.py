"""Notifications: the exactly-once constraint, creating and emailing, reading, preferences, unsubscribing,
and the pages (everyone sees and marks only their own)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import notifications as services
from grants.models import EmailState, Notification, NotificationKind, NotificationPreference, User
from grants.notifications import PlannedNotification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def planned(user: User, key: str = "milestone:1|2025-06-30|before:3", **fields) -> PlannedNotification:
    values = {
        "recipient_id": user.pk,
        "kind": NotificationKind.DUE_SOON,
        "key": key,
        "title": f"Milestone due in 3 days ({key})",
        "body": "IL-11111-24-75-K · Guatemala",
        "url": "/milestones/1/",
    }
    return PlannedNotification(**(values | fields))


def notify(user: User, count: int = 1, **fields) -> list[Notification]:
    return services.notifications_create(planned=[planned(user, f"k{i}", **fields) for i in range(count)])


def unread(user: User) -> int:
    return User.objects.get(pk=user.pk).unread_notifications


# --- model ----------------------------------------------------------------------------------------------------


def test_database_refuses_a_second_notification_with_the_same_key_for_the_same_person(grantee_a, grantee_b):
    Notification.objects.create(recipient=grantee_a, kind="due_soon", key="k", title="t")
    Notification.objects.create(
        recipient=grantee_b, kind="due_soon", key="k", title="t"
    )  # another person: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=grantee_a, kind="overdue", key="k", title="again")


# --- creating -------------------------------------------------------------------------------------------------


def test_create_inserts_new_keys_skips_existing_ones_and_counts_only_the_new_as_unread(grantee_a):
    first = services.notifications_create(planned=[planned(grantee_a, "a"), planned(grantee_a, "b")])
    assert [n.key for n in first] == ["a", "b"]
    assert unread(grantee_a) == 2

    again = services.notifications_create(planned=[planned(grantee_a, "b"), planned(grantee_a, "c")])

    assert [n.key for n in again] == ["c"]
    assert Notification.objects.filter(recipient=grantee_a).count() == 3
    assert unread(grantee_a) == 3


def test_create_with_email_off_or_no_address_records_the_row_as_not_emailed(grantee_a, grantee_b):
    grantee_b.email = ""
    grantee_b.save(update_fields=["email"])
    services.notifications_create(
        planned=[planned(grantee_a, "a", email=False), planned(grantee_a, "b"), planned(grantee_b, "c")]
    )
    states = dict(Notification.objects.values_list("key", "email_state"))
    assert states == {"a": EmailState.OFF, "b": EmailState.PENDING, "c": EmailState.OFF}


def test_email_only_notification_is_recorded_but_not_counted_or_listed(client_for, grantee_a):
    services.notifications_create(planned=[planned(grantee_a, "a", in_app=False)])
    assert Notification.objects.get().email_state == EmailState.PENDING
    assert unread(grantee_a) == 0
    response = client_for(grantee_a).get(reverse("grants:notification_list"))
    assert response.context["notifications"] == []


# --- emailing -------------------------------------------------------------------------------------------------


def test_send_emails_each_pending_notification_once_with_text_html_and_unsubscribe_link(grantee_a, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    notify(grantee_a)

    counts = services.notifications_send_pending()

    assert counts == services.SendCounts(emailed=1, failed=0)
    [message] = mail.outbox
    assert message.to == [grantee_a.email]
    assert message.subject == "Milestone due in 3 days (k0)"
    assert "https://portfolio.example.org/milestones/1/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://portfolio.example.org/milestones/1/"' in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://portfolio.example.org/notifications/unsubscribe/")
    assert unsubscribe.strip("<>") in message.body
    row = Notification.objects.get()
    assert row.email_state == EmailState.SENT
    assert row.emailed_at is not None

    assert services.notifications_send_pending() == services.SendCounts(emailed=0, failed=0)
    assert len(mail.outbox) == 1


def test_send_records_a_failure_with_its_error_and_does_not_retry_it(grantee_a, monkeypatch):
    notify(grantee_a)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    assert services.notifications_send_pending() == services.SendCounts(emailed=0, failed=1)
    row = Notification.objects.get()
    assert row.email_state == EmailState.FAILED
    assert "mail server down" in row.email_error
    monkeypatch.undo()
    assert services.notifications_send_pending() == services.SendCounts(emailed=0, failed=0)
    assert mail.outbox == []


def test_send_skips_a_row_another_run_has_claimed(grantee_a):
    [row] = notify(grantee_a)
    Notification.objects.filter(pk=row.pk).update(email_state=EmailState.SENDING, claimed_at=timezone.now())
    assert services.notifications_send_pending() == services.SendCounts(emailed=0, failed=0)
    assert mail.outbox == []


def test_send_marks_a_long_abandoned_claim_failed_instead_of_sending_it_again(grantee_a):
    [row] = notify(grantee_a)
    long_ago = timezone.now() - services.STALE_CLAIM - datetime.timedelta(minutes=1)
    Notification.objects.filter(pk=row.pk).update(email_state=EmailState.SENDING, claimed_at=long_ago)
    services.notifications_send_pending()
    row.refresh_from_db()
    assert row.email_state == EmailState.FAILED
    assert "interrupted" in row.email_error
    assert mail.outbox == []


# --- reading --------------------------------------------------------------------------------------------------


def test_mark_read_and_mark_all_read_keep_the_unread_count_exact(grantee_a):
    rows = notify(grantee_a, 3)
    services.notification_mark_read(notification=rows[0], actor=grantee_a)
    services.notification_mark_read(notification=rows[0], actor=grantee_a)  # twice: still one less
    assert unread(grantee_a) == 2
    assert services.notifications_mark_all_read(actor=grantee_a) == 2
    assert unread(grantee_a) == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_read_of_someone_elses_notification_is_refused(grantee_a, grantee_b):
    [row] = notify(grantee_a)
    with pytest.raises(services.ValidationError):
        services.notification_mark_read(notification=row, actor=grantee_b)
    assert unread(grantee_a) == 1


# --- pages ----------------------------------------------------------------------------------------------------


PERSONAS = ["officer", "other_officer", "manager", "admin_user", "grantee_a", "grantee_b"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_only_their_own_notifications_newest_first(request, client_for, persona, grantee_b):
    user = request.getfixturevalue(persona)
    stranger = UserFactory(username="stranger")
    services.notifications_create(planned=[planned(stranger, "theirs", title="Not yours")])
    services.notifications_create(planned=[planned(user, "old", title="Older")])
    Notification.objects.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(days=1))
    services.notifications_create(planned=[planned(user, "new", title="Newer")])

    response = client_for(user).get(reverse("grants:notification_list"))

    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == ["Newer", "Older"]
    assert b"Not yours" not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_can_open_someone_elses_notification(request, client_for, persona):
    user = request.getfixturevalue(persona)
    stranger = UserFactory(username="stranger")
    [row] = notify(stranger)
    response = client_for(user).post(reverse("grants:notification_open", args=[row.pk]))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    assert unread(stranger) == 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(client_for, grantee_a):
    [row, _unopened] = notify(grantee_a, 2)
    client = client_for(grantee_a)
    response = client.post(reverse("grants:notification_open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/milestones/1/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert unread(grantee_a) == 1


def test_opening_a_notification_never_redirects_off_site(client_for, grantee_a):
    [row] = notify(grantee_a, url="https://evil.example.com/")
    response = client_for(grantee_a).post(reverse("grants:notification_open", args=[row.pk]))
    assert response["Location"] == reverse("grants:notification_list")


def test_opening_needs_a_post(client_for, grantee_a):
    [row] = notify(grantee_a)
    assert client_for(grantee_a).get(reverse("grants:notification_open", args=[row.pk])).status_code == 405
    assert client_for(grantee_a).get(reverse("grants:notification_mark_all_read")).status_code == 405


def test_mark_all_read_marks_only_the_signed_in_persons(client_for, grantee_a, grantee_b):
    notify(grantee_a, 2)
    notify(grantee_b, 2)
    response = client_for(grantee_a).post(reverse("grants:notification_mark_all_read"), follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert unread(grantee_a) == 0
    assert unread(grantee_b) == 2


@pytest.mark.parametrize(
    "name, args",
    [("notification_list", []), ("notification_preferences", []), ("notification_unsubscribe", ["x"])],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, args):
    response = client.get(reverse(f"grants:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_query_count_does_not_grow_with_rows(client_for, grantee_a, django_assert_max_num_queries):
    notify(grantee_a, 30)
    client = client_for(grantee_a)
    # session, user, count for the paginator, the page's rows, and the grantee's organisation that every page's
    # navigation shows; the unread badge costs none.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("grants:notification_list"))
    assert len(response.context["notifications"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2


def test_navigation_shows_the_unread_count_without_a_query_of_its_own(client_for, grantee_a):
    client = client_for(grantee_a)
    with CaptureQueriesContext(connection) as none_unread:
        page = client.get(reverse("dashboard"))
    assert b'data-testid="unread-count"' not in page.content
    notify(grantee_a, 3)
    cache.clear()  # the home page's timeliness card was cached by the first view
    with CaptureQueriesContext(connection) as three_unread:
        page = client.get(reverse("dashboard"))
    assert 'data-testid="unread-count">3<' in page.content.decode()
    assert len(three_unread) == len(none_unread)


# --- preferences ----------------------------------------------------------------------------------------------


def preference_post(**overrides) -> dict:
    data = {f"{kind}_{c}": "on" for kind in NotificationKind.values for c in ("in_app", "email")}
    data["days_before"] = "14, 3"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_preferences_page_shows_the_office_defaults_to_someone_who_never_chose(
    client_for, grantee_a, settings
):
    settings.REMINDER_DAYS_BEFORE = (10, 2)
    response = client_for(grantee_a).get(reverse("grants:notification_preferences"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["days_before"].value() == "10, 2"
    assert form["overdue_email"].value() is True


def test_preferences_are_saved_for_the_signed_in_person(client_for, grantee_a):
    response = client_for(grantee_a).post(
        reverse("grants:notification_preferences"),
        preference_post(days_before="3,  21", overdue_email=None, digest_in_app=None),
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=grantee_a)
    assert preference.reminder_days_before == (21, 3)
    assert preference.overdue_email is False
    assert preference.overdue_in_app is True
    assert preference.digest_in_app is False


@pytest.mark.parametrize(
    "days, message",
    [
        ("0", "0 days makes no sense here"),
        ("-3", "-3 days makes no sense here"),
        ("400", "400 days makes no sense here"),
        ("x", "“x” is not a whole number of days"),
        ("3, 3", "3 days is listed twice"),
    ],
)
def test_preferences_with_senseless_days_show_why_next_to_the_field_and_change_nothing(
    client_for, grantee_a, days, message
):
    client = client_for(grantee_a)
    response = client.post(reverse("grants:notification_preferences"), preference_post(days_before=days))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["days_before"])
    assert 'data-testid="error-days_before"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_preferences_with_senseless_days_leave_saved_choices_as_they_were(client_for, grantee_a):
    client = client_for(grantee_a)
    client.post(reverse("grants:notification_preferences"), preference_post(days_before="7"))
    client.post(
        reverse("grants:notification_preferences"), preference_post(days_before="7, x", due_soon_email=None)
    )
    preference = NotificationPreference.objects.get(user=grantee_a)
    assert preference.reminder_days_before == (7,)
    assert preference.due_soon_email is True


# --- unsubscribe ----------------------------------------------------------------------------------------------


def unsubscribe_url(user: User, kind: str = "overdue") -> str:
    return reverse(
        "grants:notification_unsubscribe", args=[services.unsubscribe_token(user_id=user.pk, kind=kind)]
    )


def test_unsubscribe_link_turns_that_kind_of_email_off_for_its_owner(client_for, grantee_a):
    client = client_for(grantee_a)
    url = unsubscribe_url(grantee_a)
    page = client.get(url)
    assert page.status_code == 200
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    response = client.post(url, follow=True)
    assert "You will no longer get emails for: after a missed due date." in response.content.decode()
    preference = NotificationPreference.objects.get(user=grantee_a)
    assert preference.overdue_email is False
    assert preference.overdue_in_app is True
    assert preference.due_soon_email is True


def test_someone_elses_unsubscribe_link_shows_a_message_and_changes_nothing(client_for, grantee_a, grantee_b):
    url = unsubscribe_url(grantee_a)
    for method in ("get", "post"):
        response = getattr(client_for(grantee_b), method)(url)
        assert response.status_code == 400
        assert "was sent to someone else; nothing was changed" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_tampered_unsubscribe_link_shows_a_message_and_changes_nothing(client_for, grantee_a):
    token = services.unsubscribe_token(user_id=grantee_a.pk, kind="overdue")
    url = reverse(
        "grants:notification_unsubscribe", args=[token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]]
    )
    response = client_for(grantee_a).post(url)
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_an_expired_unsubscribe_link_shows_a_message_and_changes_nothing(client_for, grantee_a, monkeypatch):
    url = unsubscribe_url(grantee_a)
    monkeypatch.setattr(services, "UNSUBSCRIBE_MAX_AGE", datetime.timedelta(seconds=-1))
    response = client_for(grantee_a).post(url)
    assert response.status_code == 400
    assert "This unsubscribe link has expired" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- admin ----------------------------------------------------------------------------------------------------


def test_administrators_read_notifications_in_the_admin_but_cannot_change_them(
    client_for, admin_user, grantee_a
):
    [row] = notify(grantee_a)
    client = client_for(admin_user)
    response = client.get(reverse("admin:grants_notification_changelist"))
    assert response.status_code == 200
    assert row.title in response.content.decode()
    assert client.get(reverse("admin:grants_notification_add")).status_code == 403
    assert (
        client.post(reverse("admin:grants_notification_delete", args=[row.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Notification.objects.filter(pk=row.pk).exists()
