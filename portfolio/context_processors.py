from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu, the same on every page; the section of the current page is marked active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    items = [
        ("Dashboard", reverse("dashboard"), path == reverse("dashboard")),
        (
            "Grants",
            reverse("grants:grant_list"),
            path.startswith(("/grants/", "/projects/"))
            and not path.endswith(("/performance/", "/calendar/")),
        ),
        ("Milestones", reverse("grants:milestone_list"), path.startswith(("/milestones/", "/evidence/"))),
        (
            "Calendar",
            reverse("indicators:calendar"),
            path.startswith(("/calendar/", "/calendar.ics"))
            or (path.startswith("/grants/") and path.endswith("/calendar/")),
        ),
        (
            "Reporting",
            reverse("indicators:reporting_overview"),
            path.startswith(("/reporting/", "/submissions/", "/uploads/")) and not path.endswith("/review/"),
        ),
    ]
    # Reviewing is for officers (their grants), managers (read) and administrators; grantees answer
    # comments on their own reports from Reporting.
    if not user.is_grantee:
        items.append(
            (
                "Review",
                reverse("indicators:review_queue"),
                path.startswith("/review/")
                or (path.startswith("/submissions/") and path.endswith("/review/")),
            )
        )
    items += [
        ("Results", reverse("indicators:portfolio_performance"), path.endswith("/performance/")),
        ("Indicators", reverse("indicators:library"), path.startswith("/indicators/")),
        ("Reports", reverse("reports:builder"), path.startswith("/reports/")),
    ]
    if user.is_administrator and user.is_staff:
        items.append(("Admin", reverse("admin:index"), path.startswith("/admin/")))
    notifications_url = reverse("grants:notification_list")
    return {
        "nav_items": [{"label": label, "url": url, "active": active} for label, url, active in items],
        # The unread count is a column of the signed-in user's row, already loaded: no query on any page.
        "notifications_nav": {
            "url": notifications_url,
            "active": path.startswith(notifications_url),
            "unread": user.unread_notifications,
        },
    }
