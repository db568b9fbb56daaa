"""Large uploads go to the task worker: checked with progress, applied on confirmation, failures recorded.

UPLOAD_BACKGROUND_BYTES=0 sends every file to the worker. The test settings run tasks with django-tasks'
ImmediateBackend, and the services enqueue them on commit, so each test runs the captured on-commit
callbacks (pytest-django's django_capture_on_commit_callbacks) to play the worker's part.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from indicators import services
from indicators.models import ActualValue, DataUpload, Submission, UploadStatus
from indicators.services.uploads import upload_receive, upload_request_apply
from tests.indicators.uploads.helpers import fill, template_bytes, valid_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_file_in_background(settings) -> None:
    settings.UPLOAD_BACKGROUND_BYTES = 0


@pytest.fixture
def filled(world, framework) -> bytes:
    return fill(template_bytes(world.project_a, framework.first), valid_values())


@pytest.fixture
def ready(filled, grantee_a, django_capture_on_commit_callbacks) -> DataUpload:
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_receive(actor=grantee_a, name="guatemala.xlsx", data=filled)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message
    return upload


def test_large_file_is_queued_then_checked_by_the_worker(
    filled, grantee_a, framework, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload = upload_receive(actor=grantee_a, name="guatemala.xlsx", data=filled)
        assert upload.status == UploadStatus.QUEUED
        assert DataUpload.objects.get(pk=upload.pk).status == UploadStatus.QUEUED

    assert len(callbacks) == 1
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY
    assert upload.rows_total == 13
    assert upload.rows_done == 13
    assert upload.progress_percent == 100
    assert upload.message == "13 changes to 1 report, ready to apply."
    assert upload.period == framework.first
    assert upload.result["reports"][0]["changes"] == 13
    assert upload.result["changes"][0] == {
        "sheet": "Indicator data",
        "row": 2,
        "column": "",
        "project": upload.result["reports"][0]["project"],
        "what": "E1 · Total",
        "before": "empty",
        "after": "8",
    }
    assert not ActualValue.objects.exists()


def test_confirmation_is_applied_by_the_worker(
    ready, grantee_a, world, framework, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = upload_request_apply(upload=ready, actor=grantee_a)
        assert queued.status == UploadStatus.APPLYING
        assert not ActualValue.objects.exists()

    assert len(callbacks) == 1
    ready.refresh_from_db()
    assert ready.status == UploadStatus.APPLIED
    assert ready.message == "Applied: 13 changes to 1 report."
    assert ready.applied_by == grantee_a
    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert ActualValue.objects.filter(submission=submission).count() == 13
    assert (
        ActualValue.objects.get(submission=submission, cell_key="", project_indicator=framework.reached).value
        == 8
    )


def test_report_saved_after_the_preview_makes_the_worker_refresh_it_and_apply_nothing(
    ready, grantee_a, world, framework, django_capture_on_commit_callbacks
):
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a
    )
    services.submission_save_draft(
        submission=draft,
        expected_version=draft.version,
        actor=grantee_a,
        values={(framework.capital.pk, ""): {"value": "900"}},
    )

    with django_capture_on_commit_callbacks(execute=True):
        upload_request_apply(upload=ready, actor=grantee_a)

    ready.refresh_from_db()
    assert ready.result["stale"].startswith("The reports changed after this preview")
    assert "Nothing was applied" in ready.result["stale"]
    assert ready.status == UploadStatus.READY
    assert ready.applied_at is None
    # The refreshed preview compares with the report as saved on the web.
    capital = next(c for c in ready.result["changes"] if c["what"] == "L5 · Total")
    assert (capital["before"], capital["after"]) == ("900", "1500")
    assert list(ActualValue.objects.values_list("cell_key", "value_text")) == [("", "900")]


def test_unexpected_error_while_checking_marks_the_upload_failed(
    filled, grantee_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("indicators.services.uploads.read_workbook", broken)
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_receive(actor=grantee_a, name="guatemala.xlsx", data=filled)

    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert upload.message == (
        "The file could not be checked because of an error on our side. Upload it again; if it fails again, "
        "tell the program officer."
    )
    assert not ActualValue.objects.exists()


def test_unexpected_error_while_applying_marks_the_upload_failed_and_writes_nothing(
    ready, grantee_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("indicators.services.uploads._write", broken)
    with django_capture_on_commit_callbacks(execute=True):
        upload_request_apply(upload=ready, actor=grantee_a)

    ready.refresh_from_db()
    assert ready.status == UploadStatus.FAILED
    assert ready.message.startswith(
        "The file could not be applied because of an error on our side; nothing was changed."
    )
    assert ready.applied_at is None
    assert not ActualValue.objects.exists()
    assert not Submission.objects.exists()


def test_the_worker_keeps_a_copy_with_the_problems_marked(
    world, framework, grantee_a, client_for, django_capture_on_commit_callbacks
):
    values = valid_values()
    values[("E1", "age=5-11;sex=female")] = {"value": -1}
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_receive(
            actor=grantee_a,
            name="guatemala.xlsx",
            data=fill(template_bytes(world.project_a, framework.first), values),
        )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.INVALID
    assert upload.checked_file.name.endswith(".xlsx")

    response = client_for(grantee_a).get(reverse("indicators:upload_checked_file", args=[upload.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Problems"
    assert "A count cannot be negative." in workbook["Indicator data"]["J3"].comment.text
    assert not ActualValue.objects.exists()
