"""manage.py upload_indicator_data: dry run by default, --commit applies, errors exit with status 1.

The command signals errors with CommandError(returncode=1): from the shell manage.py prints its message to
stderr and exits with status 1; through call_command the exception reaches the caller, as asserted here.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import ActualValue, DataUpload, Submission, UploadStatus
from indicators.services.uploads import NOT_YOURS
from tests.indicators.uploads.helpers import fill, template_bytes, valid_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(tmp_path, world, framework) -> Path:
    path = tmp_path / "guatemala.xlsx"
    data = fill(
        template_bytes(world.project_a, framework.first), valid_values(), report={"expenditure": 12000}
    )
    path.write_bytes(data)
    return path


@pytest.fixture
def with_errors(tmp_path, world, framework) -> Path:
    values = valid_values()
    values[("E1", "age=5-11;sex=female")] = {"value": -3}
    values[("L5", "total")] = {"value": "1,250"}
    path = tmp_path / "errors.xlsx"
    path.write_bytes(fill(template_bytes(world.project_a, framework.first), values))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("upload_indicator_data", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_preview_and_writes_no_values(filled, grantee_a):
    output = run(str(filled), "--user", "grantee_a")

    assert "Guatemala: Country project GT (Not started, version 0): 14 changes, 0 errors" in output
    assert "E1 · Total: empty -> 8" in output
    assert "Changes (14):" in output
    assert "Cumulative expenditure: empty -> 12000" in output
    assert "14 changes to 1 report, ready to apply." in output
    upload = DataUpload.objects.get()
    assert f"Upload {upload.pk} checked; this was a dry run and nothing was written." in output
    assert upload.status == UploadStatus.READY
    assert not ActualValue.objects.exists()
    assert not Submission.objects.exists()


def test_commit_applies_the_file(filled, grantee_a, world, framework):
    output = run(str(filled), "--user", "grantee_a", "--commit")

    upload = DataUpload.objects.get()
    assert "Applied: 14 changes to 1 report." in output
    assert f"Upload {upload.pk} applied." in output
    assert upload.status == UploadStatus.APPLIED
    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert ActualValue.objects.filter(submission=submission).count() == 13
    assert submission.expenditure_text == "12000"


def test_errors_exit_with_status_1_and_list_each_located_message(with_errors, grantee_a):
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("upload_indicator_data", str(with_errors), "--user", "grantee_a", "--commit", stdout=out)

    output = out.getvalue()
    assert raised.value.returncode == 1
    assert "has 3 errors; nothing was written" in str(raised.value)
    assert "Errors (3):" in output
    assert "Indicator data, row 2, column J: The groups' figures add up to 4, but the total is 8" in output
    assert "Indicator data, row 3, column J: A count cannot be negative." in output
    assert "Indicator data, row 14, column J: Use digits only" in output
    assert "3 problems to fix before anything can be applied." in output
    assert "E1 · 5-11, Female: empty -> -3" in output
    assert DataUpload.objects.get().status == UploadStatus.INVALID
    assert not ActualValue.objects.exists()


def test_officer_uploads_on_the_grantees_behalf(filled, officer, world, framework):
    run(str(filled), "--user", "officer", "--commit")

    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert submission.updated_by == officer
    assert ActualValue.objects.filter(submission=submission).count() == 13


def test_other_organisation_gets_the_generic_refusal(filled, grantee_b):
    with pytest.raises(CommandError) as raised:
        run(str(filled), "--user", "grantee_b", "--commit")

    assert NOT_YOURS in str(raised.value)
    assert "Guatemala" not in str(raised.value)
    assert not ActualValue.objects.exists()
    assert not Submission.objects.exists()
    assert DataUpload.objects.get().period is None


def test_other_officer_is_refused(filled, other_officer):
    with pytest.raises(CommandError, match="This template is not for a report you can fill in"):
        run(str(filled), "--user", "officer2", "--commit")
    assert not ActualValue.objects.exists()


def test_unknown_user_is_refused(filled):
    with pytest.raises(CommandError, match="There is no active user named “nobody”"):
        run(str(filled), "--user", "nobody")
    assert not DataUpload.objects.exists()


def test_missing_file_is_refused(tmp_path, grantee_a):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.xlsx: No such file or directory"):
        run(str(tmp_path / "missing.xlsx"), "--user", "grantee_a")
    assert not DataUpload.objects.exists()


def test_file_that_fails_the_preflight_is_refused_and_not_stored(tmp_path, grantee_a, world):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(b"project,indicator,value\n1,E1,8\n")

    with pytest.raises(CommandError) as raised:
        run(str(path), "--user", "grantee_a", "--commit")

    assert str(raised.value).startswith("figures.xlsx: ")
    assert "Nothing was written." in str(raised.value)
    assert not DataUpload.objects.exists()
    assert not ActualValue.objects.exists()


def test_template_for_another_project_than_expected_is_refused(filled, grantee_a, world, framework, tmp_path):
    other = tmp_path / "second.xlsx"
    other.write_bytes(fill(template_bytes(world.project_a, framework.second), valid_values()))

    with pytest.raises(CommandError, match="Upload the file on its own report's page"):
        run(
            str(other),
            "--user",
            "grantee_a",
            "--commit",
            "--project",
            str(world.project_a.pk),
            "--period",
            str(framework.first.pk),
        )
    assert not ActualValue.objects.exists()


def test_expected_project_the_user_cannot_upload_for_is_refused(filled, grantee_a, world):
    with pytest.raises(
        CommandError, match=f"grantee_a cannot upload data for a country project with ID {world.project_b.pk}"
    ):
        run(str(filled), "--user", "grantee_a", "--project", str(world.project_b.pk))
    assert not DataUpload.objects.exists()


def test_period_without_project_is_refused(filled, grantee_a, framework):
    with pytest.raises(CommandError, match="--period needs --project"):
        run(str(filled), "--user", "grantee_a", "--period", str(framework.first.pk))
    assert not DataUpload.objects.exists()
