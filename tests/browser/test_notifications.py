"""Notifications in Chromium: a grantee with reminders sees the unread badge, opens the list, follows one to
its milestone and the count drops; a senseless reminder day in the preferences is explained, not saved."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from grants.models import Milestone, NotificationPreference
from indicators.reminders import run_notifications
from tests.factories import MilestoneFactory


def test_grantee_follows_a_reminder_and_the_unread_count_drops(world, grantee_a, logged_in_page, live_server):
    today = timezone.localdate()
    Milestone.objects.filter(pk=world.milestone_a.pk).update(due_date=today + datetime.timedelta(days=3))
    Milestone.objects.filter(pk=world.milestone_b.pk).update(due_date=today)  # organisation B's: not ours
    MilestoneFactory(country_project=world.project_a, title="Work plan Guatemala", due_date=today)
    run_notifications(today=today)

    page = logged_in_page(grantee_a)
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_text(re.compile(r"^2\b"))

    page.get_by_test_id("notifications-link").click()
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(2)
    expect(page.get_by_text("Baseline study Kenya")).to_have_count(0)
    items.filter(has_text="Baseline study Guatemala").get_by_role("button").click()

    expect(page).to_have_url(f"{live_server.url}/milestones/{world.milestone_a.pk}/")
    expect(page.get_by_role("heading", name="Baseline study Guatemala")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text(re.compile(r"^1\b"))

    page.get_by_test_id("notifications-link").click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


def test_preferences_explain_a_senseless_reminder_day_and_save_nothing(
    grantee_a, logged_in_page, live_server
):
    page = logged_in_page(grantee_a)
    page.goto(f"{live_server.url}/notifications/preferences/")
    field = page.get_by_label("Remind me this many days before a due date")
    expect(field).to_have_value("14, 3")
    field.fill("3, 400")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_test_id("error-days_before")).to_contain_text("400 days makes no sense here")
    assert not NotificationPreference.objects.filter(user=grantee_a).exists()

    page.get_by_label("Remind me this many days before a due date").fill("7, 1")
    page.get_by_label("Weekly digest: by email").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("alert")).to_contain_text("Your notification preferences were saved.")
    preference = NotificationPreference.objects.get(user=grantee_a)
    assert preference.reminder_days_before == (7, 1)
    assert preference.digest_email is False
