"""The reporting calendar pages: the month grid, the list and its exports, the filters, a grant's own calendar,
isolation between organisations, the permission matrix and pinned query counts.

Today is frozen on Wednesday 18 June 2025 (DUE_SOON_DAYS is 30), so each seeded item's state is known:
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import lxml.html
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Milestone, MilestoneCategory, MilestoneStatus
from indicators.models import ReportingPeriod
from tests.conftest import login
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory

TODAY = datetime.date(2025, 6, 18)
CALENDAR = reverse("indicators:calendar")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """timezone.localdate() without arguments returns TODAY (with a value it converts it as before)."""
    real = timezone.localdate

    def localdate(value: datetime.datetime | None = None, timezone: object = None) -> datetime.date:
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@dataclass
class Items:
    due_soon: Milestone  # A, Guatemala, 30 June: 12 days left
    overdue: Milestone  # A, Guatemala, 10 June: 8 days late
    done: Milestone  # A, Guatemala, deliverable due 5 June, completed 3 June
    upcoming: Milestone  # A, Guatemala, deliverable due 20 August
    report: ReportingPeriod  # A, report due 12 June, not started: overdue
    b_due_soon: Milestone  # B, Kenya, 30 June
    b_overdue: Milestone  # B, Kenya, 11 June


def key(milestone: Milestone) -> str:
    return f"milestone:{milestone.pk}"


@pytest.fixture
def items(world, today) -> Items:
    project_a = world.project_a
    Milestone.objects.filter(pk=world.milestone_a.pk).update(due_date=datetime.date(2025, 6, 30))
    Milestone.objects.filter(pk=world.milestone_b.pk).update(due_date=datetime.date(2025, 6, 30))
    return Items(
        due_soon=Milestone.objects.get(pk=world.milestone_a.pk),
        overdue=MilestoneFactory(
            country_project=project_a, title="Site visit Quetzaltenango", due_date=datetime.date(2025, 6, 10)
        ),
        done=MilestoneFactory(
            country_project=project_a,
            title="Work plan 2025",
            category=MilestoneCategory.WORK_PLAN,
            due_date=datetime.date(2025, 6, 5),
            status=MilestoneStatus.COMPLETED,
            completed_on=datetime.date(2025, 6, 3),
        ),
        upcoming=MilestoneFactory(
            country_project=project_a,
            title="Midterm evaluation",
            category=MilestoneCategory.MIDTERM_EVALUATION,
            due_date=datetime.date(2025, 8, 20),
        ),
        report=ReportingPeriodFactory(
            grant=world.grant_a,
            start_date=datetime.date(2024, 10, 1),
            end_date=datetime.date(2025, 3, 31),
            due_date=datetime.date(2025, 6, 12),
        ),
        b_due_soon=Milestone.objects.get(pk=world.milestone_b.pk),
        b_overdue=MilestoneFactory(
            country_project=world.project_b, title="Kenya site visit", due_date=datetime.date(2025, 6, 11)
        ),
    )


def report_key(world, items: Items) -> str:
    return f"report:{world.project_a.pk}:{items.report.pk}"


def html(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def badges(doc: lxml.html.HtmlElement, date: str | None = None) -> dict[str, str]:
    """The month grid's badges (of one day, if given) as {item key: state}."""
    cell = f'[@data-date="{date}"]' if date else ""
    return {a.get("data-key"): a.get("data-state") for a in doc.xpath(f"//td{cell}//a[@data-key]")}


def row_keys(doc: lxml.html.HtmlElement) -> list[str]:
    return [tr.get("data-key") for tr in doc.xpath("//table//tbody/tr[@data-key]")]


def field_errors(doc: lxml.html.HtmlElement, name: str) -> list[str]:
    return [div.text_content().strip() for div in doc.xpath(f'//*[@data-testid="error-{name}"]')]


ALL_YEAR = {"view": "list", "start": "2025-01-01", "end": "2025-12-31"}


# --- Month view -------------------------------------------------------------------------------------------


