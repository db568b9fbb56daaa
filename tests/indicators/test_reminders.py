"""Reminder planning (pure stage rules with hand-built DueItems and a fixed today), the weekly digest, and the
notification job: exactly once however often and however concurrently it runs, from the command and from the
periodic task."""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import replace
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grants.models import EmailState, Milestone, Notification, NotificationKind, NotificationPreference, User
from indicators import reminders, tasks
from indicators.deadlines import DueItem, DueKind, DueState, due_state
from indicators.reminders import DigestReview, ReminderChoices, plan_digests, plan_reminders, reminder_stage
from tests.factories import GranteeUserFactory

TODAY = datetime.date(2025, 4, 16)  # a Wednesday
BEFORE = (14, 3)
AFTER = (30, 7, 1)
EVERYTHING = frozenset(NotificationKind.values)


def item(days_left: int = 3, *, done_on: datetime.date | None = None, **fields) -> DueItem:
    due = TODAY + datetime.timedelta(days=days_left)
    values = {
        "kind": DueKind.MILESTONE,
        "key": "milestone:7",
        "title": "Baseline study",
        "due_date": due,
        "done_on": done_on,
        "first_done_on": done_on,
        "state": due_state(due, done_on, TODAY, 30),
        "days_left": days_left,
        "status_label": "Planned",
        "url": "/milestones/7/",
        "grant_id": 1,
        "award_number": "IL-11111-24-75-K",
        "project_id": 1,
        "country": "GT",
        "country_name": "Guatemala",
        "grantee_id": 10,
        "grantee_name": "APN",
        "officer_id": 20,
        "officer_name": "Olivia Officer",
    }
    return DueItem(**(values | fields))


def plan(items, *, choices=None, active=frozenset({1, 2, 20}), today=TODAY):
    return plan_reminders(
        items=items,
        today=today,
        grantee_users={10: [1, 2]},
        active_users=active,
        choices=choices or {},
        days_after=AFTER,
    )


# --- stage rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_left, expected",
    [
        (20, None),  # beyond every reminder day
        (14, (NotificationKind.DUE_SOON, "before:14")),
        (
            10,
            (NotificationKind.DUE_SOON, "before:14"),
        ),  # a first run 10 days ahead still sends the 14-day one
        (4, (NotificationKind.DUE_SOON, "before:14")),
        (3, (NotificationKind.DUE_SOON, "before:3")),
        (2, (NotificationKind.DUE_SOON, "before:3")),  # the 3-day one, after a missed run
        (1, (NotificationKind.DUE_SOON, "before:3")),
        (0, (NotificationKind.DUE_TODAY, "today")),
        (-1, (NotificationKind.OVERDUE, "after:1")),
        (-6, (NotificationKind.OVERDUE, "after:1")),
        (-7, (NotificationKind.OVERDUE, "after:7")),
        (-29, (NotificationKind.OVERDUE, "after:7")),
        (-30, (NotificationKind.OVERDUE, "after:30")),
        (-400, (NotificationKind.OVERDUE, "after:30")),
    ],
)
def test_stage_is_the_nearest_configured_day_not_yet_passed(days_left, expected):
    assert reminder_stage(days_left, days_before=BEFORE, days_after=AFTER) == expected


def test_without_days_before_nothing_is_sent_ahead_but_the_day_itself_is():
    assert reminder_stage(5, days_before=(), days_after=AFTER) is None
    assert reminder_stage(0, days_before=(), days_after=AFTER) == (NotificationKind.DUE_TODAY, "today")
    assert reminder_stage(-1, days_before=BEFORE, days_after=(7,)) is None


def test_running_every_day_sends_each_stage_exactly_once():
    keys = []
    for days_left in range(20, -40, -1):
        stage = reminder_stage(days_left, days_before=BEFORE, days_after=AFTER)
        if stage:
            keys.append(stage[1])
    assert list(dict.fromkeys(keys)) == ["before:14", "before:3", "today", "after:1", "after:7", "after:30"]


# --- planning reminders ---------------------------------------------------------------------------------------


