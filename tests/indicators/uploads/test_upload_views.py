"""The web screens of the Excel template and upload: downloads, the upload form, the upload's page with its
preview, applying it, and the entry page's Excel panel and timeline."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from indicators import services
from indicators.cells import TOTAL, make_key
from indicators.models import ActualValue, DataUpload, Submission, UploadedReport, UploadStatus
from indicators.services import uploads
from indicators.services.uploads import NOT_YOURS
from indicators.workbook.layout import DATA, DATA_COLUMNS, DATA_SHEET
from tests.indicators.conftest import AGES
from tests.indicators.conftest import fill as fill_draft
from tests.indicators.uploads.helpers import fill, template_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def full_values(*, each: int = 1) -> dict:
    """Every figure of project A's report, by (indicator code, cell code), as typed into the template."""
    values = {("E1", "total"): {"value": 8 * each}}
    for sex in ("female", "male"):
        for age in AGES:
            values[("E1", make_key({"sex": sex, "age": age}))] = {"value": each}
        values[("E3", make_key({"sex": sex}))] = {"numerator": 5, "denominator": 10}
    values[("E3", "total")] = {"numerator": 10, "denominator": 20}
    values[("L5", "total")] = {"value": 1500}
    return values


def post_file(client: Client, url: str, data: bytes, name: str = "figures.xlsx"):  # type: ignore[no-untyped-def]
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def project_template_url(project, period) -> str:  # type: ignore[no-untyped-def]
    return reverse("indicators:project_template", args=[project.pk, period.pk])


def project_upload_url(project, period) -> str:  # type: ignore[no-untyped-def]
    return reverse("indicators:project_upload", args=[project.pk, period.pk])


@pytest.fixture
def ready_upload(world, framework, grantee_a) -> DataUpload:
    """Grantee A's checked upload of a full report for the first period, not applied yet."""
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    upload = uploads.upload_receive(actor=grantee_a, name="figures.xlsx", data=data)
    assert upload.status == UploadStatus.READY, upload.result
    return upload


@pytest.fixture
def invalid_upload(world, framework, grantee_a) -> DataUpload:
    data = fill(template_bytes(world.project_a, framework.first), {("E1", "total"): {"value": -3}})
    upload = uploads.upload_receive(actor=grantee_a, name="figures.xlsx", data=data)
    assert upload.status == UploadStatus.INVALID, upload.result
    return upload


# --- permission matrix ----------------------------------------------------------------------------------------