def test_month_view_puts_each_item_on_its_day_with_its_state(world, items, officer):
    doc = html(login(officer).get(CALENDAR))  # no month: today's month

    assert doc.xpath('//*[@data-testid="calendar-month"]')[0].text_content() == "June 2025"
    assert badges(doc, "2025-06-10") == {key(items.overdue): "overdue"}
    assert badges(doc, "2025-06-05") == {key(items.done): "done"}
    assert badges(doc, "2025-06-12") == {report_key(world, items): "overdue"}
    assert badges(doc, "2025-06-30") == {key(items.due_soon): "due_soon", key(items.b_due_soon): "due_soon"}
    # August's deliverable is not in June.
    assert key(items.upcoming) not in badges(doc)


def test_month_badge_writes_kind_state_title_and_project_and_links_to_the_item(world, items, officer):
    doc = html(login(officer).get(CALENDAR, {"month": "2025-06"}))

    (badge,) = doc.xpath(f'//a[@data-key="{key(items.overdue)}"]')
    text = " ".join(badge.text_content().split())
    assert text == "M · Overdue Site visit Quetzaltenango IL-11111-24-75-K · GT"
    assert "text-bg-danger" in badge.get("class")
    assert badge.get("href") == reverse("grants:milestone_detail", kwargs={"pk": items.overdue.pk})
    (done,) = doc.xpath(f'//a[@data-key="{key(items.done)}"]')
    assert "text-bg-success" in done.get("class")
    assert done.text_content().split()[:3] == ["D", "·", "Done"]


def test_month_view_counts_the_months_items_by_state(world, items, officer):
    doc = html(login(officer).get(CALENDAR, {"month": "2025-06"}))

    counts = [" ".join(b.text_content().split()) for b in doc.xpath('//*[@data-testid="state-counts"]//span')]
    assert counts == ["Upcoming: 0", "Due soon: 2", "Overdue: 3", "Done: 1"]


def test_month_grid_runs_monday_to_sunday_greys_other_months_and_marks_today(world, items, officer):
    doc = html(login(officer).get(CALENDAR, {"month": "2025-06"}))

    headers = [th.text_content().strip() for th in doc.xpath('//table[@data-testid="calendar-grid"]//th')]
    assert headers == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weeks = doc.xpath('//table[@data-testid="calendar-grid"]/tbody/tr')
    # 1 June 2025 is a Sunday: the first week starts on Monday 26 May, the last ends on Sunday 6 July.
    assert len(weeks) == 6
    first_week = weeks[0].xpath("./td")
    assert all("calendar-other-month" in td.get("class") for td in first_week[:6])
    assert first_week[6].get("data-date") == "2025-06-01"
    (today_cell,) = doc.xpath('//td[contains(@class, "calendar-today")]')
    assert today_cell.get("data-date") == "2025-06-18"
    assert today_cell.xpath('.//*[@aria-current="date"]')


def test_another_month_has_no_today_and_shows_its_own_items(world, items, officer):
    doc = html(login(officer).get(CALENDAR, {"month": "2025-08"}))

    assert badges(doc) == {key(items.upcoming): "upcoming"}
    assert not doc.xpath('//td[contains(@class, "calendar-today")]')


def test_a_busy_day_shows_three_items_and_links_the_rest_to_the_list_of_that_day(world, items, officer):
    extra = [
        MilestoneFactory(
            country_project=world.project_a, title=f"Training {n}", due_date=datetime.date(2025, 6, 20)
        )
        for n in range(5)
    ]
    client = login(officer)
    doc = html(client.get(CALENDAR, {"month": "2025-06", "country": "GT"}))

    assert len(badges(doc, "2025-06-20")) == 3
    (more,) = doc.xpath('//a[@data-testid="more-2025-06-20"]')
    assert more.text_content().split()[0] == "+2"
    listing = html(client.get(more.get("href")))
    assert sorted(row_keys(listing)) == sorted(key(m) for m in extra)
    # The country filter came along.
    assert listing.xpath('//select[@name="country"]/option[@selected]')[0].get("value") == "GT"


