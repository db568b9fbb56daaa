"""Grant screens: who may do what, what bad input shows, how the list filters, and what it costs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.models import Grant, GrantStatus, GrantStatusChange, Modification, Theme
from tests.factories import (
    CountryProjectFactory,
    GrantFactory,
    MilestoneFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, response) -> list[str]:
    """The flash messages shown on the page a redirect leads to."""
    assert response.status_code == 302, response.status_code
    return _messages(client.get(response["Location"]))


def _field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors.get(field, []))


def _grant_data(org, officer, **overrides) -> dict:
    data = {
        "award_number": "IL-40000-25-75-K",
        "title": "Safe migration for working children",
        "grantee": org.pk,
        "assistance_listing": "17.401",
        "program_officer": officer.pk,
        "start_date": "2025-01-01",
        "end_date": "2028-12-31",
        "obligated_amount": "3000000.00",
        "reporting_frequency": "semiannual",
        "summary": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _edit_data(grant: Grant, **overrides) -> dict:
    data = {
        "award_number": grant.award_number,
        "title": grant.title,
        "grantee": grant.grantee_id,
        "assistance_listing": grant.assistance_listing,
        "program_officer": grant.program_officer_id,
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "obligated_amount": str(grant.obligated_amount),
        "reporting_frequency": grant.reporting_frequency,
        "summary": grant.summary,
    }
    data.update(overrides)
    return data


MOD_DATA = {
    "kind": "funding",
    "effective_date": "2025-03-01",
    "amount_change": "250000.00",
    "reason": "Second tranche",
}


# --- permission matrix --------------------------------------------------------------------------------------

# What each persona gets on organisation A's grant (assigned officer: `officer`).
READ_OK, WRITE_OK, FORBIDDEN, NOT_FOUND = "read-ok", "write-ok", 403, 404
MATRIX = {
    "officer": (READ_OK, WRITE_OK),
    "admin_user": (READ_OK, WRITE_OK),
    "other_officer": (READ_OK, FORBIDDEN),
    "manager": (READ_OK, FORBIDDEN),
    "grantee_a": (READ_OK, FORBIDDEN),
    "grantee_b": (NOT_FOUND, NOT_FOUND),
}
# Who may create grants at all (not tied to one grant).
CREATORS = {"officer", "admin_user", "other_officer"}


def _read_urls(grant: Grant) -> list[str]:
    return [
        reverse("grants:grant_detail", args=[grant.pk]),
        reverse("grants:grant_history", args=[grant.pk]),
    ]


def _write_get_urls(grant: Grant) -> list[str]:
    return [
        reverse("grants:grant_update", args=[grant.pk]),
        reverse("grants:modification_create", args=[grant.pk]),
        reverse("grants:project_create", args=[grant.pk]),
    ]


@pytest.mark.parametrize("persona", MATRIX)
def test_read_access_matrix(request, client_for, world, persona):
    read, _ = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    for url in _read_urls(world.grant_a):
        assert client.get(url).status_code == (200 if read == READ_OK else 404), url
    listed = client.get(reverse("grants:grant_list"))
    assert (world.grant_a in listed.context["table"].data) == (read == READ_OK)


@pytest.mark.parametrize("persona", MATRIX)
def test_write_form_access_matrix(request, client_for, world, persona):
    _, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    for url in _write_get_urls(world.grant_a):
        assert client.get(url).status_code == (200 if write == WRITE_OK else write), url


@pytest.mark.parametrize("persona", MATRIX)
def test_create_access(request, client_for, world, persona, org_a, officer):
    client = client_for(request.getfixturevalue(persona))
    allowed = persona in CREATORS
    assert client.get(reverse("grants:grant_create")).status_code == (200 if allowed else 403)
    response = client.post(reverse("grants:grant_create"), _grant_data(org_a, officer))
    assert response.status_code == (302 if allowed else 403)
    assert Grant.objects.filter(award_number="IL-40000-25-75-K").exists() == allowed


@pytest.mark.parametrize("persona", MATRIX)
def test_write_action_matrix(request, client_for, world, persona):
    """Every POST on grant A: allowed ones change it; refused ones (403/404) change nothing."""
    _, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    grant = world.grant_a
    posts = [
        (reverse("grants:grant_update", args=[grant.pk]), _edit_data(grant, title="Renamed grant")),
        (reverse("grants:grant_transition", args=[grant.pk]), {"to_status": "closeout", "note": "Done"}),
        (reverse("grants:modification_create", args=[grant.pk]), MOD_DATA),
        (
            reverse("grants:project_create", args=[grant.pk]),
            {
                "country": "HN",
                "title": "Honduras",
                "budget": "100000",
                "start_date": "2024-01-01",
                "end_date": "2027-12-31",
            },
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if write == WRITE_OK else write), url
    grant.refresh_from_db()
    if write == WRITE_OK:
        assert (grant.title, grant.status) == ("Renamed grant", "closeout")
        assert grant.obligated_amount == Decimal("5250000.00")
        assert grant.country_projects.filter(country="HN").exists()
    else:
        assert (grant.title, grant.status) == (world.grant_a.title, "active")
        assert grant.obligated_amount == Decimal("5000000.00")
        assert not GrantStatusChange.objects.filter(grant=grant).exists()
        assert not Modification.objects.exists()
        assert grant.country_projects.count() == 1


def test_grantee_gets_404_for_other_organisation_on_every_url(client_for, grantee_a, world):
    client = client_for(grantee_a)
    grant = world.grant_b
    for url in [*_read_urls(grant), *_write_get_urls(grant)]:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("grants:grant_update", args=[grant.pk]), _edit_data(grant, title="Hijacked")),
        (reverse("grants:grant_transition", args=[grant.pk]), {"to_status": "closeout"}),
        (reverse("grants:modification_create", args=[grant.pk]), MOD_DATA),
        (reverse("grants:project_create", args=[grant.pk]), {"country": "HN", "title": "x", "budget": "1"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # Guessed ids that do not exist look exactly the same.
    assert client.get(reverse("grants:grant_detail", args=[999999])).status_code == 404
    # Nor does the list, its filters or the export reveal it.
    listed = client.get(reverse("grants:grant_list"), {"q": grant.award_number})
    assert listed.context["table"].paginator.count == 0
    assert grant.title not in listed.content.decode()
    grant.refresh_from_db()
    assert grant.title != "Hijacked" and grant.status == "active" and not Modification.objects.exists()


def test_anonymous_is_sent_to_login_everywhere(client, world):
    grant = world.grant_a
    urls = [
        reverse("grants:grant_list"),
        reverse("grants:grant_export", args=["csv"]),
        reverse("grants:grant_create"),
        *_read_urls(grant),
        *_write_get_urls(grant),
        reverse("grants:grant_transition", args=[grant.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(reverse("grants:grant_transition", args=[grant.pk]), {"to_status": "closeout"})
    assert response["Location"].startswith("/accounts/login/")
    assert Grant.objects.get(pk=grant.pk).status == "active"


def test_get_on_status_change_is_405(client_for, officer, world):
    response = client_for(officer).get(reverse("grants:grant_transition", args=[world.grant_a.pk]))
    assert response.status_code == 405


def test_writer_sees_actions_reader_does_not(client_for, officer, manager, grantee_a, world):
    grant = world.grant_a
    url = reverse("grants:grant_detail", args=[grant.pk])
    actions = [
        reverse("grants:grant_update", args=[grant.pk]),
        reverse("grants:grant_transition", args=[grant.pk]),
        reverse("grants:modification_create", args=[grant.pk]),
        reverse("grants:project_create", args=[grant.pk]),
    ]
    page = client_for(officer).get(url).content.decode()
    assert all(a in page for a in actions)
    assert "Start closeout" in page and "Suspend" in page and "Terminate" in page
    for reader in (manager, grantee_a):
        page = client_for(reader).get(url).content.decode()
        assert not any(a in page for a in actions)
        assert reverse("grants:grant_history", args=[grant.pk]) in page


def test_new_grant_button_only_for_creators(client_for, officer, manager, grantee_a, world):
    create = reverse("grants:grant_create")
    assert create in client_for(officer).get(reverse("grants:grant_list")).content.decode()
    for user in (manager, grantee_a):
        assert create not in client_for(user).get(reverse("grants:grant_list")).content.decode()


# --- create and edit ----------------------------------------------------------------------------------------


def test_create_through_service_with_themes_and_default_officer(client_for, officer, org_a):
    client = client_for(officer)
    form = client.get(reverse("grants:grant_create")).context["form"]
    assert str(form["program_officer"].value()) == str(officer.pk)
    themes = list(Theme.objects.all()[:2])
    data = _grant_data(org_a, officer, themes=[t.pk for t in themes])
    response = client.post(reverse("grants:grant_create"), data)
    grant = Grant.objects.get(award_number="IL-40000-25-75-K")
    assert response["Location"] == grant.get_absolute_url()
    assert grant.status == GrantStatus.PIPELINE
    assert grant.original_obligated_amount == Decimal("3000000.00")
    assert set(grant.themes.all()) == set(themes)
    assert grant.status_changes.get().actor == officer
    assert grant.history.first().history_user == officer


def test_program_officer_choices_are_officers_only(client_for, officer, manager, admin_user, grantee_a):
    form = client_for(admin_user).get(reverse("grants:grant_create")).context["form"]
    choices = set(form.fields["program_officer"].queryset)
    assert officer in choices and manager not in choices and grantee_a not in choices
    # The admin is no officer: no default.
    assert not form["program_officer"].value()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"end_date": "2024-12-31"},
            "end_date",
            "The period of performance cannot end before it starts.",
        ),
        ({"obligated_amount": "-5"}, "obligated_amount", "The obligated amount cannot be negative."),
        ({"obligated_amount": "lots"}, "obligated_amount", "Enter an amount in US dollars"),
        ({"award_number": "il 4"}, "award_number", "Use capital letters, digits and hyphens"),
        ({"start_date": "31/12/2025"}, "start_date", "Enter a valid date."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_rejected_create_shows_error_next_to_field_and_writes_nothing(
    client_for, officer, org_a, overrides, field, message
):
    response = client_for(officer).post(
        reverse("grants:grant_create"), _grant_data(org_a, officer, **overrides)
    )
    errors = _field_errors(response, field)
    assert any(message in e for e in errors), errors
    assert "Nothing was saved" in response.content.decode()
    assert not Grant.objects.exists()


def test_duplicate_award_number_is_refused(client_for, officer, org_a, world):
    data = _grant_data(org_a, officer, award_number=world.grant_a.award_number)
    response = client_for(officer).post(reverse("grants:grant_create"), data)
    assert _field_errors(response, "award_number") == ["Another grant already has this award number."]
    assert Grant.objects.count() == 2


def test_every_problem_is_shown_at_once(client_for, officer, org_a, world):
    data = _grant_data(org_a, officer, award_number=world.grant_a.award_number, end_date="2024-12-31")
    response = client_for(officer).post(reverse("grants:grant_create"), data)
    assert _field_errors(response, "award_number") == ["Another grant already has this award number."]
    assert _field_errors(response, "end_date") == ["The period of performance cannot end before it starts."]
    page = response.content.decode()
    assert 'data-testid="error-award_number"' in page and 'data-testid="error-end_date"' in page
    assert Grant.objects.count() == 2


def test_officer_must_have_officer_role(client_for, admin_user, manager, org_a):
    response = client_for(admin_user).post(reverse("grants:grant_create"), _grant_data(org_a, manager))
    assert _field_errors(response, "program_officer")
    assert not Grant.objects.exists()


def test_edit_pipeline_grant_changes_figures_and_originals(client_for, officer, world):
    grant = world.grant_a
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.PIPELINE)
    grant.refresh_from_db()
    client = client_for(officer)
    form = client.get(reverse("grants:grant_update", args=[grant.pk])).context["form"]
    assert not form.fields["obligated_amount"].disabled
    response = client.post(
        reverse("grants:grant_update", args=[grant.pk]),
        _edit_data(grant, obligated_amount="6000000.00", end_date="2028-06-30"),
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.obligated_amount == grant.original_obligated_amount == Decimal("6000000.00")
    assert grant.end_date == grant.original_end_date == datetime.date(2028, 6, 30)


def test_edit_active_grant_locks_amount_and_end_date(client_for, officer, world):
    grant = world.grant_a
    client = client_for(officer)
    response = client.get(reverse("grants:grant_update", args=[grant.pk]))
    form = response.context["form"]
    for name in ("obligated_amount", "end_date"):
        assert form.fields[name].disabled
        assert "modification" in form.fields[name].help_text
    assert 'name="obligated_amount"' in response.content.decode()
    # Other fields still save; the locked ones keep their values.
    response = client.post(
        reverse("grants:grant_update", args=[grant.pk]), _edit_data(grant, title="New title")
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.title == "New title" and grant.obligated_amount == Decimal("5000000.00")


def test_editing_obligated_amount_of_active_grant_is_refused(client_for, officer, world):
    grant = world.grant_a
    response = client_for(officer).post(
        reverse("grants:grant_update", args=[grant.pk]),
        _edit_data(grant, obligated_amount="9000000.00", title="Sneaky"),
    )
    errors = _field_errors(response, "obligated_amount")
    assert any("modification" in e for e in errors), errors
    grant.refresh_from_db()
    assert grant.obligated_amount == Decimal("5000000.00") and grant.title != "Sneaky"


def test_edit_end_before_start_is_refused(client_for, officer, world):
    grant = world.grant_a
    response = client_for(officer).post(
        reverse("grants:grant_update", args=[grant.pk]), _edit_data(grant, start_date="2030-01-01")
    )
    assert _field_errors(response, "end_date") or _field_errors(response, "start_date")
    grant.refresh_from_db()
    assert grant.start_date == datetime.date(2024, 1, 1)


# --- status changes -----------------------------------------------------------------------------------------


def _transition(client, grant, **data):
    return client.post(reverse("grants:grant_transition", args=[grant.pk]), data)


def test_status_change_is_recorded_with_note_and_shown_in_timeline(client_for, officer, world):
    client = client_for(officer)
    grant = world.grant_a
    response = _transition(client, grant, to_status="suspended", note="Security situation")
    assert _follow_messages(client, response) == ["The grant is now suspended."]
    grant.refresh_from_db()
    assert grant.status == "suspended"
    change = grant.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.note) == (
        "active",
        "suspended",
        officer,
        "Security situation",
    )
    page = client.get(grant.get_absolute_url()).content.decode()
    assert "Security situation" in page
    assert "Activate" in page and "Terminate" in page and "Start closeout" not in page


@pytest.mark.parametrize(
    ("to_status", "note", "message"),
    [
        ("closed", "", "cannot become closed"),
        ("pipeline", "", "cannot become pipeline"),
        ("suspended", "", "Say why the grant is being suspended."),
        ("terminated", "   ", "Say why the grant is being terminated."),
        ("nonsense", "", "Choose a status"),
    ],
)
def test_rejected_status_change_says_why_and_changes_nothing(
    client_for, officer, world, to_status, note, message
):
    client = client_for(officer)
    response = _transition(client, world.grant_a, to_status=to_status, note=note)
    shown = _follow_messages(client, response)
    assert any(message in m for m in shown), shown
    world.grant_a.refresh_from_db()
    assert world.grant_a.status == "active"
    assert not GrantStatusChange.objects.exists()


# --- modifications ------------------------------------------------------------------------------------------


def test_modification_applies_and_is_listed(client_for, officer, world):
    client = client_for(officer)
    grant = world.grant_a
    page = client.get(reverse("grants:modification_create", args=[grant.pk])).content.decode()
    assert "5,000,000.00" in page  # the current figures are shown
    response = client.post(
        reverse("grants:modification_create", args=[grant.pk]),
        {
            "kind": "extension",
            "effective_date": "2026-01-15",
            "new_end_date": "2028-06-30",
            "reason": "Delays",
        },
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.end_date == datetime.date(2028, 6, 30) and grant.original_end_date == datetime.date(
        2027, 12, 31
    )
    mod = grant.modifications.get()
    assert (mod.number, mod.created_by, mod.amount_change) == (1, officer, Decimal("0"))
    page = client.get(grant.get_absolute_url()).content.decode()
    assert "No-cost extension" in page and "Delays" in page and "originally 31 Dec 2027" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "scope", "amount_change": "-6000000"},
            "amount_change",
            "This would make the obligated amount negative (now 5,000,000.00 USD).",
        ),
        ({"kind": "funding", "amount_change": "-10"}, "amount_change", "enter a positive amount"),
        ({"amount_change": "ten thousand"}, "amount_change", "Enter an amount in US dollars"),
        ({"kind": "extension", "amount_change": "0"}, "new_end_date", "needs a new end date after"),
        ({"effective_date": "2023-01-01"}, "effective_date", "a modification cannot take effect before"),
        ({"reason": "   "}, "reason", ""),
    ],
)
def test_rejected_modification_shows_error_next_to_field_and_writes_nothing(
    client_for, officer, world, data, field, message
):
    response = client_for(officer).post(
        reverse("grants:modification_create", args=[world.grant_a.pk]), {**MOD_DATA, **data}
    )
    errors = _field_errors(response, field)
    assert errors and any(message in e for e in errors), errors
    world.grant_a.refresh_from_db()
    assert world.grant_a.obligated_amount == Decimal("5000000.00")
    assert not Modification.objects.exists()


# --- list and filters ---------------------------------------------------------------------------------------


@pytest.fixture
def portfolio(org_a, org_b, officer, other_officer):
    themes = list(Theme.objects.order_by("pk"))
    g1 = GrantFactory(
        award_number="IL-10001-24-75-K",
        title="Child labour in coffee",
        grantee=org_a,
        program_officer=officer,
    )
    g1.themes.set(themes[:1])
    CountryProjectFactory(grant=g1, country="GT")
    CountryProjectFactory(grant=g1, country="HN")
    g2 = GrantFactory(
        award_number="IL-10002-24-75-K",
        title="Migrant workers' rights",
        grantee=org_b,
        program_officer=other_officer,
        status=GrantStatus.PIPELINE,
    )
    g2.themes.set(themes[1:2])
    CountryProjectFactory(grant=g2, country="KE")
    g3 = GrantFactory(
        award_number="IL-10003-24-75-K", title="Returnee livelihoods", grantee=org_a, program_officer=officer
    )
    CountryProjectFactory(grant=g3, country="GT")
    return g1, g2, g3, themes


def _listed(client, **params) -> list[str]:
    response = client.get(reverse("grants:grant_list"), params)
    assert response.status_code == 200
    return [row.record.award_number for row in response.context["table"].page.object_list]


def test_filters(client_for, manager, portfolio, officer, org_b):
    g1, g2, g3, themes = portfolio
    client = client_for(manager)
    assert _listed(client) == [g1.award_number, g2.award_number, g3.award_number]
    assert _listed(client, status="pipeline") == [g2.award_number]
    assert _listed(client, country="HN") == [g1.award_number]
    assert _listed(client, theme=themes[1].pk) == [g2.award_number]
    assert _listed(client, program_officer=officer.pk) == [g1.award_number, g3.award_number]
    assert _listed(client, grantee=org_b.pk) == [g2.award_number]
    assert _listed(client, q="coffee") == [g1.award_number]
    assert _listed(client, q="10003") == [g3.award_number]
    assert _listed(client, country="GT") == [g1.award_number, g3.award_number]
    assert _listed(client, q="il-1000", status="active", country="HN") == [g1.award_number]
    assert _listed(client, q="il-1000", status="pipeline", country="GT") == []


def test_list_shows_countries_count_and_sorts(client_for, manager, portfolio):
    g1, g2, g3, _ = portfolio
    client = client_for(manager)
    response = client.get(reverse("grants:grant_list"))
    page = response.content.decode()
    assert "Guatemala, Honduras" in page and "Kenya" in page
    assert 'data-testid="result-count">3 grants' in page.replace("\n", "").replace("  ", "")
    assert _listed(client, sort="-award_number") == [g3.award_number, g2.award_number, g1.award_number]
    assert _listed(client, sort="countries")[-1] == g2.award_number
    assert _listed(client, sort="-countries")[0] == g2.award_number
    assert _listed(client, sort="-obligated_amount")
    assert _listed(client, sort="grantee")[0] in (g1.award_number, g3.award_number)


def test_grantee_list_is_confined_and_offers_only_its_own_choices(client_for, grantee_a, portfolio):
    g1, _, g3, _ = portfolio
    client = client_for(grantee_a)
    assert _listed(client) == [g1.award_number, g3.award_number]
    assert _listed(client, country="KE") == []
    response = client.get(reverse("grants:grant_list"))
    form = response.context["filter"].form
    assert "grantee" not in form.fields
    assert [code for code, _ in form.fields["country"].choices if code] == ["GT", "HN"]
    assert "Kenya" not in response.content.decode()


def test_export_link_keeps_filters_but_not_page_or_sort(client_for, manager, portfolio):
    response = client_for(manager).get(
        reverse("grants:grant_list"), {"status": "active", "page": "1", "sort": "title", "q": "x"}
    )
    assert response.context["export_query"] == "status=active&q=x"
    assert (
        reverse("grants:grant_export", args=["xlsx"]) + "?status=active&amp;q=x" in response.content.decode()
    )


def test_list_is_paginated_by_25(client_for, manager, world):
    GrantFactory.create_batch(30)
    response = client_for(manager).get(reverse("grants:grant_list"))
    assert len(response.context["table"].page.object_list) == 25
    assert response.context["table"].paginator.count == 32


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(client_for, manager, world, django_assert_max_num_queries):
    client = client_for(manager)
    url = reverse("grants:grant_list")
    small = _queries(client, url)
    officers = UserFactory.create_batch(3)
    for i in range(30):
        grant = GrantFactory(grantee=OrganisationFactory(), program_officer=officers[i % 3])
        CountryProjectFactory(grant=grant, country="GT")
        CountryProjectFactory(grant=grant, country="PE")
    # session, user, choice lists (countries, officers, grantees, themes), count, one page of rows,
    # the page's countries.
    with django_assert_max_num_queries(10):
        response = client.get(url, {"sort": "countries"})
    assert len(response.context["table"].page.object_list) == 25
    assert _queries(client, url) == small
    assert _queries(client, url, country="GT", sort="-program_officer") == _queries(client, url, country="GT")


def test_detail_query_count_does_not_grow_with_rows(
    client_for, officer, world, django_assert_max_num_queries
):
    client = client_for(officer)
    grant = world.grant_a
    url = reverse("grants:grant_detail", args=[grant.pk])
    small = _queries(client, url)
    partners = OrganisationFactory.create_batch(3)
    countries = [
        "HN",
        "SV",
        "MX",
        "KE",
        "TH",
        "BD",
        "PE",
        "CO",
        "BR",
        "BO",
        "EC",
        "PY",
        "UY",
        "AR",
        "CL",
        "NI",
        "CR",
        "PA",
        "DO",
        "HT",
        "JM",
    ]
    grant.obligated_amount = Decimal("100000000")
    grant.save()
    for code in countries:
        project = CountryProjectFactory(grant=grant, country=code, budget=Decimal("1000"))
        project.implementing_partners.set(partners)
        MilestoneFactory.create_batch(2, country_project=project)
    for i in range(21):
        services.modification_apply(
            grant=grant,
            actor=officer,
            kind="funding",
            effective_date=datetime.date(2025, 1, 1),
            amount_change=Decimal("1000"),
            reason=f"Tranche {i}",
        )
    # session, user, grant + grantee + officer, themes, projects with milestone counts, their partners,
    # modifications with authors, status changes with actors.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["projects"]) == 22
    assert len(response.context["modifications"]) == 21
    assert _queries(client, url) == small


def test_detail_shows_milestone_counts_with_overdue(client_for, manager, world):
    today = datetime.date.today()
    project = world.project_a
    MilestoneFactory(country_project=project, due_date=today - datetime.timedelta(days=3))
    MilestoneFactory(country_project=project, due_date=today + datetime.timedelta(days=30))
    MilestoneFactory(country_project=project, due_date=today - datetime.timedelta(days=3), status="cancelled")
    response = client_for(manager).get(world.grant_a.get_absolute_url())
    row = next(p for p in response.context["projects"] if p.pk == project.pk)
    # The world's own milestone (due 30 Jun 2025) is overdue too.
    assert (row.milestone_count, row.open_milestones, row.overdue_milestones) == (4, 3, 2)


# --- history ------------------------------------------------------------------------------------------------


def test_history_shows_who_changed_what_newest_first(client_for, officer, world):
    client = client_for(officer)
    grant = world.grant_a
    services.grant_update(grant=grant, actor=officer, title="A better title")
    services.grant_update(grant=grant, actor=officer, themes=Theme.objects.filter(code="child-labour"))
    services.modification_apply(
        grant=grant,
        actor=officer,
        kind="funding",
        effective_date=datetime.date(2025, 1, 1),
        amount_change=Decimal("1000"),
        reason="Top-up",
    )
    services.country_project_update(project=world.project_a, actor=officer, budget=Decimal("1200000"))
    response = client.get(reverse("grants:grant_history", args=[grant.pk]))
    entries = response.context["entries"]
    subjects = [e.subject for e in entries[:4]]
    assert subjects[0] == "Country project Guatemala"
    assert entries[0].changes[0].old == "1,000,000.00" and entries[0].changes[0].new == "1,200,000.00"
    assert any(e.subject == "Modification 1 (incremental funding)" and e.kind == "created" for e in entries)
    grant_changes = [c for e in entries if e.subject == "Grant" for c in e.changes]
    assert any(c.old == "5,000,000.00" and c.new == "5,001,000.00" for c in grant_changes)
    assert any(c.new == "A better title" for c in grant_changes)
    assert any(c.field == "Themes" and c.old == "—" and c.new == "Child labour" for c in grant_changes)
    assert all(e.who == str(officer) for e in entries if e.kind == "changed")
    assert "A better title" in response.content.decode()


def test_history_query_count_is_bounded(client_for, officer, world, django_assert_max_num_queries):
    client = client_for(officer)
    grant = world.grant_a
    url = reverse("grants:grant_history", args=[grant.pk])
    small = _queries(client, url)
    for i in range(15):
        services.grant_update(grant=grant, actor=officer, title=f"Title {i}")
        services.country_project_update(project=world.project_a, actor=officer, title=f"Project {i}")
        services.milestone_update(milestone=world.milestone_a, actor=officer, title=f"Milestone {i}")
    # session, user, grant; per source: latest records, the records before them, many-to-many snapshots.
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["entries"]) >= 45
    assert _queries(client, url) <= small + 3  # the "records before" queries appear once there are edits


def test_country_filter_lists_each_country_once(client_for, manager, org_a):
    from tests.factories import CountryProjectFactory, GrantFactory

    for _ in range(3):
        CountryProjectFactory(grant=GrantFactory(grantee=org_a), country="GT")
    response = client_for(manager).get(reverse("grants:grant_list"))
    choices = [value for value, _ in response.context["filter"].form.fields["country"].choices if value]
    assert choices == ["GT"]