# Who may download a project's template and upload for it: the grantee's staff, the grant's officer, admins.
UPLOADERS = {"grantee_a": 200, "officer": 200, "admin_user": 200}
READ_ONLY = {"manager": 403, "other_officer": 403}
OUTSIDERS = {"grantee_b": 404}
MATRIX = {**UPLOADERS, **READ_ONLY, **OUTSIDERS}


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_project_template_permissions(request, persona, expected, client_for, world, framework):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(project_template_url(world.project_a, framework.first))
    assert response.status_code == expected
    if expected == 403:
        assert b"program officer can fill this project" in response.content


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_grant_template_permissions(request, persona, expected, client_for, world, framework):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("indicators:grant_template", args=[world.grant_a.pk, framework.first.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_project_upload_form_permissions(request, persona, expected, client_for, world, framework):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(project_upload_url(world.project_a, framework.first))
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_project_upload_post_permissions(request, persona, expected, client_for, world, framework):
    """Refused before the file is looked at: nothing is stored for a user who may not upload here."""
    client = client_for(request.getfixturevalue(persona))
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    response = post_file(client, project_upload_url(world.project_a, framework.first), data)
    assert response.status_code == (302 if expected == 200 else expected)
    assert DataUpload.objects.count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize("name", ["project_template", "project_upload"])
def test_period_of_another_grant_is_404(name, client_for, grantee_a, world, framework):
    response = client_for(grantee_a).get(
        reverse(f"indicators:{name}", args=[world.project_a.pk, framework.first_b.pk])
    )
    assert response.status_code == 404


def test_grant_template_period_of_another_grant_is_404(client_for, officer, world, framework):
    url = reverse("indicators:grant_template", args=[world.grant_a.pk, framework.first_b.pk])
    assert client_for(officer).get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"), [("grantee_a", 200), ("officer", 200), ("admin_user", 200), ("manager", 403)]
)
def test_general_upload_form_is_for_those_who_fill_reports(request, persona, expected, client_for, world):
    response = client_for(request.getfixturevalue(persona)).get(reverse("indicators:upload_create"))
    assert response.status_code == expected


UPLOAD_PAGES = ["upload_detail", "upload_status", "upload_file", "upload_checked_file"]


@pytest.mark.parametrize("name", UPLOAD_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("grantee_a", 200), ("officer", 200), ("manager", 200), ("admin_user", 200), ("grantee_b", 404)],
)
def test_upload_pages_are_scoped(request, name, persona, expected, client_for, invalid_upload):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse(f"indicators:{name}", args=[invalid_upload.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["upload_detail", *UPLOAD_PAGES, "upload_apply"])
def test_unknown_upload_is_404(name, client_for, grantee_a):
    client = client_for(grantee_a)
    method = client.post if name == "upload_apply" else client.get
    assert method(reverse(f"indicators:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [("manager", 403), ("officer", 403), ("grantee_b", 404)])
def test_only_the_uploader_applies(request, persona, expected, client_for, ready_upload):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("indicators:upload_apply", args=[ready_upload.pk])
    )
    assert response.status_code == expected
    ready_upload.refresh_from_db()
    assert ready_upload.status == UploadStatus.READY
    assert ActualValue.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("upload_apply", "get"),
        ("upload_detail", "post"),
        ("upload_status", "post"),
        ("upload_file", "post"),
        ("upload_checked_file", "post"),
    ],
)
def test_wrong_method_is_405(name, method, client_for, grantee_a, invalid_upload):
    response = getattr(client_for(grantee_a), method)(reverse(f"indicators:{name}", args=[invalid_upload.pk]))
    assert response.status_code == 405


def test_template_download_is_get_only(client_for, grantee_a, world, framework):
    assert (
        client_for(grantee_a).post(project_template_url(world.project_a, framework.first)).status_code == 405
    )


def test_upload_made_by_another_organisation_is_404_even_when_it_named_nothing(
    client_for, grantee_a, grantee_b, world, framework
):
    """Grantee B's refused upload of A's template stays B's alone: A gets 404 for it, as for any other."""
    data = template_bytes(world.project_a, framework.first)
    upload = uploads.upload_receive(actor=grantee_b, name="not-mine.xlsx", data=data)
    assert client_for(grantee_a).get(reverse("indicators:upload_detail", args=[upload.pk])).status_code == 404


# --- the template download ------------------------------------------------------------------------------------