def test_previous_and_next_month_links_keep_the_filters(world, items, officer):
    doc = html(login(officer).get(CALENDAR, {"month": "2025-01", "country": "GT", "kind": "milestone"}))

    previous = doc.xpath('//a[@data-testid="previous-month"]')[0].get("href")
    following = doc.xpath('//a[@data-testid="next-month"]')[0].get("href")
    assert previous == f"{CALENDAR}?country=GT&kind=milestone&month=2024-12"
    assert following == f"{CALENDAR}?country=GT&kind=milestone&month=2025-02"


# --- List view ----------------------------------------------------------------------------------------------


def test_list_opens_on_thirty_days_back_to_ninety_days_ahead(world, items, officer):
    for day in (datetime.date(2025, 5, 18), datetime.date(2025, 9, 17)):  # -31 and +91 days
        MilestoneFactory(country_project=world.project_a, title=f"Outside {day}", due_date=day)
    inside = [
        MilestoneFactory(country_project=world.project_a, title=f"Inside {day}", due_date=day)
        for day in (datetime.date(2025, 5, 19), datetime.date(2025, 9, 16))  # -30 and +90 days
    ]
    doc = html(login(officer).get(CALENDAR, {"view": "list"}))

    keys = row_keys(doc)
    assert key(inside[0]) == keys[0]
    assert key(inside[1]) == keys[-1]
    assert len(keys) == 9  # the seven seeded items and the two inside
    assert (
        "due 19 May 2025 \u2013 16 Sep 2025"
        in doc.xpath('//*[@data-testid="result-count"]')[0].text_content()
    )


def test_list_of_overdue_items_reaches_back_to_the_oldest_unless_from_is_given(world, items, officer):
    old = MilestoneFactory(
        country_project=world.project_a, title="Late for a year", due_date=datetime.date(2024, 6, 1)
    )
    client = login(officer)
    overdue = html(client.get(CALENDAR, {"view": "list", "state": "overdue"}))
    bounded = html(client.get(CALENDAR, {"view": "list", "state": "overdue", "start": "2025-01-01"}))
    every_state = html(client.get(CALENDAR, {"view": "list"}))

    assert row_keys(overdue)[0] == key(old)
    assert len(row_keys(overdue)) == 4  # and the three overdue in June
    assert overdue.xpath('//input[@name="start"]')[0].get("value") is None
    assert "due up to 16 Sep 2025" in overdue.xpath('//*[@data-testid="result-count"]')[0].text_content()
    assert key(old) not in row_keys(bounded) and len(row_keys(bounded)) == 3
    assert key(old) not in row_keys(every_state)


def test_list_writes_days_left_days_late_and_when_done(world, items, officer):
    doc = html(login(officer).get(CALENDAR, ALL_YEAR))

    def row(item_key: str) -> list[str]:
        (tr,) = doc.xpath(f'//tr[@data-key="{item_key}"]')
        return [" ".join(td.text_content().split()) for td in tr.xpath("./td")]

    assert row(key(items.due_soon))[:3] == ["30 Jun 2025", "12 days left", "Due soon"]
    assert row(key(items.overdue))[:3] == ["10 Jun 2025", "8 days late", "Overdue"]
    assert row(key(items.done))[:3] == ["5 Jun 2025", "done on 3 Jun 2025", "Done"]
    assert row(key(items.upcoming))[:3] == ["20 Aug 2025", "63 days left", "Upcoming"]
    assert row(report_key(world, items)) == [
        "12 Jun 2025",
        "6 days late",
        "Overdue",
        "Indicator report",
        "Report for Oct 2024 - Mar 2025",
        "IL-11111-24-75-K",
        "Guatemala",
        "APN",
        "Olivia Officer",
        "Not started",
    ]
    (link,) = doc.xpath(f'//tr[@data-key="{key(items.overdue)}"]//a')
    assert link.get("href") == reverse("grants:milestone_detail", kwargs={"pk": items.overdue.pk})


