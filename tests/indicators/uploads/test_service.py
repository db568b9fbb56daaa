"""The upload service: a filled template checked into a preview, then applied in one transaction or not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import services
from indicators.access import uploads_visible_to
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    DataUpload,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    UploadStatus,
)
from indicators.services import uploads
from tests.factories import CountryProjectFactory
from tests.indicators.conftest import complete_values
from tests.indicators.uploads.helpers import fill, template_bytes, valid_values

pytestmark = pytest.mark.django_db


def full_file(each: int = 1) -> dict:
    return valid_values(each=each, capital=1500.5)


def receive(user, data: bytes, **kwargs) -> DataUpload:
    return uploads.upload_receive(actor=user, name="figures.xlsx", data=data, **kwargs)


def test_a_filled_template_is_previewed_then_applied_to_a_new_draft(world, framework, grantee_a):
    data = fill(
        template_bytes(world.project_a, framework.first),
        full_file(),
        report={"expenditure": 12000, "achievements": "Two new learning centres opened."},
    )
    upload = receive(grantee_a, data)

    assert upload.status == UploadStatus.READY
    assert upload.change_count == 15  # 13 cells, the expenditure and the achievements
    assert upload.message == "15 changes to 1 report, ready to apply."
    assert upload.result["reports"][0]["status"] == "Not started"
    total = next(c for c in upload.result["changes"] if c["what"] == "E1 · Total")
    assert (total["sheet"], total["row"], total["before"], total["after"]) == (
        "Indicator data",
        2,
        "empty",
        "8",
    )
    # The preview writes nothing but the upload.
    assert not Submission.objects.exists() and not ActualValue.objects.exists()

    applied = uploads.upload_apply(upload=upload, actor=grantee_a)

    assert applied.status == UploadStatus.APPLIED
    assert applied.message == "Applied: 15 changes to 1 report."
    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.version == 1
    assert submission.cumulative_expenditure == Decimal("12000")
    assert submission.achievements == "Two new learning centres opened."
    stored = {(v.project_indicator_id, v.cell_key): v for v in submission.values.all()}
    assert len(stored) == 13
    assert stored[(framework.reached.pk, TOTAL)].value == Decimal(8)
    assert stored[(framework.capital.pk, TOTAL)].value == Decimal("1500.5")
    assert stored[(framework.attending.pk, TOTAL)].numerator == Decimal(10)
    started = SubmissionTransition.objects.get(submission=submission)
    assert started.comment == "Started by the upload of figures.xlsx"
    assert list(applied.reports.values_list("submission", "changed_cells", "created_submission")) == [
        (submission.pk, 15, True)
    ]
    # Its history: started, then filled by the upload, which the change reason names.
    assert submission.history.count() == 2
    assert submission.history.first().history_change_reason == "Upload of figures.xlsx"


def test_an_upload_changes_only_what_differs_keeps_comments_and_clears_emptied_cells(
    world, framework, grantee_a, draft
):
    values = complete_values(framework)
    values[(framework.capital.pk, TOTAL)] = {"value": "1500.00", "comment": "From the ledger"}
    services.submission_save_draft(
        submission=draft, expected_version=draft.version, actor=grantee_a, values=values
    )
    file_values = full_file()
    file_values[("L5", "total")] = {"value": 1750}
    file_values[("E3", "total")] = {"numerator": None, "denominator": None}
    file_values[("E3", "sex=female")] = {"numerator": None, "denominator": None}
    file_values[("E3", "sex=male")] = {"numerator": None, "denominator": None}
    upload = receive(grantee_a, fill(template_bytes(world.project_a, framework.first), file_values))

    assert upload.status == UploadStatus.READY, upload.result["errors"]
    changes = {c["what"]: (c["before"], c["after"]) for c in upload.result["changes"]}
    assert changes == {
        "E3 · Total": ("10 / 20", "empty"),
        "E3 · Female": ("5 / 10", "empty"),
        "E3 · Male": ("5 / 10", "empty"),
        "L5 · Total": ("1500.00", "1750"),
    }
    uploads.upload_apply(upload=upload, actor=grantee_a)

    draft.refresh_from_db()
    assert not draft.values.filter(project_indicator=framework.attending).exists()
    capital = draft.values.get(project_indicator=framework.capital)
    assert (capital.value, capital.comment) == (Decimal(1750), "From the ledger")


def test_the_template_carries_the_drafts_figures_so_an_unchanged_file_changes_nothing(
    world, framework, grantee_a, draft
):
    services.submission_save_draft(
        submission=draft, expected_version=draft.version, actor=grantee_a, values=complete_values(framework)
    )
    upload = receive(grantee_a, template_bytes(world.project_a, framework.first))

    assert upload.status == UploadStatus.READY
    assert upload.change_count == 0
    assert upload.message == "Nothing to change: the file holds the figures the reports already have."
    with pytest.raises(ValidationError, match="Nothing to apply"):
        uploads.upload_apply(upload=upload, actor=grantee_a)


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_values_of_a_locked_report_are_refused_but_an_unchanged_locked_report_is_not(
    world, framework, grantee_a, officer, draft, status
):
    values = complete_values(framework)
    services.submission_save_draft(
        submission=draft, expected_version=draft.version, actor=grantee_a, values=values, achievements="Done."
    )
    services.submission_save_draft(
        submission=draft, expected_version=draft.version + 1, actor=grantee_a, expenditure="100"
    )
    draft.refresh_from_db()
    services.submission_submit(submission=draft, actor=grantee_a)
    if status == "approved":
        services.submission_approve(submission=draft, actor=officer)
    template = template_bytes(world.project_a, framework.first)

    assert receive(grantee_a, template).status == UploadStatus.READY

    upload = receive(grantee_a, fill(template, {("E1", "total"): {"value": 9}}))
    assert upload.status == UploadStatus.INVALID
    error = upload.result["errors"][0]
    assert (error["sheet"], error["row"]) == ("Indicator data", 2)
    assert "locked" in error["message"] and "so the upload cannot change it" in error["message"]
    assert draft.values.get(project_indicator=framework.reached, cell_key=TOTAL).value == Decimal(8)


def test_a_closed_period_refuses_changes(world, framework, grantee_a, officer):
    services.reporting_period_set_status(period=framework.first, status="closed", actor=officer, note="Audit")
    upload = receive(grantee_a, fill(template_bytes(world.project_a, framework.first), full_file()))
    assert upload.status == UploadStatus.INVALID
    assert "is closed, so the upload cannot change its reports" in upload.result["errors"][0]["message"]
    assert not Submission.objects.exists()


def test_errors_are_located_by_sheet_row_and_column_and_block_everything(world, framework, grantee_a):
    values = full_file()
    values[("E1", "total")] = {"value": 7}  # the groups add up to 8
    values[("E3", "sex=female")] = {"numerator": 12, "denominator": 10}
    values[("L5", "total")] = {"value": "1,250"}
    upload = receive(
        grantee_a, fill(template_bytes(world.project_a, framework.first), values, report={"expenditure": -5})
    )

    located = {(e["sheet"], e["row"], e["column"]): e["message"] for e in upload.result["errors"]}
    assert located == {
        ("Indicator data", 2, "J"): "The groups' figures add up to 8, more than the total of 7.",
        ("Indicator data", 11, "K"): "The groups' numerators add up to 17, more than the total of 10.",
        ("Indicator data", 12, "K"): "The numerator (12) cannot be larger than the denominator (10).",
        (
            "Indicator data",
            14,
            "J",
        ): "Use digits only, with a point for decimals (1500 or 12.5, not 1,500 or 12,5).",
        ("Report", 2, "C"): "The amount cannot be negative.",
    }
    assert upload.error_count == 5
    assert upload.message == "5 problems to fix before anything can be applied."
    with pytest.raises(ValidationError, match="cannot be applied: it has errors to fix first"):
        uploads.upload_apply(upload=upload, actor=grantee_a)
    assert not ActualValue.objects.exists() and not Submission.objects.exists()


def test_a_large_change_is_a_warning_not_an_error(world, framework, grantee_a, officer, draft):
    services.submission_save_draft(
        submission=draft,
        expected_version=draft.version,
        actor=grantee_a,
        values=complete_values(framework),
        achievements="Done.",
        expenditure="100",
    )
    draft.refresh_from_db()
    services.submission_submit(submission=draft, actor=grantee_a)
    services.submission_approve(submission=draft, actor=officer)
    values = full_file(each=3)  # 24 children reached after 8: up 200%
    upload = receive(grantee_a, fill(template_bytes(world.project_a, framework.second), values))

    assert upload.status == UploadStatus.READY
    warning = upload.result["warnings"][0]
    assert (warning["row"], warning["column"]) == (2, "N")
    assert warning["message"].startswith("This is up 200% on the previous period (8 to 24)")


def test_a_report_saved_on_the_web_after_the_preview_is_not_overwritten(world, framework, grantee_a, draft):
    upload = receive(grantee_a, fill(template_bytes(world.project_a, framework.first), full_file()))
    services.submission_save_draft(
        submission=draft,
        expected_version=draft.version,
        actor=grantee_a,
        values={(framework.capital.pk, TOTAL): {"value": "99"}},
    )

    with pytest.raises(ValidationError, match="changed after this preview"):
        uploads.upload_apply(upload=upload, actor=grantee_a)

    assert draft.values.get().value == Decimal(99)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY
    assert "changed after this preview" in upload.result["stale"]
    assert upload.result["reports"][0]["version"] == draft.version + 1
    # Confirmed again against the refreshed preview, it applies.
    assert uploads.upload_apply(upload=upload, actor=grantee_a).status == UploadStatus.APPLIED


def test_a_template_made_before_a_web_save_says_so(world, framework, grantee_a, draft):
    template = template_bytes(world.project_a, framework.first)
    services.submission_save_draft(
        submission=draft,
        expected_version=draft.version,
        actor=grantee_a,
        values={(framework.capital.pk, TOTAL): {"value": "99"}},
    )
    upload = receive(grantee_a, fill(template, full_file()))
    assert any("was saved on the web after this template was made" in note for note in upload.result["notes"])


def test_the_same_file_uploaded_twice_is_recognised(world, framework, grantee_a):
    data = fill(template_bytes(world.project_a, framework.first), full_file())
    first = receive(grantee_a, data)
    uploads.upload_apply(upload=first, actor=grantee_a)
    second = receive(grantee_a, data)

    assert second.result["same_file"]["id"] == first.pk
    assert second.result["same_file"]["status"] == "Applied"
    assert second.change_count == 0
    assert second.sha256 == first.sha256


def test_only_the_uploader_applies(world, framework, grantee_a, admin_user):
    upload = receive(grantee_a, fill(template_bytes(world.project_a, framework.first), full_file()))
    with pytest.raises(ValidationError, match="Only the person who uploaded the file"):
        uploads.upload_apply(upload=upload, actor=admin_user)
    assert not ActualValue.objects.exists()


def test_the_grants_officer_uploads_on_the_grantees_behalf(world, framework, officer):
    upload = receive(officer, fill(template_bytes(world.project_a, framework.first), full_file()))
    assert upload.status == UploadStatus.READY
    uploads.upload_apply(upload=upload, actor=officer)
    assert Submission.objects.get().updated_by == officer


@pytest.mark.parametrize("who", ["grantee_b", "other_officer", "manager"])
def test_someone_who_may_not_fill_the_report_gets_one_message_that_names_nothing(
    world, framework, who, request, grantee_a
):
    user = request.getfixturevalue(who)
    upload = receive(user, fill(template_bytes(world.project_a, framework.first), full_file()))

    assert upload.status == UploadStatus.INVALID
    assert upload.message == uploads.NOT_YOURS
    assert upload.period is None
    assert world.project_a.title not in str(upload.result) and "Guatemala" not in str(upload.result)
    assert not Submission.objects.exists()
    # The attempt is its uploader's alone: organisation A does not see it, nor does B see A's uploads.
    assert upload not in uploads_visible_to(grantee_a)


def test_a_template_for_another_report_is_refused_on_a_reports_page(world, framework, grantee_a):
    data = fill(template_bytes(world.project_a, framework.first), full_file())
    upload = receive(grantee_a, data, expected_project=world.project_a, expected_period=framework.second)
    assert upload.status == UploadStatus.INVALID
    assert upload.message.startswith(
        f"This template is for Guatemala: {world.project_a.title}, {framework.first.label}"
    )


def test_a_grant_workbook_fills_several_projects_in_one_transaction(world, framework, grantee_a, officer):
    second = CountryProjectFactory(grant=world.grant_a, country="HN")
    services.project_indicator_create(
        country_project=second, indicator=framework.capital.indicator, actor=officer
    )
    data = template_bytes([world.project_a, second], framework.first)
    values = full_file()
    del values[("L5", "total")]  # two rows have that key now; the second project's is set below
    upload = receive(grantee_a, fill(data, values, edit=lambda wb: _set_second_capital(wb, second.pk, 300)))

    assert upload.status == UploadStatus.READY, upload.result["errors"]
    assert [r["changes"] for r in upload.result["reports"]] == [12, 1]
    uploads.upload_apply(upload=upload, actor=grantee_a)
    assert Submission.objects.filter(period=framework.first).count() == 2
    assert ActualValue.objects.get(submission__country_project=second).value == Decimal(300)


def _set_second_capital(workbook, project_id: int, amount: int) -> None:
    sheet = workbook["Indicator data"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == project_id and sheet.cell(row, 3).value == "L5":
            sheet.cell(row, 10).value = amount


def test_queries_do_not_grow_with_the_rows(world, framework, grantee_a):
    """Check and apply run the same statements for one changed cell as for every cell: the upload, the scope
    (period, projects), the reports, the library (indicators, categories, options), the stored values, the
    earlier approved reports and their values, the rules, and the bulk writes."""
    template = template_bytes(world.project_a, framework.first)
    one = fill(template, {("L5", "total"): {"value": 5}})
    counts = []
    for data in (one, fill(template, full_file())):
        Submission.objects.all().delete()
        with CaptureQueriesContext(connection) as checked:
            upload = receive(grantee_a, data)
        with CaptureQueriesContext(connection) as applied:
            uploads.upload_apply(upload=upload, actor=grantee_a)
        counts.append((len(checked), len(applied)))
    assert counts[0] == counts[1]
