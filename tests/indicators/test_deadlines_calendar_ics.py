"""The reporting calendar as an iCalendar file (RFC 5545): escaping, line folding, one all-day event per due
item, and the same scope and filters as the calendar pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from indicators.deadlines import DueItem, DueKind, DueState
from indicators.views.calendar_views import ics_calendar, ics_escape, ics_fold
from tests.conftest import login
from tests.indicators import test_calendar_views as calendar_tests
from tests.indicators.test_calendar_views import Items, key

# The calendar pages' frozen today (18 June 2025) and seeded items, shared as fixtures.
today = calendar_tests.today
items = calendar_tests.items

ICS = reverse("indicators:calendar_ics")


def unfold(text: str) -> list[str]:
    """Content lines with RFC 5545 folding undone."""
    return text.replace("\r\n ", "").split("\r\n")


def events(text: str) -> dict[str, dict[str, str]]:
    """{UID: {property (with parameters): value}} of every VEVENT."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found[current["UID"]] = current
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def item(**changes: object) -> DueItem:
    fields = {
        "kind": DueKind.MILESTONE,
        "key": "milestone:7",
        "title": "Site visit",
        "due_date": datetime.date(2025, 6, 10),
        "done_on": None,
        "first_done_on": None,
        "state": DueState.OVERDUE,
        "days_left": -8,
        "status_label": "Planned",
        "url": "/milestones/7/",
        "grant_id": 1,
        "award_number": "IL-11111-24-75-K",
        "project_id": 1,
        "country": "GT",
        "country_name": "Guatemala",
        "grantee_id": 1,
        "grantee_name": "APN",
        "officer_id": 1,
        "officer_name": "Olivia Officer",
    }
    return DueItem(**{**fields, **changes})


NOW = datetime.datetime(2025, 6, 18, 9, 30, tzinfo=datetime.UTC)


def test_escape_covers_backslash_semicolon_comma_and_newlines():
    assert ics_escape("a\\b; c, d\ne\r\nf") == "a\\\\b\\; c\\, d\\ne\\nf"


def test_fold_keeps_every_line_within_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "Niñez " * 40
    folded = ics_fold(line)
    parts = folded.split("\r\n")

    assert len(parts) > 2
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if n else part for n, part in enumerate(parts)) == line
    assert ics_fold("SHORT:line") == "SHORT:line"


def test_calendar_has_one_all_day_event_per_item_with_a_stable_uid():
    text = ics_calendar(
        [item(title="Plan; review, sign\\off"), item(key="report:3:9", kind=DueKind.REPORT, title="Report")],
        now=NOW,
        base_url="https://portfolio.example.org",
    )

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    found = events(text)
    assert set(found) == {"milestone:7@portfolio", "report:3:9@portfolio"}
    event = found["milestone:7@portfolio"]
    assert event["DTSTART;VALUE=DATE"] == "20250610"
    assert event["DTEND;VALUE=DATE"] == "20250611"
    assert event["DTSTAMP"] == "20250618T093000Z"
    assert event["SUMMARY"] == "Plan\\; review\\, sign\\\\off (IL-11111-24-75-K\\, GT)"
    assert event["URL"] == "https://portfolio.example.org/milestones/7/"
    assert event["DESCRIPTION"] == (
        "Milestone · Overdue · Status: Planned\\nIL-11111-24-75-K · Guatemala · APN\\n"
        "Program officer: Olivia Officer"
    )
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))


def test_ics_download_lists_the_users_items_from_a_year_back(world, items: Items, officer):
    response = login(officer).get(ICS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reporting-calendar-2025-06-18.ics"'
    found = events(response.content.decode())
    assert f"{key(items.overdue)}@portfolio" in found
    assert f"{key(items.upcoming)}@portfolio" in found
    event = found[f"{key(items.overdue)}@portfolio"]
    assert event["URL"] == f"http://testserver/milestones/{items.overdue.pk}/"
    assert event["DESCRIPTION"].startswith("Milestone · Overdue · Status: Planned")


def test_ics_follows_the_calendar_filters(world, items: Items, officer):
    found = events(login(officer).get(ICS, {"country": "KE", "state": "overdue"}).content.decode())

    assert set(found) == {f"{key(items.b_overdue)}@portfolio"}


def test_ics_of_a_grantee_holds_only_their_organisations_items(world, items: Items, grantee_a, org_b):
    client = login(grantee_a)
    mine = events(client.get(ICS).content.decode())
    asking_for_b = events(client.get(ICS, {"grantee": org_b.pk}).content.decode())

    assert len(mine) == 5
    assert f"{key(items.b_overdue)}@portfolio" not in mine
    assert asking_for_b == mine
    assert client.get(ICS, {"grant": world.grant_b.pk}).status_code == 400


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "invoice"}, "kind: Select a valid choice. invoice is not one of the available choices."),
        ({"start": "2025-07-01", "end": "2025-06-01"}, "end: “To” must be on or after “From”."),
    ],
)
def test_ics_with_invalid_filters_is_a_400_saying_why(world, items: Items, officer, params, message):
    response = login(officer).get(ICS, params)

    assert response.status_code == 400
    assert message in response.content.decode()
