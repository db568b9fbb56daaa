"""manage.py load_indicator_demo: indicator demo data through the services, and bulk scale data (--scale)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from grants import demo as grants_demo
from grants.models import CountryProject, MilestoneEvidence, Organisation, User
from indicators import demo
from indicators.calculations import Track
from indicators.models import (
    ActualValue,
    DataUpload,
    ProjectIndicator,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    TargetRevision,
    UploadStatus,
)
from indicators.selectors.performance import performance_table
from indicators.services import submission_validate


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--allow-without-debug", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Both demos load once for this module (they take seconds); each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        run("load_demo")
        output = run("load_indicator_demo")
    yield output
    with django_db_blocker.unblock():
        files = list(MilestoneEvidence.objects.values_list("file", flat=True))
        demo.delete_indicator_demo()
        grants_demo.delete_demo_portfolio()
        User.objects.filter(username__in=[p.username for p in grants_demo.PEOPLE]).delete()
        Organisation.objects.filter(name__in=[o.name for o in grants_demo.ORGANISATIONS]).delete()
        for name in files:
            default_storage.delete(name)


@pytest.fixture
def loaded(loaded_once: str, db) -> str:
    return loaded_once


def test_every_submission_status_and_trail(loaded: str) -> None:
    assert "Loaded indicator demo data" in loaded
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == set(SubmissionStatus.values)
    returned = Submission.objects.filter(status=SubmissionStatus.RETURNED).first()
    trail = list(returned.transitions.values_list("to_status", flat=True))
    assert trail == ["draft", "submitted", "returned"]
    assert returned.transitions.last().comment
    assert ActualValue.objects.filter(nothing_to_report=True).exists()
    assert TargetRevision.objects.exclude(modification=None).exists()
    assert not SubmissionTransition.objects.filter(
        submission__country_project__grant__in=grants_demo.scale_grants()
    )


def test_frameworks_have_six_to_ten_indicators(loaded: str) -> None:
    counts = {project.pk: project.project_indicators.count() for project in demo.demo_projects()}
    assert counts and all(6 <= n <= 10 for n in counts.values())


def test_approved_submissions_pass_validation_and_expenditure_grows(loaded: str) -> None:
    approved = Submission.objects.filter(status=SubmissionStatus.APPROVED).select_related("period")
    assert approved.count() > 50
    for submission in approved:
        result = submission_validate(submission=submission, complete=True)
        assert not result.errors, (submission, result.errors)
    for project in demo.demo_projects()[:5]:
        spent = list(
            project.submissions.order_by("period__start_date").values_list(
                "cumulative_expenditure", flat=True
            )
        )
        assert spent == sorted(spent)


def test_values_stay_within_the_organisation(loaded: str) -> None:
    for username in ("grantee_a", "grantee_b"):
        user = User.objects.get(username=username)
        submissions = Submission.objects.filter(created_by=user)
        assert submissions.exists()
        assert not submissions.exclude(country_project__grant__grantee=user.organisation).exists()
        values = ActualValue.objects.filter(submission__in=submissions)
        assert not values.exclude(
            project_indicator__country_project__grant__grantee=user.organisation
        ).exists()
    mismatched = ActualValue.objects.exclude(
        project_indicator__country_project=F("submission__country_project")
    )
    assert not mismatched.exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_if_missing_is_a_no_op_and_plain_run_refuses(loaded: str) -> None:
    before = (Submission.objects.count(), ActualValue.objects.count(), ProjectIndicator.objects.count())
    assert "already loaded" in run("load_indicator_demo", "--if-missing")
    assert (
        Submission.objects.count(),
        ActualValue.objects.count(),
        ProjectIndicator.objects.count(),
    ) == before
    with pytest.raises(CommandError, match="already loaded"):
        run("load_indicator_demo")


@pytest.mark.django_db
def test_scale_creates_every_cell_of_every_report() -> None:
    with pytest.raises(CommandError, match="load_demo --scale first"):
        run("load_indicator_demo", "--scale")
    run("load_demo", "--scale", "--grants", "4")
    output = run("load_indicator_demo", "--scale")
    assert "No history rows" in output
    submissions = Submission.objects.filter(country_project__grant__in=grants_demo.scale_grants())
    assert submissions.exists()
    expected = 0
    for submission in submissions.select_related("country_project"):
        indicators = ProjectIndicator.objects.with_library().filter(
            country_project=submission.country_project
        )
        expected += sum(len(pi.cell_keys) for pi in indicators)
    assert len(demo.SCALE_CODES) == 16
    assert ActualValue.objects.filter(submission__in=submissions).count() == expected
    assert f"{expected} actual values" in output
    run("load_indicator_demo", "--scale", "--reset")
    assert ActualValue.objects.filter(submission__in=submissions).count() == expected


@pytest.mark.django_db
def test_make_scale_sequence_can_run_twice() -> None:
    # What `make scale` runs: delete the indicator layer, replace the synthetic grants, load the indicators.
    assert "no synthetic indicator data" in run("load_indicator_demo", "--scale", "--delete")
    for _ in range(2):
        run("load_indicator_demo", "--scale", "--delete")
        run("load_demo", "--scale", "--reset", "--grants", "3")
        run("load_indicator_demo", "--scale")
    assert grants_demo.scale_grants().count() == 3
    submissions = Submission.objects.filter(country_project__grant__in=grants_demo.scale_grants())
    assert submissions.exists()
    assert ActualValue.objects.filter(submission__in=submissions).count() > 0


def test_trails_carry_the_dates_of_a_real_reporting_cycle(loaded: str) -> None:
    today = timezone.localdate()
    awaiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    waits = {(today - timezone.localdate(s.submitted_at)).days for s in awaiting}
    # Reports waiting for review have waited for different lengths of time, none of them since today.
    assert len(waits) > 1 and min(waits) >= 1
    for submission in Submission.objects.exclude(status=SubmissionStatus.DRAFT).prefetch_related(
        "transitions"
    ):
        times = [t.at for t in submission.transitions.all()]
        assert times == sorted(times), submission
        assert submission.submitted_at.date() > submission.period.end_date


def test_some_projects_fall_behind_and_some_do_better(loaded: str) -> None:
    statuses = set()
    for project in demo.demo_projects():
        table = performance_table(projects=CountryProject.objects.filter(pk=project.pk))
        statuses |= {track for track, count in table.track_counts.items() if count}
    assert {Track.ON_TRACK, Track.BEHIND, Track.AHEAD} <= statuses


def test_one_draft_was_filled_from_a_spreadsheet(loaded: str) -> None:
    """The demo shows the upload in a report's timeline: a real template, filled and applied by the service."""
    assert "1 spreadsheet upload" in loaded
    upload = DataUpload.objects.get()
    assert upload.status == UploadStatus.APPLIED
    report = upload.reports.get()
    assert report.submission.status == SubmissionStatus.DRAFT
    assert report.submission.next_steps.startswith("Hand the attendance registers")
    assert report.changed_cells == 1
    assert upload.uploaded_by.organisation_id == report.submission.country_project.grant.grantee_id