def test_list_is_paginated_and_sorts_by_due_date_both_ways(world, items, officer):
    for n in range(25):
        MilestoneFactory(
            country_project=world.project_a,
            title=f"Weekly {n}",
            due_date=datetime.date(2025, 7, 1) + datetime.timedelta(days=n),
        )
    client = login(officer)
    first = row_keys(html(client.get(CALENDAR, ALL_YEAR)))
    second = row_keys(html(client.get(CALENDAR, {**ALL_YEAR, "page": 2})))
    descending = row_keys(html(client.get(CALENDAR, {**ALL_YEAR, "sort": "-due_date"})))

    assert len(first) == 25  # settings.PAGE_SIZE
    assert len(second) == 32 - 25
    assert first[0] == key(items.done)  # 5 June, the earliest
    assert descending[0] == key(items.upcoming)  # 20 August, the latest


def test_list_exports_the_filtered_items_as_csv_and_excel(world, items, officer):
    client = login(officer)
    response = client.get(CALENDAR, {**ALL_YEAR, "country": "GT", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows[0][:5] == ["Due date", "Days", "State", "Kind", "Title"]
    assert [r[4] for r in rows[1:]] == [
        "Work plan 2025",
        "Site visit Quetzaltenango",
        "Report for Oct 2024 - Mar 2025",
        "Baseline study Guatemala",
        "Midterm evaluation",
    ]
    assert rows[2][:3] == ["2025-06-10", "8 days late", "Overdue"]

    response = client.get(CALENDAR, {**ALL_YEAR, "kind": "deliverable", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(v[0].date(), v[4]) for v in values] == [
        (datetime.date(2025, 6, 5), "Work plan 2025"),
        (datetime.date(2025, 8, 20), "Midterm evaluation"),
    ]


def test_unknown_export_format_is_404(world, items, officer):
    assert login(officer).get(CALENDAR, {**ALL_YEAR, "export": "pdf"}).status_code == 404


# --- Filters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "report"}, {"report"}),
        (
            {"kind": ["deliverable", "milestone"]},
            {"done", "upcoming", "overdue", "due_soon", "b_due_soon", "b_overdue"},
        ),
        ({"kind": "deliverable"}, {"done", "upcoming"}),
        ({"state": "overdue"}, {"overdue", "report", "b_overdue"}),
        ({"state": ["done", "upcoming"]}, {"done", "upcoming"}),
        ({"country": "KE"}, {"b_due_soon", "b_overdue"}),
        ({"officer": "other_officer"}, {"b_due_soon", "b_overdue"}),
        ({"grantee": "org_a"}, {"due_soon", "overdue", "done", "upcoming", "report"}),
        ({"grant": "grant_b"}, {"b_due_soon", "b_overdue"}),
    ],
)
def test_list_filters_by_kind_state_country_officer_grantee_and_grant(
    world, items, officer, params, expected, request
):
    resolve = {
        "officer": lambda name: request.getfixturevalue(name).pk,
        "grantee": lambda name: request.getfixturevalue(name).pk,
        "grant": lambda name: getattr(world, name).pk,
    }
    params = {name: resolve[name](value) if name in resolve else value for name, value in params.items()}
    names = {
        key(getattr(items, n)) if n != "report" else report_key(world, items): n
        for n in ("due_soon", "overdue", "done", "upcoming", "report", "b_due_soon", "b_overdue")
    }
    doc = html(login(officer).get(CALENDAR, {**ALL_YEAR, **params}))

    assert {names[k] for k in row_keys(doc)} == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"month": "2025-13"}, "month", "2025-13 is not a month: the month number must be 01 to 12."),
        ({"month": "June"}, "month", "Enter a month as YYYY-MM, for example 2025-06."),
        (
            {"view": "list", "start": "2025-07-01", "end": "2025-06-01"},
            "end",
            "“To” must be on or after “From”.",
        ),
        ({"view": "list", "start": "2025-02-30"}, "start", "Enter a valid date."),
        ({"kind": "invoice"}, "kind", "Select a valid choice. invoice is not one of the available choices."),
        ({"state": "late"}, "state", "Select a valid choice. late is not one of the available choices."),
        ({"country": "FR"}, "country", "Select a valid choice. FR is not one of the available choices."),
    ],
)
def test_invalid_filter_is_explained_next_to_its_field_and_lists_nothing(
    world, items, officer, params, field, message
):
    response = login(officer).get(CALENDAR, params)
    doc = html(response)

    assert field_errors(doc, field) == [message]
    assert doc.xpath('//*[@data-testid="calendar-invalid"]')
    assert not badges(doc) and not row_keys(doc)