def test_open_item_is_planned_for_the_organisations_grantee_users_and_the_officer():
    planned = plan([item(3)])
    assert [(p.recipient_id, p.kind, p.key) for p in planned] == [
        (1, NotificationKind.DUE_SOON, "milestone:7|2025-04-19|before:3"),
        (2, NotificationKind.DUE_SOON, "milestone:7|2025-04-19|before:3"),
        (20, NotificationKind.DUE_SOON, "milestone:7|2025-04-19|before:3"),
    ]
    assert planned[0].title == "Milestone due in 3 days: Baseline study"
    assert planned[0].url == "/milestones/7/"
    assert all(p.in_app and p.email for p in planned)


def test_done_items_get_nothing():
    assert plan([item(3, done_on=TODAY), item(-5, done_on=TODAY, key="milestone:8")]) == []


def test_inactive_people_get_nothing():
    assert [p.recipient_id for p in plan([item(3)], active=frozenset({2}))] == [2]


def test_overdue_and_due_today_titles_say_so():
    [today] = plan([item(0)], active=frozenset({1}))
    [late] = plan([item(-8)], active=frozenset({1}))
    assert (today.kind, today.title) == (NotificationKind.DUE_TODAY, "Milestone due today: Baseline study")
    assert (late.kind, late.key) == (NotificationKind.OVERDUE, "milestone:7|2025-04-08|after:7")
    assert late.title == "Milestone overdue by 8 days: Baseline study"


def test_a_moved_due_date_gets_fresh_reminders():
    [first] = plan([item(3)], active=frozenset({1}))
    [moved] = plan(
        [item(3, key="milestone:7")], active=frozenset({1}), today=TODAY + datetime.timedelta(days=10)
    )
    assert first.key != moved.key


def test_each_persons_own_days_before_decide_their_stage():
    choices = {
        1: ReminderChoices(in_app=EVERYTHING, email=EVERYTHING, days_before=(10,)),
        2: ReminderChoices(in_app=EVERYTHING, email=EVERYTHING, days_before=(5, 1)),
    }
    planned = plan([item(4)], choices=choices, active=frozenset({1, 2}))
    assert [(p.recipient_id, p.key.rsplit("|", 1)[1]) for p in planned] == [(1, "before:10"), (2, "before:5")]


def test_a_kind_turned_off_gives_no_row_and_email_off_gives_a_row_not_emailed():
    off = EVERYTHING - {NotificationKind.OVERDUE}
    choices = {
        1: ReminderChoices(in_app=off, email=off, days_before=BEFORE),
        2: ReminderChoices(in_app=EVERYTHING, email=off, days_before=BEFORE),
    }
    planned = plan([item(-1)], choices=choices, active=frozenset({1, 2}))
    assert [(p.recipient_id, p.in_app, p.email) for p in planned] == [(2, True, False)]


# --- digest ---------------------------------------------------------------------------------------------------


def test_digest_lists_an_officers_overdue_and_coming_items_and_waiting_reviews():
    items = [
        item(-3, key="milestone:1", title="Late study"),
        item(10, key="milestone:2", title="Work plan"),
        item(20, key="milestone:3", title="Too far ahead"),
        item(-3, key="milestone:4", title="Done already", done_on=TODAY),
        item(-3, key="milestone:5", title="Another officer's", officer_id=21),
    ]
    reviews = [DigestReview(officer_id=20, label="IL-1 Guatemala, H1 FY25", days_waiting=4)]
    [digest] = plan_digests(today=TODAY, officer_ids=[20], items=items, reviews=reviews, choices={}, url="/")
    assert digest.key == "digest:2025-W16"
    assert digest.kind == NotificationKind.DIGEST
    assert digest.title == "Weekly digest: 1 overdue, 1 due in the next 14 days, 1 report waiting for review"
    assert "Late study" in digest.body
    assert "Work plan" in digest.body
    assert "IL-1 Guatemala, H1 FY25 (waiting 4 days)" in digest.body
    assert "Too far ahead" not in digest.body
    assert "Done already" not in digest.body
    assert "Another officer's" not in digest.body


def test_no_digest_when_there_is_nothing_to_say_or_it_is_turned_off():
    assert (
        plan_digests(today=TODAY, officer_ids=[20], items=[item(20)], reviews=[], choices={}, url="/") == []
    )
    off = ReminderChoices(in_app=EVERYTHING - {"digest"}, email=EVERYTHING - {"digest"}, days_before=BEFORE)
    assert (
        plan_digests(today=TODAY, officer_ids=[20], items=[item(-3)], reviews=[], choices={20: off}, url="/")
        == []
    )


