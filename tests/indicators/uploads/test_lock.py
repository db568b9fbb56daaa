"""Uploads follow the period's entry window: past the due date plus grace a grantee's file cannot change a
report never submitted (each changed cell says why), while a returned report stays correctable."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from indicators import services
from indicators.models import Submission, UploadStatus
from indicators.services import uploads
from indicators.services.periods import reporting_period_reopen
from tests.indicators.conftest import fill as fill_draft
from tests.indicators.uploads.helpers import fill, template_bytes, valid_values

pytestmark = pytest.mark.django_db

GRACE = 15


@pytest.fixture(autouse=True)
def _grace(settings):  # type: ignore[no-untyped-def]
    settings.REPORTING_GRACE_DAYS = GRACE


def _receive(user, world, framework):
    data = fill(template_bytes(world.project_a, framework.first), valid_values(each=1, capital=1500.5))
    return uploads.upload_receive(actor=user, name="figures.xlsx", data=data)


def test_a_locked_period_refuses_a_grantees_changes_cell_by_cell(world, framework, grantee_a):
    upload = _receive(grantee_a, world, framework)
    assert upload.status == UploadStatus.INVALID
    messages = {e["message"] for e in upload.result["errors"]}
    assert messages == {f"The upload cannot change this report. {framework.first.lock_message(GRACE)}"}
    assert len(upload.result["errors"]) == 13  # one per changed cell: E1's 9, E3's 3, L5's 1
    assert not Submission.objects.exists()


def test_the_grants_officer_uploading_on_the_grantees_behalf_is_not_locked(world, framework, officer):
    assert _receive(officer, world, framework).status == UploadStatus.READY


def test_a_reopened_period_accepts_the_grantees_file(world, framework, grantee_a, officer):
    reporting_period_reopen(
        period=framework.first, until=timezone.localdate() + datetime.timedelta(days=5), actor=officer
    )
    assert _receive(grantee_a, world, framework).status == UploadStatus.READY


def test_a_returned_report_can_be_corrected_by_upload_after_the_lock(world, framework, grantee_a, officer):
    early = framework.first.due_date
    draft = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a, today=early
    )
    fill_draft(draft, framework, grantee_a, today=early)
    services.submission_submit(submission=draft, actor=grantee_a, today=early)
    services.submission_return(submission=draft, actor=officer, comment="Check the figures.")
    data = fill(template_bytes(world.project_a, framework.first), valid_values(each=2, capital=1700))
    upload = uploads.upload_receive(actor=grantee_a, name="figures.xlsx", data=data)
    assert upload.status == UploadStatus.READY, upload.result.get("errors")