def test_filter_choices_offer_only_what_the_user_may_see(world, items, grantee_a):
    doc = html(login(grantee_a).get(CALENDAR))

    assert [o.get("value") for o in doc.xpath('//select[@name="country"]/option')] == ["", "GT"]
    assert [o.text for o in doc.xpath('//select[@name="grant"]/option')] == ["Any grant", "IL-11111-24-75-K"]
    assert [o.text for o in doc.xpath('//select[@name="officer"]/option')] == [
        "Any officer",
        "Olivia Officer",
    ]
    assert not doc.xpath('//select[@name="grantee"]')


# --- Isolation and a grant's calendar ---------------------------------------------------------------------


A_KEYS = {"due_soon", "overdue", "done", "upcoming", "report"}


def test_grantee_sees_only_their_organisations_items_in_month_and_list(world, items, grantee_a):
    client = login(grantee_a)
    month = badges(html(client.get(CALENDAR, {"month": "2025-06"})))
    listing = row_keys(html(client.get(CALENDAR, ALL_YEAR)))

    assert key(items.b_due_soon) not in month and key(items.b_overdue) not in month
    assert key(items.overdue) in month
    assert len(listing) == 5 and key(items.b_overdue) not in listing
    assert "Kenya" not in client.get(CALENDAR, ALL_YEAR).content.decode()


def test_grantee_naming_another_organisation_never_sees_its_items(world, items, grantee_a, org_b):
    client = login(grantee_a)
    # The grantee field does not exist for a grantee: the value is ignored, the scope stays their own.
    by_grantee = row_keys(html(client.get(CALENDAR, {**ALL_YEAR, "grantee": org_b.pk})))
    # Another organisation's grant is not a choice: an error, and nothing listed.
    by_grant = html(client.get(CALENDAR, {**ALL_YEAR, "grant": world.grant_b.pk}))
    exported = client.get(CALENDAR, {**ALL_YEAR, "grantee": org_b.pk, "export": "csv"})

    assert len(by_grantee) == 5 and key(items.b_overdue) not in by_grantee
    assert field_errors(by_grant, "grant")
    assert not row_keys(by_grant)
    assert "Kenya site visit" not in b"".join(exported.streaming_content).decode()


def test_grant_calendar_shows_only_that_grant_and_links_back(world, items, officer):
    url = reverse("indicators:grant_calendar", kwargs={"pk": world.grant_b.pk})
    doc = html(login(officer).get(url, {"month": "2025-06"}))

    assert set(badges(doc)) == {key(items.b_due_soon), key(items.b_overdue)}
    assert doc.xpath(f'//a[@href="{world.grant_b.get_absolute_url()}"]')
    # One grant, one grantee, one officer: only its countries are left to filter by.
    assert not doc.xpath('//select[@name="grant" or @name="grantee" or @name="officer"]')
    assert [o.get("value") for o in doc.xpath('//select[@name="country"]/option')] == ["", "KE"]
    # Its .ics link is scoped to the grant too.
    (ics,) = doc.xpath('//a[starts-with(@href, "/calendar.ics")]')
    assert f"grant={world.grant_b.pk}" in ics.get("href")


