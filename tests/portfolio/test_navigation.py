"""The main menu: which sections each role gets, and which one is marked as the current page."""

from __future__ import annotations

import pytest
from django.urls import reverse


def _nav(client, url: str) -> dict[str, bool]:
    response = client.get(url)
    assert response.status_code == 200
    return {item["label"]: item["active"] for item in response.context["nav_items"]}


@pytest.mark.parametrize(
    ("persona", "labels"),
    [
        (
            "grantee_a",
            [
                "Dashboard",
                "Grants",
                "Milestones",
                "Calendar",
                "Reporting",
                "Results",
                "Indicators",
                "Reports",
            ],
        ),
        (
            "officer",
            [
                "Dashboard",
                "Grants",
                "Milestones",
                "Calendar",
                "Reporting",
                "Review",
                "Results",
                "Indicators",
                "Reports",
            ],
        ),
        (
            "manager",
            [
                "Dashboard",
                "Grants",
                "Milestones",
                "Calendar",
                "Reporting",
                "Review",
                "Results",
                "Indicators",
                "Reports",
            ],
        ),
    ],
)
def test_each_role_gets_its_sections(request, client_for, persona, labels):
    assert list(_nav(client_for(request.getfixturevalue(persona)), reverse("dashboard"))) == labels


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("dashboard", "Dashboard"),
        ("grants:grant_list", "Grants"),
        ("indicators:review_queue", "Review"),
        ("indicators:portfolio_performance", "Results"),
        ("indicators:library", "Indicators"),
        ("indicators:reporting_overview", "Reporting"),
        ("reports:builder", "Reports"),
        ("indicators:calendar", "Calendar"),
    ],
)
def test_exactly_the_current_section_is_active(client_for, manager, url_name, section):
    nav = _nav(client_for(manager), reverse(url_name))
    assert [label for label, active in nav.items() if active] == [section]


def test_a_grants_calendar_is_under_calendar(client_for, manager, world):
    nav = _nav(client_for(manager), reverse("indicators:grant_calendar", args=[world.grant_a.pk]))
    assert [label for label, active in nav.items() if active] == ["Calendar"]


def test_a_grants_performance_page_is_under_results(client_for, manager, world):
    nav = _nav(client_for(manager), reverse("indicators:grant_performance", args=[world.grant_a.pk]))
    assert [label for label, active in nav.items() if active] == ["Results"]