def test_digest_goes_out_on_its_weekday_or_the_first_run_after_it_that_week():
    monday, wednesday, sunday = (datetime.date(2025, 4, d) for d in (14, 16, 20))
    assert reminders.digest_due(wednesday, 2)
    assert not reminders.digest_due(monday, 2)
    assert reminders.digest_due(sunday, 2)
    assert reminders.digest_key(monday) == reminders.digest_key(sunday) == "digest:2025-W16"


# --- the job --------------------------------------------------------------------------------------------------


@pytest.fixture
def job_world(world, grantee_a, officer, monkeypatch, settings):
    """Organisation A's milestone due in 3 days, read by the job through a stand-in for the deadlines
    selector (the items are hand-built from real rows)."""
    settings.DIGEST_WEEKDAY = 6  # no digest on TODAY, unless a test says otherwise
    due = item(
        3,
        key=f"milestone:{world.milestone_a.pk}",
        url=world.milestone_a.get_absolute_url(),
        grantee_id=world.grant_a.grantee_id,
        officer_id=officer.pk,
        grant_id=world.grant_a.pk,
    )
    calls = []

    def fake_due_items(today, start, end, **filters):
        calls.append((today, start, end, filters))
        return [due] if start is None or start <= due.due_date <= end else []

    monkeypatch.setattr(reminders, "_due_items", fake_due_items)
    monkeypatch.setattr(reminders, "_waiting_reviews", lambda officers, today: [])
    return calls


