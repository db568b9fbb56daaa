"""Calendar subscriptions: the list of a person's subscriptions (made from the reporting calendar's filters,
revoked here), and the feed itself, read by calendar apps at its secret address without signing in.

The feed is the .ics download kept current: the same items, in the same scope (the subscription's owner, as
they are now), with the filters kept when it was made and the dates rolling. Whoever has the address reads
it, which is how calendar apps work (Google Calendar's "secret address"): it is shown once, and revoking a
subscription, or deactivating the account, stops it at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from indicators.access import calendar_feeds_of, get_calendar_feed_for_user
from indicators.filters.calendar import SUBSCRIPTION_KEYS
from indicators.services.feeds import (
    FEED_LIMIT,
    calendar_feed_create,
    calendar_feed_for_token,
    calendar_feed_read,
    calendar_feed_revoke,
)
from indicators.views.calendar_views import form_problems, ics_calendar, ics_filter_form, ics_items

# The new address, kept in the maker's session from the POST that made it to the page that shows it once.
_NEW_FEED = "calendar_feed_new"
# How often calendar apps are asked to read a feed again (they may read less often: Google Calendar does).
REFRESH = datetime.timedelta(hours=4)


def feed_url(token: str) -> str:
    # SITE_URL, not the request's host: the address must work from outside, behind the TLS proxy.
    return settings.SITE_URL + reverse("indicators:calendar_feed", args=[token])


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _subscribe(request)
    new = request.session.pop(_NEW_FEED, None)
    feeds = list(calendar_feeds_of(request.user))
    return render(
        request,
        "indicators/calendar_feeds.html",
        {
            "feeds": feeds,
            "new": new,
            "limit": FEED_LIMIT,
            "refresh_hours": REFRESH // datetime.timedelta(hours=1),
        },
    )


def _subscribe(request: HttpRequest) -> HttpResponse:
    """A subscription to the calendar's filters as posted by its Subscribe button (the page's query string)."""
    posted = QueryDict(request.POST.get("query", ""))
    kept = QueryDict(mutable=True)
    for key in SUBSCRIPTION_KEYS:
        values = [value for value in posted.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    # The filters are checked, not run: the items are read when a calendar app reads the feed.
    form = ics_filter_form(request, kept, timezone.localdate())
    if not form.is_valid():
        messages.error(
            request, f"No subscription was made: these filters are not valid ({form_problems(form)})."
        )
        return redirect("indicators:calendar_feeds")
    try:
        new = calendar_feed_create(user=request.user, query=kept.urlencode(), label=form.describe())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:calendar_feeds")
    request.session[_NEW_FEED] = {"id": new.feed.pk, "url": feed_url(new.token), "label": new.feed.label}
    return redirect("indicators:calendar_feeds")


@require_POST
def calendar_feed_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own: another person's subscription is a 404, as if it did not exist.
    feed = get_calendar_feed_for_user(request.user, pk)
    label = feed.label
    calendar_feed_revoke(feed=feed, actor=request.user)
    messages.success(request, f"Revoked “{label}”: calendar apps reading it get nothing from now on.")
    return redirect("indicators:calendar_feeds")


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = calendar_feed_for_token(token)
    if feed is None:
        raise Http404("No calendar subscription at this address.")
    # The owner's scope as it is today: a plain request object carrying their user, for the filter form's
    # choice lists and due_items; the caller's own request has no user (calendar apps do not sign in).
    owner = HttpRequest()
    owner.user = feed.user
    items, _ = ics_items(owner, QueryDict(feed.query), timezone.localdate())
    if items is None:
        # A grant or organisation named in the filters is no longer in the owner's scope.
        return HttpResponse(
            "This subscription's filters name something its owner no longer sees: make a new one from the "
            "reporting calendar.\n",
            status=404,
            content_type="text/plain",
        )
    calendar_feed_read(feed)
    body = ics_calendar(
        items,
        now=timezone.now(),
        base_url=settings.SITE_URL,
        name=f"Reporting calendar · {feed.label}",
        refresh=REFRESH,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # The address is the credential: no shared cache may keep the body, no search engine index it.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
