"""Calendar subscriptions: made from the calendar's filters, shown once, read by calendar apps without
signing in (in the owner's scope as it is now), revoked by their owner or an administrator."""

from __future__ import annotations

import datetime
import logging
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import CalendarFeed
from indicators.services.feeds import FEED_LIMIT, calendar_feed_create, token_hash
from tests.conftest import login
from tests.indicators import test_calendar_views as calendar_tests
from tests.indicators.test_calendar_views import Items, key
from tests.indicators.test_deadlines_calendar_ics import events, unfold

today = calendar_tests.today
items = calendar_tests.items

FEEDS = reverse("indicators:calendar_feeds")


def subscribe(client: Client, query: str = "") -> str:
    """Press Subscribe with the calendar's query string; the address the next page shows (once)."""
    response = client.post(FEEDS, {"query": query})
    assert response.status_code == 302 and response["Location"] == FEEDS
    page = client.get(FEEDS).content.decode()
    match = re.search(r'data-testid="new-feed-url">([^<]+)</textarea>', page)
    assert match, "the new address is shown"
    return match.group(1)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_subscribing_keeps_the_filters_and_shows_the_address_once(world, items: Items, officer, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    client = login(officer)
    url = subscribe(client, "view=list&start=2025-01-01&country=KE&state=overdue&page=3")

    feed = CalendarFeed.objects.get(user=officer)
    # Dates and page keys are dropped: the feed rolls with time.
    assert feed.query == "state=overdue&country=KE"
    assert feed.label == "All items (overdue) · Kenya"
    assert url.startswith("https://portfolio.example.org/calendar/feed/") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43 and feed.token_hash == token_hash(token) and token not in feed.token_hash
    again = client.get(FEEDS).content.decode()
    assert token not in again and 'data-testid="new-feed"' not in again
    assert "All items (overdue) · Kenya" in again and "not yet" in again


def test_the_feed_is_read_without_signing_in_and_follows_the_filters(world, items: Items, officer):
    url = subscribe(login(officer), "country=KE&state=overdue")
    response = Client().get(path_of(url))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response  # read in place by the app, not saved as a file
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not response.cookies  # no session for a calendar app
    text = response.content.decode()
    assert set(events(text)) == {f"{key(items.b_overdue)}@portfolio"}
    lines = unfold(text)
    assert "X-WR-CALNAME:Reporting calendar · All items (overdue) · Kenya" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT4H" in lines and "X-PUBLISHED-TTL:PT4H" in lines


def test_the_feed_notes_when_it_was_last_read_at_most_hourly(
    world, items: Items, officer, django_assert_num_queries
):
    url = subscribe(login(officer))
    anonymous = Client()
    anonymous.get(path_of(url))
    first = CalendarFeed.objects.get(user=officer).last_read_at
    assert first is not None
    anonymous.get(path_of(url))
    assert CalendarFeed.objects.get(user=officer).last_read_at == first
    CalendarFeed.objects.update(last_read_at=first - datetime.timedelta(hours=2))
    anonymous.get(path_of(url))
    assert CalendarFeed.objects.get(user=officer).last_read_at > first - datetime.timedelta(minutes=1)


def test_a_grantees_feed_holds_only_their_organisations_items(world, items: Items, grantee_a, org_b):
    client = login(grantee_a)
    url = subscribe(client)
    found = events(Client().get(path_of(url)).content.decode())

    assert f"{key(items.overdue)}@portfolio" in found
    assert (
        f"{key(items.b_overdue)}@portfolio" not in found and f"{key(items.b_due_soon)}@portfolio" not in found
    )
    # Another organisation's grant or organisation cannot be subscribed to.
    before = CalendarFeed.objects.count()
    for query in (f"grant={world.grant_b.pk}", f"grantee={org_b.pk}&grant={world.grant_b.pk}"):
        response = client.post(FEEDS, {"query": query}, follow=True)
        assert "No subscription was made: these filters are not valid" in response.content.decode()
    assert CalendarFeed.objects.count() == before


def test_a_grant_calendars_subscription_holds_that_grant(world, items: Items, officer):
    page = login(officer).get(reverse("indicators:grant_calendar", args=[world.grant_a.pk])).content.decode()
    query = re.search(r'name="query" value="([^"]*)"', page).group(1)
    assert query == f"grant={world.grant_a.pk}"
    url = subscribe(login(officer), query)
    found = events(Client().get(path_of(url)).content.decode())

    assert CalendarFeed.objects.get().label == "All items · IL-11111-24-75-K"
    assert f"{key(items.overdue)}@portfolio" in found and f"{key(items.b_overdue)}@portfolio" not in found


@pytest.mark.parametrize("token", ["", "x" * 43, "not-a-token"])
def test_an_unknown_address_is_a_404(world, officer, token):
    subscribe(login(officer))
    assert Client().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_a_revoked_subscription_or_a_deactivated_account_stops_the_feed(world, items: Items, officer, caplog):
    client = login(officer)
    url = subscribe(client)
    assert Client().get(path_of(url)).status_code == 200

    officer.is_active = False
    officer.save()
    assert Client().get(path_of(url)).status_code == 404
    officer.is_active = True
    officer.save()
    assert Client().get(path_of(url)).status_code == 200

    feed = CalendarFeed.objects.get()
    with caplog.at_level(logging.INFO, logger="portfolio.security"):
        response = client.post(reverse("indicators:calendar_feed_revoke", args=[feed.pk]), follow=True)
    assert "Revoked “All items”" in response.content.decode()
    assert f"calendar subscription revoked user={officer.pk} feed={feed.pk} actor={officer.pk}" in caplog.text
    assert not CalendarFeed.objects.exists()
    assert Client().get(path_of(url)).status_code == 404


def test_nobody_sees_or_revokes_another_persons_subscriptions(
    world, officer, other_officer, grantee_a, grantee_b
):
    mine = calendar_feed_create(user=grantee_a, query="", label="Mine").feed
    for other in (grantee_b, other_officer):
        client = login(other)
        assert "Mine" not in client.get(FEEDS).content.decode()
        assert client.post(reverse("indicators:calendar_feed_revoke", args=[mine.pk])).status_code == 404
    assert CalendarFeed.objects.filter(pk=mine.pk).exists()


def test_a_feed_whose_filters_left_the_owners_scope_says_so(world, items: Items, officer, other_officer):
    url = subscribe(login(officer), f"grantee={world.grant_a.grantee_id}")
    feed = CalendarFeed.objects.get()
    # The filters name an officer the owner can no longer choose (here: a made-up id).
    CalendarFeed.objects.filter(pk=feed.pk).update(query="officer=999999")
    response = Client().get(path_of(url))
    assert response.status_code == 404
    assert "no longer sees" in response.content.decode()


def test_a_person_may_have_at_most_the_limit_of_subscriptions(world, officer):
    for i in range(FEED_LIMIT):
        calendar_feed_create(user=officer, query="", label=f"feed {i}")
    response = login(officer).post(FEEDS, {"query": ""}, follow=True)

    assert f"You have {FEED_LIMIT} calendar subscriptions" in response.content.decode()
    assert CalendarFeed.objects.filter(user=officer).count() == FEED_LIMIT


def test_invalid_filters_make_no_subscription_and_say_why(world, officer):
    response = login(officer).post(FEEDS, {"query": "kind=invoice"}, follow=True)

    assert (
        "kind: Select a valid choice. invoice is not one of the available choices."
        in response.content.decode()
    )
    assert not CalendarFeed.objects.exists()


def test_staff_without_the_second_step_are_not_sent_to_it_from_a_feed(world, items: Items, officer, settings):
    settings.REQUIRE_2FA = True
    token = calendar_feed_create(user=officer, query="", label="All items").token
    # A browser holding an unverified staff session (an officer with no authenticator yet) gets the feed at
    # its address, not the two-factor set-up page that every other page sends them to.
    client = login(officer)
    assert client.get(FEEDS).status_code == 302
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_the_feeds_queries_do_not_grow_with_the_items(
    world, items: Items, officer, django_assert_max_num_queries
):
    token = calendar_feed_create(user=officer, query="", label="All items").token
    CalendarFeed.objects.update(last_read_at=timezone.now())
    client = Client()
    with django_assert_max_num_queries(8) as small:
        client.get(f"/calendar/feed/{token}.ics")
    for i in range(30):
        calendar_tests.MilestoneFactory(
            country_project=world.project_a, title=f"m{i}", due_date=calendar_tests.TODAY
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(events(client.get(f"/calendar/feed/{token}.ics").content.decode())) > 30


def test_the_admin_lists_subscriptions_without_their_addresses_and_revokes_with_a_log(
    world, officer, admin_user, caplog
):
    feed = calendar_feed_create(user=officer, query="", label="All items").feed
    client = login(admin_user)
    page = client.get(reverse("admin:indicators_calendarfeed_change", args=[feed.pk])).content.decode()
    assert feed.token_hash not in page
    with caplog.at_level(logging.INFO, logger="portfolio.security"):
        client.post(reverse("admin:indicators_calendarfeed_delete", args=[feed.pk]), {"post": "yes"})
    assert not CalendarFeed.objects.exists()
    assert (
        f"calendar subscription revoked user={officer.pk} feed={feed.pk} actor={admin_user.pk}" in caplog.text
    )


def test_the_security_page_counts_the_users_subscriptions_among_their_credentials(
    world, officer, other_officer
):
    calendar_feed_create(user=other_officer, query="", label="Theirs")
    client = login(officer)
    security = reverse("security:security")
    assert "No calendar subscriptions." in client.get(security).content.decode()
    calendar_feed_create(user=officer, query="", label="Mine")
    calendar_feed_create(user=officer, query="country=GT", label="Mine too")
    page = client.get(security).content.decode()
    assert "2 calendar subscriptions: their addresses read your due dates without signing in." in page
    assert f'href="{FEEDS}"' in page


def test_subscribing_checks_the_filters_without_reading_the_items(world, items: Items, officer):
    client = login(officer)
    with CaptureQueriesContext(connection) as first:
        client.post(FEEDS, {"query": "country=KE"})
    for i in range(30):
        calendar_tests.MilestoneFactory(
            country_project=world.project_b, title=f"m{i}", due_date=calendar_tests.TODAY
        )
    with CaptureQueriesContext(connection) as second:
        client.post(FEEDS, {"query": "country=KE"})
    # No milestone, report or period is read: only sessions, the user, the filters' choices and the write.
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "grants_milestone" not in tables and "indicators_reportingperiod" not in tables
    assert len(second.captured_queries) == len(first.captured_queries)