@pytest.mark.django_db
def test_running_the_job_twice_creates_and_emails_nothing_new(job_world, grantee_a, officer):
    first = reminders.run_notifications(today=TODAY)
    assert (first.created, first.emailed, first.failed) == (2, 2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([grantee_a.email, officer.email])

    second = reminders.run_notifications(today=TODAY)
    assert (second.created, second.emailed, second.failed) == (0, 0, 0)
    assert len(mail.outbox) == 2
    assert User.objects.get(pk=grantee_a.pk).unread_notifications == 1


@pytest.mark.django_db
def test_job_reads_the_window_its_stage_rules_need(job_world, settings):
    settings.REMINDER_DAYS_BEFORE = (14, 3)
    settings.REMINDER_DAYS_AFTER = (30, 7, 1)
    other = GranteeUserFactory(username="far_ahead")
    NotificationPreference.objects.create(user=other, days_before=[40, 2])
    reminders.run_notifications(today=TODAY)
    [(today, start, end, _filters)] = job_world
    assert today == TODAY
    assert end == TODAY + datetime.timedelta(days=40)
    assert start == TODAY - datetime.timedelta(days=30 + reminders.CATCH_UP_DAYS)


@pytest.mark.django_db
def test_job_respects_preferences_and_inactive_people(job_world, grantee_a, officer):
    NotificationPreference.objects.create(user=grantee_a, due_soon_email=False)
    NotificationPreference.objects.create(user=officer, due_soon_in_app=False, due_soon_email=False)
    GranteeUserFactory(username="gone", organisation=grantee_a.organisation, is_active=False)
    result = reminders.run_notifications(today=TODAY)
    assert (result.created, result.emailed) == (1, 0)
    row = Notification.objects.get()
    assert (row.recipient, row.email_state) == (grantee_a, EmailState.OFF)


@pytest.mark.django_db
def test_digest_is_created_once_per_week(job_world, officer, settings):
    settings.DIGEST_WEEKDAY = 0
    reminders.run_notifications(today=TODAY)
    reminders.run_notifications(today=TODAY + datetime.timedelta(days=1))
    digests = Notification.objects.filter(kind=NotificationKind.DIGEST)
    assert [(d.recipient, d.key) for d in digests] == [(officer, "digest:2025-W16")]
    reminders.run_notifications(today=TODAY + datetime.timedelta(days=5))  # next Monday: a new week
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 2


def waiting_like_a_real_database() -> None:
    """The test database is SQLite in memory with a shared cache, whose table locks fail at once ("database
    table is locked") where a file database or PostgreSQL would wait. Readers that take no table locks
    (read_uncommitted, which only shared-cache connections honour) and ``wait_while_locked`` make it wait."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


def wait_while_locked(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_email_exactly_once(job_world, grantee_a, officer):
    for number in range(6):
        GranteeUserFactory(username=f"colleague{number}", organisation=grantee_a.organisation)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results = []

    def run() -> None:
        try:
            waiting_like_a_real_database()
            barrier.wait()
            with connection.execute_wrapper(wait_while_locked):
                results.append(reminders.run_notifications(today=TODAY))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.created for r in results) == 8
    assert sum(r.emailed for r in results) == 8
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [officer.email, grantee_a.email, *(f"colleague{n}@example.org" for n in range(6))]
    )
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 8


# --- with the real deadlines selector -------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_reminds_of_a_real_milestone_due_soon(world, grantee_a, officer, grantee_b, settings):
    settings.DIGEST_WEEKDAY = 6
    Milestone.objects.filter(pk=world.milestone_a.pk).update(due_date=TODAY + datetime.timedelta(days=3))
    Milestone.objects.filter(pk=world.milestone_b.pk).update(due_date=TODAY + datetime.timedelta(days=60))
    reminders.run_notifications(today=TODAY)
    keys = set(Notification.objects.values_list("recipient__username", "key"))
    expected_key = f"milestone:{world.milestone_a.pk}|{TODAY + datetime.timedelta(days=3)}|before:3"
    assert (grantee_a.username, expected_key) in keys
    assert (officer.username, expected_key) in keys
    assert not any(username == grantee_b.username for username, _key in keys)


# --- the command ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_its_counts_and_a_second_run_does_nothing(job_world):
    out = StringIO()
    call_command("send_notifications", "--today", "2025-04-16", stdout=out)
    assert out.getvalue().strip() == "created 2, emailed 2, failed 0"
    out = StringIO()
    call_command("send_notifications", "--today", "2025-04-16", stdout=out)
    assert out.getvalue().strip() == "created 0, emailed 0, failed 0"


@pytest.mark.django_db
def test_command_dry_run_writes_and_sends_nothing(job_world):
    out = StringIO()
    call_command("send_notifications", "--today", "2025-04-16", "--dry-run", stdout=out)
    assert "would create 2 of 2 planned" in out.getvalue()
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_command_refuses_a_date_it_cannot_read(job_world):
    with pytest.raises(CommandError, match="is not a date: write it as YYYY-MM-DD"):
        call_command("send_notifications", "--today", "16/04/2025")
    assert not Notification.objects.exists()


# --- the periodic task ----------------------------------------------------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def waiting_runs():
    return DBTaskResult.objects.filter(
        task_path=tasks.send_notifications_task.module_path, status=TaskResultStatus.READY
    )


@pytest.mark.django_db
def test_periodic_task_runs_the_job_and_schedules_exactly_one_next_run(
    job_world, database_tasks, settings, monkeypatch
):
    settings.NOTIFY_EVERY_MINUTES = 60
    monkeypatch.setattr(tasks, "run_notifications", lambda: reminders.run_notifications(today=TODAY))
    before = datetime.datetime.now(tz=datetime.UTC)
    assert tasks.send_notifications_task.call() == "created 2, emailed 2, failed 0"
    assert Notification.objects.count() == 2
    [run] = waiting_runs()
    assert before + datetime.timedelta(minutes=59) < run.run_after < before + datetime.timedelta(minutes=61)

    tasks.send_notifications_task.call()  # a second run while the next is waiting adds no other
    assert waiting_runs().count() == 1


@pytest.mark.django_db
def test_schedule_command_ensures_exactly_one_run_is_waiting(database_tasks):
    out = StringIO()
    call_command("schedule_notifications", stdout=out)
    call_command("schedule_notifications", stdout=out)
    assert out.getvalue().splitlines() == [
        "Notification job scheduled.",
        "Notification job already scheduled.",
    ]
    assert waiting_runs().count() == 1


@pytest.mark.django_db
def test_schedule_command_refuses_a_backend_that_cannot_run_jobs_later():
    with pytest.raises(CommandError, match=r"run `manage\.py send_notifications` from cron"):
        call_command("schedule_notifications")
    assert not waiting_runs().exists()


def test_item_helper_builds_states_like_the_selector():
    # The hand-built items follow indicators.deadlines: a sanity check of the fixtures above.
    assert item(3).state == DueState.DUE_SOON
    assert item(-1).state == DueState.OVERDUE
    assert replace(item(3), done_on=TODAY).done_on == TODAY
