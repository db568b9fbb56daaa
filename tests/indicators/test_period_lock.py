"""The entry window of a reporting period: open until its due date plus the grace, then locked for grantees
until the grant's program officer reopens it for late entry (recorded); a returned report stays correctable."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.models import ReportingPeriod, ReportingPeriodChange, Submission, SubmissionStatus
from indicators.services.periods import (
    entry_lock_reason,
    reporting_period_relock,
    reporting_period_reopen,
)
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db

GRACE = 15
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _grace(settings):  # type: ignore[no-untyped-def]
    # Every test here states the grace it relies on, whatever the test settings default to.
    settings.REPORTING_GRACE_DAYS = GRACE


def _period(**fields) -> ReportingPeriod:
    return ReportingPeriod(
        label="FY2025 H1",
        start_date=datetime.date(2024, 10, 1),
        end_date=datetime.date(2025, 3, 31),
        due_date=datetime.date(2025, 4, 30),
        **fields,
    )


def _last_day(period: ReportingPeriod) -> datetime.date:
    return period.due_date + datetime.timedelta(days=GRACE)


def _current(world) -> ReportingPeriod:
    today = timezone.localdate()
    return world.grant_a.reporting_periods.get(start_date__lte=today, end_date__gte=today)


# --- the model's pure helpers ---------------------------------------------------------------------------------


def test_entry_closes_on_the_due_date_plus_grace():
    assert _period().entry_closes_on(15) == datetime.date(2025, 5, 15)
    assert _period().entry_closes_on(0) == datetime.date(2025, 4, 30)


def test_a_later_reopening_moves_the_last_day_but_an_earlier_one_never_shortens_it():
    assert _period(reopened_until=datetime.date(2025, 6, 10)).entry_closes_on(15) == datetime.date(
        2025, 6, 10
    )
    assert _period(reopened_until=datetime.date(2025, 5, 1)).entry_closes_on(15) == datetime.date(2025, 5, 15)


def test_a_period_locks_the_day_after_its_last_day_of_entry():
    period = _period()
    assert not period.is_locked_for_grantees(datetime.date(2025, 5, 15), 15)
    assert period.is_locked_for_grantees(datetime.date(2025, 5, 16), 15)
    reopened = _period(reopened_until=datetime.date(2025, 6, 10))
    assert not reopened.is_locked_for_grantees(datetime.date(2025, 6, 10), 15)
    assert reopened.is_locked_for_grantees(datetime.date(2025, 6, 11), 15)


def test_the_lock_message_says_when_it_locked_and_who_can_reopen_it():
    assert _period().lock_message(15) == (
        "Entry for FY2025 H1 closed on 15 May 2025 (due 30 Apr 2025, plus 15 days' grace). "
        "Ask your program officer to reopen it."
    )
    assert _period(reopened_until=datetime.date(2025, 6, 10)).lock_message(15) == (
        "Entry for FY2025 H1 closed on 10 Jun 2025 (the program officer had reopened it until 10 Jun 2025). "
        "Ask your program officer to reopen it."
    )


def test_the_entry_window_reads_upcoming_open_reopened_or_locked():
    upcoming = _period().entry_window(datetime.date(2024, 9, 30), 15)
    assert (upcoming.state, upcoming.text) == ("upcoming", "Opens for entry on 1 Oct 2024")
    assert _period().entry_window(datetime.date(2024, 10, 1), 15).text == "Open for entry until 15 May 2025"
    assert _period().entry_window(datetime.date(2025, 5, 1), 15).text == "Open for entry until 15 May 2025"
    reopened = _period(reopened_until=datetime.date(2025, 6, 10))
    assert reopened.entry_window(datetime.date(2025, 6, 1), 15).text == "Reopened until 10 Jun 2025"
    locked = _period().entry_window(datetime.date(2025, 6, 1), 15)
    assert (locked.state, locked.text) == ("locked", "Locked for grantees since 16 May 2025")


# --- starting, saving and submitting --------------------------------------------------------------------------


def test_a_grantee_cannot_start_a_report_after_the_lock(world, framework, grantee_a):
    with pytest.raises(ValidationError) as refused:
        services.submission_get_or_create_draft(
            country_project=world.project_a,
            period=framework.first,
            actor=grantee_a,
            today=_last_day(framework.first) + DAY,
        )
    assert refused.value.message_dict["period"] == [framework.first.lock_message(GRACE)]
    assert not Submission.objects.exists()


def test_a_grantee_can_start_a_report_on_the_last_day_of_grace(world, framework, grantee_a):
    submission = services.submission_get_or_create_draft(
        country_project=world.project_a,
        period=framework.first,
        actor=grantee_a,
        today=_last_day(framework.first),
    )
    assert submission.status == SubmissionStatus.DRAFT


def test_an_administrator_is_not_locked(world, framework, admin_user):
    submission = services.submission_get_or_create_draft(
        country_project=world.project_a,
        period=framework.first,
        actor=admin_user,
        today=datetime.date(2026, 1, 1),
    )
    fill(submission, framework, admin_user, today=datetime.date(2026, 1, 1))
    assert entry_lock_reason(period=framework.first, user=admin_user, today=datetime.date(2026, 1, 1)) == ""


def test_a_never_submitted_draft_cannot_be_saved_or_submitted_after_the_lock(world, framework, grantee_a):
    early = framework.first.due_date
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a, today=early
    )
    fill(draft, framework, grantee_a, today=early)
    draft.refresh_from_db()
    version, values = draft.version, list(draft.values.values_list("cell_key", "value"))
    late = _last_day(framework.first) + DAY
    with pytest.raises(
        ValidationError, match=r"Entry for .* closed on .* Ask your program officer to reopen it"
    ):
        services.submission_save_draft(
            submission=draft, expected_version=version, actor=grantee_a, achievements="Late", today=late
        )
    with pytest.raises(ValidationError, match="Ask your program officer to reopen it"):
        services.submission_submit(submission=draft, actor=grantee_a, today=late)
    draft.refresh_from_db()
    assert (draft.version, draft.status, draft.achievements) == (
        version,
        SubmissionStatus.DRAFT,
        "Remedial classes opened in 4 schools.",
    )
    assert list(draft.values.values_list("cell_key", "value")) == values


def test_a_returned_report_stays_correctable_and_resubmittable_after_the_lock(
    world, framework, grantee_a, officer
):
    early = framework.first.due_date
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a, today=early
    )
    fill(draft, framework, grantee_a, today=early)
    services.submission_submit(submission=draft, actor=grantee_a, today=early)
    services.submission_return(submission=draft, actor=officer, comment="Check E1.")
    late = _last_day(framework.first) + datetime.timedelta(days=200)
    draft.refresh_from_db()
    fill(draft, framework, grantee_a, achievements="Corrected after review.", today=late)
    submitted = services.submission_submit(submission=draft, actor=grantee_a, today=late)
    assert submitted.status == SubmissionStatus.SUBMITTED


def test_a_reopened_period_accepts_late_entry_until_the_day_it_names(world, framework, grantee_a, officer):
    today = timezone.localdate()
    reporting_period_reopen(period=framework.first, until=today + datetime.timedelta(days=10), actor=officer)
    framework.first.refresh_from_db()
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a, today=today
    )
    fill(draft, framework, grantee_a, today=today + datetime.timedelta(days=10))
    with pytest.raises(ValidationError, match="the program officer had reopened it until"):
        services.submission_submit(
            submission=draft, actor=grantee_a, today=today + datetime.timedelta(days=11)
        )


# --- reopening and re-locking ----------------------------------------------------------------------------------


def test_reopening_is_recorded_with_its_day_and_note(framework, officer):
    today = timezone.localdate()
    until = today + datetime.timedelta(days=14)
    period = reporting_period_reopen(
        period=framework.first, until=until, actor=officer, note="Floods in the region"
    )
    assert period.reopened_until == until
    change = ReportingPeriodChange.objects.filter(period=framework.first).first()
    assert (change.kind, change.actor, change.from_status, change.to_status) == (
        "reopened",
        officer,
        "open",
        "open",
    )
    assert change.note == f"Reopened for late entry until {until.day} {until:%b %Y}: Floods in the region"


def test_relocking_withdraws_the_reopening_on_record(framework, officer):
    today = timezone.localdate()
    reporting_period_reopen(period=framework.first, until=today + datetime.timedelta(days=14), actor=officer)
    period = reporting_period_relock(period=framework.first, actor=officer, note="Figures received by email")
    assert period.reopened_until is None
    assert period.is_locked_for_grantees(today, GRACE)
    change = ReportingPeriodChange.objects.filter(period=framework.first).first()
    assert change.kind == "relocked" and change.note.endswith(": Figures received by email")
    with pytest.raises(ValidationError, match="has not been reopened"):
        reporting_period_relock(period=framework.first, actor=officer)


def _refused_reopen(period, until, actor, message) -> None:
    changes = list(ReportingPeriodChange.objects.values_list("pk", flat=True))
    with pytest.raises((ValidationError, PermissionDenied), match=message):
        reporting_period_reopen(period=period, until=until, actor=actor, note="x")
    period.refresh_from_db()
    assert period.reopened_until is None
    assert list(ReportingPeriodChange.objects.values_list("pk", flat=True)) == changes


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "has passed"),
        (366, "within a year of today"),
    ],
)
def test_bad_reopen_days_are_refused_and_nothing_changes(framework, officer, days, message):
    until = timezone.localdate() + datetime.timedelta(days=days)
    _refused_reopen(framework.first, until, officer, message)


def test_a_reopening_within_the_grace_is_refused_as_changing_nothing(world, framework, officer):
    current = _current(world)
    _refused_reopen(current, timezone.localdate(), officer, "is open for entry until .* anyway")


def test_a_closed_period_is_not_reopened_for_late_entry(framework, officer):
    services.reporting_period_set_status(period=framework.first, status="closed", actor=officer)
    framework.first.refresh_from_db()
    _refused_reopen(framework.first, timezone.localdate(), officer, "open it first")


def test_another_officer_cannot_reopen_a_period_of_a_grant_not_theirs(framework, other_officer):
    _refused_reopen(framework.first, timezone.localdate(), other_officer, "Only the grant's program officer")


def test_a_non_date_is_refused(framework, officer):
    _refused_reopen(framework.first, "2025-06-10", officer, "as a date")


# --- the pages ------------------------------------------------------------------------------------------------


def _reopen_url(grant) -> str:
    return reverse("indicators:period_reopen", args=[grant.pk])


# What each persona gets when reopening a period of organisation A's grant (officer: `officer`).
REOPEN_MATRIX = {
    "officer": 302,
    "admin_user": 302,
    "other_officer": 403,  # sees every grant, changes only their own
    "manager": 403,
    "grantee_a": 403,
    "grantee_b": 404,
}


@pytest.mark.parametrize("persona", REOPEN_MATRIX)
def test_reopen_permission_matrix(request, client_for, world, framework, persona):
    client = client_for(request.getfixturevalue(persona))
    until = timezone.localdate() + datetime.timedelta(days=7)
    changes = ReportingPeriodChange.objects.count()
    response = client.post(
        _reopen_url(world.grant_a),
        {"period": framework.first.pk, "action": "reopen", "until": until.isoformat()},
    )
    assert response.status_code == REOPEN_MATRIX[persona]
    framework.first.refresh_from_db()
    allowed = REOPEN_MATRIX[persona] == 302
    assert framework.first.reopened_until == (until if allowed else None)
    assert ReportingPeriodChange.objects.count() == changes + allowed


def test_reopen_is_post_only(client_for, officer, world):
    assert client_for(officer).get(_reopen_url(world.grant_a)).status_code == 405


def _post_messages(client, grant, data) -> list[str]:
    response = client.post(_reopen_url(grant), data)
    assert response.status_code == 302
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("next tuesday", "Enter the last day of late entry as a date, such as 2025-06-10."),
        ("", "Choose the last day of late entry."),
        ((timezone.localdate() - DAY).isoformat(), "has passed"),
        ((timezone.localdate() + datetime.timedelta(days=400)).isoformat(), "within a year of today"),
    ],
)
def test_bad_reopen_input_on_the_page_is_refused_with_a_message(
    client_for, officer, world, framework, until, message
):
    changes = ReportingPeriodChange.objects.count()
    shown = _post_messages(
        client_for(officer), world.grant_a, {"period": framework.first.pk, "action": "reopen", "until": until}
    )
    assert len(shown) == 1 and shown[0].startswith("Nothing was changed.") and message in shown[0]
    framework.first.refresh_from_db()
    assert framework.first.reopened_until is None and ReportingPeriodChange.objects.count() == changes


def test_a_period_of_another_grant_is_refused_on_the_page(client_for, officer, world, framework):
    until = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    shown = _post_messages(
        client_for(officer),
        world.grant_a,
        {"period": framework.first_b.pk, "action": "reopen", "until": until},
    )
    assert shown == ["Nothing was changed. That period is not one of this grant's reporting periods."]
    framework.first_b.refresh_from_db()
    assert framework.first_b.reopened_until is None


def test_the_periods_page_shows_each_entry_window_and_the_officer_reopens_and_relocks(
    client_for, officer, world, framework
):
    client = client_for(officer)
    current = _current(world)
    page = client.get(reverse("indicators:grant_periods", args=[world.grant_a.pk])).content.decode()
    assert "Locked for grantees since" in page and "Open for entry until" in page
    assert f'data-testid="reopen-form-{framework.first.pk}"' in page
    # A period still open for entry has nothing to reopen.
    assert f'data-testid="reopen-form-{current.pk}"' not in page
    until = timezone.localdate() + datetime.timedelta(days=7)
    shown = _post_messages(
        client,
        world.grant_a,
        {"period": framework.first.pk, "action": "reopen", "until": until.isoformat(), "note": "Late"},
    )
    assert shown == [
        f"{framework.first.label} is reopened: grantees can enter it until {until.day} {until:%b %Y}."
    ]
    page = client.get(reverse("indicators:grant_periods", args=[world.grant_a.pk])).content.decode()
    assert f"Reopened until {until.day} {until:%b %Y}" in page and "reopened for late entry" in page
    assert f'data-testid="relock-form-{framework.first.pk}"' in page
    shown = _post_messages(client, world.grant_a, {"period": framework.first.pk, "action": "relock"})
    assert shown == [f"{framework.first.label} is locked for grantees again."]
    assert current.entry_window(timezone.localdate(), GRACE).state == "open"


def test_a_locked_draft_is_shown_read_only_with_the_reason(client_for, world, framework, grantee_a):
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a,
        period=framework.first,
        actor=grantee_a,
        today=framework.first.due_date,
    )
    page = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[draft.pk]))
    assert page.context["editing"] is False
    assert page.context["lock_message"] == framework.first.lock_message(GRACE)
    assert 'data-testid="period-locked"' in page.content.decode()
    response = client_for(grantee_a).post(
        reverse("indicators:submission_entry", args=[draft.pk]),
        {"version": draft.version, "achievements": "x"},
    )
    draft.refresh_from_db()
    assert draft.achievements == "" and response.status_code == 200


def test_the_reporting_overview_offers_start_only_for_periods_still_open_for_entry(
    client_for, world, framework, grantee_a, admin_user
):
    current = _current(world)
    locked_start = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first.pk])
    open_start = reverse("indicators:submission_start", args=[world.project_a.pk, current.pk])
    html = client_for(grantee_a).get(reverse("indicators:reporting_overview")).content.decode()
    assert open_start in html and locked_start not in html
    # Administrators are never locked out.
    html = client_for(admin_user).get(reverse("indicators:reporting_overview") + "?officer=").content.decode()
    assert locked_start in html


def test_the_project_page_offers_start_only_while_the_period_is_open(client_for, world, framework, grantee_a):
    current = _current(world)
    page = client_for(grantee_a).get(reverse("indicators:project_reporting", args=[world.project_a.pk]))
    html = page.content.decode()
    start = reverse("indicators:submission_start", args=[world.project_a.pk, framework.first.pk])
    assert start not in html and f'data-testid="locked-{framework.first.pk}"' in html
    assert reverse("indicators:submission_start", args=[world.project_a.pk, current.pk]) in html
    assert f'data-testid="entry-window-{current.pk}"' in html
    response = client_for(grantee_a).post(start)
    assert response.status_code == 302 and not Submission.objects.exists()