def test_grant_calendar_list_keeps_the_grant_scope_whatever_the_query_says(world, items, officer):
    url = reverse("indicators:grant_calendar", kwargs={"pk": world.grant_a.pk})
    keys = row_keys(html(login(officer).get(url, {**ALL_YEAR, "grant": world.grant_b.pk})))

    assert len(keys) == 5 and key(items.b_overdue) not in keys


def test_grant_calendar_of_another_organisations_grant_is_404(world, items, grantee_a):
    client = login(grantee_a)
    assert (
        client.get(reverse("indicators:grant_calendar", kwargs={"pk": world.grant_b.pk})).status_code == 404
    )
    assert client.get(reverse("indicators:grant_calendar", kwargs={"pk": 999999})).status_code == 404
    assert (
        client.get(reverse("indicators:grant_calendar", kwargs={"pk": world.grant_a.pk})).status_code == 200
    )


# --- Permission matrix --------------------------------------------------------------------------------------


def calendar_urls(world) -> list[str]:
    return [
        CALENDAR,
        reverse("indicators:calendar_ics"),
        reverse("indicators:grant_calendar", kwargs={"pk": world.grant_a.pk}),
    ]


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    for url in calendar_urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["officer", "manager", "admin_user", "grantee_a"])
def test_every_role_may_open_the_calendar_and_no_one_may_post(world, items, persona, request):
    client = login(request.getfixturevalue(persona))
    for url in calendar_urls(world):
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405


# --- Query counts -------------------------------------------------------------------------------------------


@pytest.fixture
def big_portfolio(world, items, officer, org_a) -> None:
    """24 more grants of organisation A, each with a project, a reporting period due in June and two
    milestones in June: about 100 items in the month."""
    for n in range(24):
        grant = GrantFactory(grantee=org_a, program_officer=officer)
        project = CountryProjectFactory(grant=grant)
        ReportingPeriodFactory(grant=grant, due_date=datetime.date(2025, 6, 1 + n))
        for day in (3, 17):
            MilestoneFactory(country_project=project, due_date=datetime.date(2025, 6, day))


# Session and user (2), the filter choices: countries, officers, grantees, grants (4), the value checks of the
# officer and grant chosen (2), and due_items' report pairs, submissions and milestones (3).
MONTH_QUERIES = 11
# The same as the month; the table is paginated in Python over the list due_items returned.
LIST_QUERIES = 11


def test_month_view_makes_a_fixed_number_of_queries(
    world, big_portfolio, officer, django_assert_max_num_queries
):
    client = login(officer)
    params = {"month": "2025-06", "officer": officer.pk, "grant": world.grant_a.pk}
    with django_assert_max_num_queries(MONTH_QUERIES):
        doc = html(client.get(CALENDAR, {"month": "2025-06", "officer": officer.pk}))
    # 24 + 48 seeded, and officer's June items of the shared world (report, three milestones).
    assert "76 in all" in doc.xpath('//*[@data-testid="state-counts"]')[0].text_content()
    assert len(badges(doc)) == 32  # three a day at most
    with django_assert_max_num_queries(MONTH_QUERIES):
        html(client.get(CALENDAR, params))


def test_list_view_makes_a_fixed_number_of_queries(
    world, big_portfolio, officer, django_assert_max_num_queries
):
    client = login(officer)
    with django_assert_max_num_queries(LIST_QUERIES):
        doc = html(client.get(CALENDAR, {**ALL_YEAR, "officer": officer.pk, "sort": "-due_date", "page": 2}))
    assert len(row_keys(doc)) == 25


def test_grant_calendar_makes_a_fixed_number_of_queries(
    world, big_portfolio, officer, django_assert_max_num_queries
):
    url = reverse("indicators:grant_calendar", kwargs={"pk": world.grant_a.pk})
    client = login(officer)
    # Session and user (2), the grant (1), its countries (1), and due_items (3).
    with django_assert_max_num_queries(7):
        doc = html(client.get(url, {"month": "2025-06"}))
    assert len(badges(doc)) == 4  # the grant's June items only