def test_project_template_is_the_report_as_a_workbook(client_for, grantee_a, world, framework):
    response = client_for(grantee_a).get(project_template_url(world.project_a, framework.first))
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert f"indicator-data-{world.grant_a.award_number}-GT-" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook[DATA_SHEET]
    assert [cell.value for cell in sheet[1]] == [column.header for column in DATA_COLUMNS]
    rows = {
        (row[DATA["indicator"].index - 1], row[DATA["cell"].index - 1])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert ("E1", "total") in rows
    assert ("E3", make_key({"sex": "female"})) in rows
    assert len(rows) == 1 + 8 + 3 + 1  # E1 total and 8 cells, E3 total and 2, L5


def test_grant_template_covers_the_projects_the_user_can_fill(client_for, officer, world, framework):
    from tests.factories import CountryProjectFactory

    CountryProjectFactory(grant=world.grant_a, country="HN")
    response = client_for(officer).get(
        reverse("indicators:grant_template", args=[world.grant_a.pk, framework.first.pk])
    )
    assert "-all-projects-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[DATA_SHEET]
    names = {row[DATA["project_name"].index - 1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {f"Guatemala: {world.project_a.title}"}  # the new project has no indicators yet
    projects = {row[DATA["project"].index - 1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert projects == {world.project_a.pk}


# --- the upload form ------------------------------------------------------------------------------------------


def test_upload_without_a_file_is_refused_at_the_field(client_for, grantee_a, world, framework):
    response = client_for(grantee_a).post(project_upload_url(world.project_a, framework.first), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Choose the filled-in template (.xlsx) to upload."]
    assert DataUpload.objects.count() == 0


def test_file_over_the_limit_is_refused_at_the_field(settings, client_for, grantee_a, world, framework):
    settings.UPLOAD_MAX_BYTES = 1000
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    response = post_file(client_for(grantee_a), project_upload_url(world.project_a, framework.first), data)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert message.startswith("The file is ") and "the limit is 1000" in message
    assert DataUpload.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused_at_the_field(client_for, grantee_a, world, framework):
    response = post_file(
        client_for(grantee_a),
        project_upload_url(world.project_a, framework.first),
        b"indicator,value\nE1,8\n",
        name="figures.xlsx",
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert message == (
        "This is a text file (perhaps a CSV), not an Excel workbook. Fill in the .xlsx template and upload "
        "it as it is."
    )
    assert escape(message) in response.content.decode()
    assert DataUpload.objects.count() == 0


def test_another_organisations_template_gets_the_generic_message(client_for, grantee_b, world, framework):
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    response = post_file(client_for(grantee_b), reverse("indicators:upload_create"), data)
    upload = DataUpload.objects.get()
    assert response.url == reverse("indicators:upload_detail", args=[upload.pk])
    page = client_for(grantee_b).get(response.url)
    assert escape(NOT_YOURS) in page.content.decode()
    assert world.project_a.title not in page.content.decode()
    assert page.context["upload"].period is None
    assert ActualValue.objects.count() == 0
    assert not Submission.objects.filter(country_project=world.project_a).exists()


def test_template_of_another_report_is_refused_on_a_reports_page(client_for, grantee_a, world, framework):
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    client = client_for(grantee_a)
    response = post_file(client, project_upload_url(world.project_a, framework.second), data)
    page = client.get(response.url)
    assert page.context["upload"].status == UploadStatus.INVALID
    assert "This template is for" in page.content.decode()
    assert "Apply these changes" not in page.content.decode()
    assert ActualValue.objects.count() == 0


# --- the happy path -------------------------------------------------------------------------------------------


def test_download_fill_upload_preview_apply(client_for, grantee_a, world, framework):
    client = client_for(grantee_a)
    template = client.get(project_template_url(world.project_a, framework.first)).content
    data = fill(template, full_values(), report={"expenditure": 12000, "achievements": "Classes opened"})

    response = post_file(client, project_upload_url(world.project_a, framework.first), data)
    upload = DataUpload.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("indicators:upload_detail", args=[upload.pk])
    page = client.get(response.url)
    html = page.content.decode()
    assert page.context["upload"].status == UploadStatus.READY
    assert "15 changes to 1 report, ready to apply." in html
    assert "E1 · Total" in html
    assert "Apply these changes" in html
    assert upload.sha256[:12] in html
    assert ActualValue.objects.count() == 0  # nothing written before the confirmation

    response = client.post(reverse("indicators:upload_apply", args=[upload.pk]), follow=True)
    assert 'data-testid="upload-message">Applied: 15 changes to 1 report.</div>' in response.content.decode()
    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert submission.status == "draft"
    total = ActualValue.objects.get(
        submission=submission, project_indicator=framework.reached, cell_key=TOTAL
    )
    assert total.value == Decimal(8)
    assert ActualValue.objects.filter(submission=submission).count() == 13
    assert submission.cumulative_expenditure == Decimal(12000)
    entry = reverse("indicators:submission_entry", args=[submission.pk])
    assert entry in response.content.decode()  # the changed report is linked from the upload page

    timeline = client.get(entry).content.decode()
    assert "Uploaded <a" in timeline and "figures.xlsx</a> — 15 values changed — by" in timeline


def test_officer_uploads_on_the_grantees_behalf(client_for, officer, world, framework):
    client = client_for(officer)
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    response = post_file(client, project_upload_url(world.project_a, framework.first), data)
    upload = DataUpload.objects.get()
    client.post(reverse("indicators:upload_apply", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.APPLIED
    assert upload.applied_by == officer
    assert response.status_code == 302
    assert ActualValue.objects.count() == 13


def test_preview_with_an_error_offers_the_marked_file_and_no_apply(client_for, grantee_a, invalid_upload):
    client = client_for(grantee_a)
    page = client.get(reverse("indicators:upload_detail", args=[invalid_upload.pk]))
    html = page.content.decode()
    assert "Nothing can be applied until every error is fixed" in html
    assert "A count cannot be negative." in html
    (error,) = page.context["page"].errors
    assert (error["sheet"], error["row"], error["column"]) == (DATA_SHEET, 2, DATA["value"].letter)
    assert "Apply these changes" not in html
    assert (
        reverse("indicators:upload_create") in html
    )  # "Upload a corrected file" (uploaded from the overview)

    marked = client.get(reverse("indicators:upload_checked_file", args=[invalid_upload.pk]))
    assert marked["Content-Type"] == XLSX
    assert "figures-problems-marked.xlsx" in marked["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(marked.content))
    comment = workbook[DATA_SHEET][f"{DATA['value'].letter}2"].comment
    assert comment is not None and "A count cannot be negative." in comment.text


def test_applying_an_upload_with_errors_is_refused(client_for, grantee_a, invalid_upload):
    response = client_for(grantee_a).post(
        reverse("indicators:upload_apply", args=[invalid_upload.pk]), follow=True
    )
    (message,) = _messages(response)
    assert message == "This upload cannot be applied: it has errors to fix first."
    assert ActualValue.objects.count() == 0


def test_stale_preview_is_refused_and_refreshed(client_for, grantee_a, world, framework, draft, ready_upload):
    fill_draft(draft, framework, grantee_a)  # saved on the web after the preview
    before = list(ActualValue.objects.values_list("pk", "value_text"))
    response = client_for(grantee_a).post(
        reverse("indicators:upload_apply", args=[ready_upload.pk]), follow=True
    )
    (message,) = _messages(response)
    assert message.startswith("The reports changed after this preview")
    assert "Nothing was applied" in message
    assert list(ActualValue.objects.values_list("pk", "value_text")) == before
    assert response.context["page"].stale == message


def test_original_file_is_downloaded_as_uploaded(client_for, grantee_a, ready_upload):
    response = client_for(grantee_a).get(reverse("indicators:upload_file", args=[ready_upload.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="figures.xlsx"'
    with ready_upload.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_same_file_twice_is_recognised(client_for, grantee_a, world, framework):
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    client = client_for(grantee_a)
    first = post_file(client, project_upload_url(world.project_a, framework.first), data)
    second = post_file(client, project_upload_url(world.project_a, framework.first), data)
    page = client.get(second.url)
    assert page.context["page"].same_file["visible"] is True
    assert f'href="{first.url}"' in page.content.decode()


def test_busy_upload_shows_a_progress_bar_and_reports_its_status(client_for, grantee_a, world, framework):
    data = fill(template_bytes(world.project_a, framework.first), full_values())
    # Queued for the worker: the test does not run on-commit callbacks, so it stays queued.
    upload = uploads.upload_receive(actor=grantee_a, name="big.xlsx", data=data, background=True)
    client = client_for(grantee_a)
    html = client.get(reverse("indicators:upload_detail", args=[upload.pk])).content.decode()
    status_url = reverse("indicators:upload_status", args=[upload.pk])
    assert f'data-status-url="{status_url}"' in html
    assert "js/progress.js" in html
    assert ">Refresh</a>" in html
    state = client.get(status_url).json()
    assert state == {
        "label": "Waiting for the worker",
        "determinate": False,
        "detail": "",
        "status": "queued",
        "status_label": "Waiting for the worker",
        "rows_done": 0,
        "rows_total": 0,
        "percent": 0,
        "busy": True,
        "message": "",
    }


# --- the entry page, the periods pages and the overview ------------------------------------------------------


def test_entry_page_offers_the_excel_panel_to_uploaders(client_for, grantee_a, officer, manager, draft):
    url = reverse("indicators:submission_entry", args=[draft.pk])
    upload_url = project_upload_url(draft.country_project, draft.period)
    for user in (grantee_a, officer):
        html = client_for(user).get(url).content.decode()
        assert 'data-testid="excel-panel"' in html
        assert upload_url in html
    assert 'data-testid="excel-panel"' not in client_for(manager).get(url).content.decode()


def test_entry_page_says_a_locked_report_cannot_be_uploaded_to(client_for, grantee_a, framework, draft):
    submission = fill_draft(draft, framework, grantee_a)
    services.submission_submit(submission=submission, actor=grantee_a, expected_version=submission.version)
    html = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[draft.pk])).content.decode()
    assert "submitted for review and locked, so an upload cannot change it" in html.lower()
    assert project_upload_url(draft.country_project, draft.period) not in html
    assert project_template_url(draft.country_project, draft.period) in html


def test_project_reporting_links_templates_for_uploaders(client_for, grantee_a, manager, world, framework):
    url = reverse("indicators:project_reporting", args=[world.project_a.pk])
    template = project_template_url(world.project_a, framework.first)
    assert template in client_for(grantee_a).get(url).content.decode()
    assert template not in client_for(manager).get(url).content.decode()


@pytest.mark.parametrize(("persona", "shown"), [("grantee_a", True), ("officer", True), ("manager", False)])
def test_grant_periods_link_the_all_projects_template(request, persona, shown, client_for, world, framework):
    html = (
        client_for(request.getfixturevalue(persona))
        .get(reverse("indicators:grant_periods", args=[world.grant_a.pk]))
        .content.decode()
    )
    url = reverse("indicators:grant_template", args=[world.grant_a.pk, framework.first.pk])
    assert (url in html) is shown


def test_reporting_overview_links_the_upload_form(client_for, grantee_a, manager):
    url = reverse("indicators:upload_create")
    assert url in client_for(grantee_a).get(reverse("indicators:reporting_overview")).content.decode()
    assert url not in client_for(manager).get(reverse("indicators:reporting_overview")).content.decode()


# --- queries --------------------------------------------------------------------------------------------------


def _many_rows_upload(world, framework, grantee_a, *, errors: bool) -> DataUpload:  # type: ignore[no-untyped-def]
    """25+ changes or errors: E1 with each cell set (negative when ``errors``)."""
    from indicators.models import DisaggregationCategory
    from tests.indicator_factories import IndicatorFactory

    categories = list(DisaggregationCategory.objects.filter(code__in=["age", "migration"]))
    for _ in range(2):  # 2 indicators x 12 cells and a total
        indicator = IndicatorFactory()
        indicator.categories.set(categories)
        services.project_indicator_create(
            country_project=world.project_a, indicator=indicator, actor=world.grant_a.program_officer
        )
    data = template_bytes(world.project_a, framework.first)
    sign = -1 if errors else 1

    def edit(workbook):  # type: ignore[no-untyped-def]
        sheet = workbook[DATA_SHEET]
        for number in range(2, sheet.max_row + 1):
            if sheet.cell(number, DATA["measure"].index).value != "percentage":
                sheet.cell(number, DATA["value"].index).value = sign
        return workbook

    return uploads.upload_receive(actor=grantee_a, name="many.xlsx", data=fill(data, edit=edit))


@pytest.mark.parametrize("errors", [False, True])
def test_upload_page_query_count(
    errors, client_for, grantee_a, world, framework, django_assert_max_num_queries
):
    upload = _many_rows_upload(world, framework, grantee_a, errors=errors)
    assert (upload.error_count if errors else upload.change_count) >= 20
    client = client_for(grantee_a)
    url = reverse("indicators:upload_detail", args=[upload.pk])
    # 4: the session, the user, the user's organisation (the menu), the upload with its uploader, period and
    # grant. The preview is read from the upload's JSON, so the rows cost nothing.
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200


def test_applied_upload_page_query_count(client_for, grantee_a, ready_upload, django_assert_max_num_queries):
    client = client_for(grantee_a)
    client.post(reverse("indicators:upload_apply", args=[ready_upload.pk]))
    # Uploaded again, so the page also looks up the earlier upload of the same file.
    again = uploads.upload_receive(
        actor=grantee_a, name="again.xlsx", data=ready_upload.file.open("rb").read()
    )
    url = reverse("indicators:upload_detail", args=[ready_upload.pk])
    # 5: session, user, organisation, the upload; the changed reports with their projects and periods.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    # 5: session, user, organisation, the upload; whether the earlier upload of the same file is visible.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("indicators:upload_detail", args=[again.pk])).status_code == 200
    assert UploadedReport.objects.count() == 1
