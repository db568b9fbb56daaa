"""Report runs, saved definitions, the builder pages and downloads, with a small report type of the test's
own (the real types have their own tests): what a run records, who may see its files, and bad input."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from grants.models import User
from reports import services
from reports.models import ReportDefinition, ReportFile, ReportRun, RunStatus
from reports.registry import REGISTRY, ReportType, anyone
from reports.scope import ReportScope, ScopeProblem, scope_projects

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Listing:
    projects: tuple[str, ...]


def build_listing(scope: ReportScope, user: User | None, progress) -> Listing:
    projects = scope_projects(scope, user).order_by("country")
    names = tuple(f"{p.grant.award_number} {p.country.code}" for p in projects.select_related("grant"))
    progress(1, 1, "Listing projects")
    return Listing(projects=names)


def render_text(report: Listing, stream: IO[bytes]) -> None:
    stream.write("\n".join(report.projects or ("Nothing to report",)).encode())


def render_broken(report: Listing, stream: IO[bytes]) -> None:
    raise RuntimeError("disk full")


@pytest.fixture(autouse=True)
def listing_type():
    spec = ReportType(
        code="test-listing",
        title="Project listing",
        description="The country projects in scope.",
        build=build_listing,
        renderers={"xlsx": render_text, "pdf": render_text},
        preview_template="reports/test_listing_preview.html",
        allowed=anyone,
    )
    REGISTRY[spec.code] = spec
    yield spec
    del REGISTRY[spec.code]


def run_now(user, scope: ReportScope | None = None, formats=("xlsx", "pdf")) -> ReportRun:
    scope = scope or ReportScope()
    return services.run_request(
        user=user, report_type="test-listing", scope=scope, formats=formats, background=False
    )


def test_a_run_records_who_what_how_long_and_its_files_checksums(world, manager):
    run = run_now(manager)

    assert run.status == RunStatus.DONE
    assert run.requested_by == manager
    assert sorted(run.project_ids) == sorted([world.project_a.pk, world.project_b.pk])
    assert run.duration_seconds is not None and run.duration_seconds >= 0
    files = {f.format: f for f in run.files.all()}
    assert set(files) == {"xlsx", "pdf"}
    content = files["pdf"].file.open("rb").read()
    assert content == b"IL-11111-24-75-K GT\nIL-22222-24-75-K KE"
    import hashlib

    assert files["pdf"].sha256 == hashlib.sha256(content).hexdigest()


def test_a_grantees_report_covers_only_its_own_projects(world, grantee_a):
    run = run_now(grantee_a)
    assert run.project_ids == [world.project_a.pk]
    assert b"KE" not in run.files.get(format="pdf").file.open("rb").read()


def test_a_grantee_asking_for_another_organisations_grant_is_refused_without_a_run(world, grantee_a):
    with pytest.raises(ValidationError) as refused:
        run_now(grantee_a, ReportScope(grant_ids=(world.grant_b.pk,)))
    assert "exists any more, or you may not see them" in refused.value.message_dict["grants"][0]
    assert not ReportRun.objects.exists()


def test_a_reversed_period_range_is_refused_with_the_dates():
    with pytest.raises(ScopeProblem, match="The period range is reversed: it starts on 01 Oct 2025"):
        ReportScope(period_from=datetime.date(2025, 10, 1), period_to=datetime.date(2025, 4, 1))


def test_a_scope_with_no_data_gives_a_nothing_to_report_file(world, manager):
    run = run_now(manager, ReportScope(countries=("NP",)), formats=("pdf",))
    assert run.status == RunStatus.DONE
    assert run.files.get().file.open("rb").read() == b"Nothing to report"


def test_no_format_or_an_unknown_type_is_refused(manager):
    with pytest.raises(ValidationError, match="Choose at least one of xlsx, pdf"):
        run_now(manager, formats=())
    with pytest.raises(ValidationError, match="Choose a report type"):
        services.run_request(user=manager, report_type="nope", scope=ReportScope(), formats=["pdf"])


def test_a_staff_only_type_is_refused_to_a_grantee(grantee_a, listing_type):
    REGISTRY["test-listing"] = ReportType(
        **{**listing_type.__dict__, "allowed": lambda user: not user.is_grantee}
    )
    with pytest.raises(PermissionDenied):
        run_now(grantee_a)


def test_a_failing_renderer_fails_the_run_with_a_reference_and_stores_nothing(manager, listing_type):
    REGISTRY["test-listing"] = ReportType(**{**listing_type.__dict__, "renderers": {"pdf": render_broken}})
    run = run_now(manager, formats=("pdf",))
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The report could not be built because of an error on our side.")
    assert f"(run {run.pk})" in run.error
    assert not ReportFile.objects.exists()


def test_a_saved_definition_whose_grants_were_deleted_fails_with_the_reason(world, officer):
    definition = services.definition_save(
        user=officer,
        name="Guatemala half-year",
        report_type="test-listing",
        scope=ReportScope(grant_ids=(world.grant_a.pk,)),
        formats=["pdf"],
    )
    assert (
        services.definition_run(definition=definition, user=officer, background=False).status
        == RunStatus.DONE
    )
    definition.scope = ReportScope(grant_ids=(999_999,)).to_json()  # as if the grant had been deleted since
    definition.save()
    with pytest.raises(ValidationError, match="exists any more"):
        services.definition_run(definition=definition, user=officer, background=False)


def test_definition_names_are_unique_per_owner_and_required(officer):
    services.definition_save(
        user=officer, name="Q1", report_type="test-listing", scope=ReportScope(), formats=["pdf"]
    )
    with pytest.raises(ValidationError, match="already have a saved report with that name"):
        services.definition_save(
            user=officer, name="Q1", report_type="test-listing", scope=ReportScope(), formats=["pdf"]
        )
    with pytest.raises(ValidationError, match="Give the saved report a name"):
        services.definition_save(
            user=officer, name=" ", report_type="test-listing", scope=ReportScope(), formats=["pdf"]
        )
    assert ReportDefinition.objects.count() == 1


def test_files_go_only_to_people_who_may_see_every_project_covered(
    client_for, world, manager, grantee_a, grantee_b
):
    run = run_now(manager)
    url = reverse("reports:run_download", args=[run.pk, "pdf"])
    assert client_for(manager).get(url).status_code == 200
    assert client_for(grantee_a).get(url).status_code == 404  # the run covers organisation B too
    assert client_for(grantee_a).get(reverse("reports:run_detail", args=[run.pk])).status_code == 404
    own = run_now(grantee_a)
    assert client_for(grantee_b).get(reverse("reports:run_download", args=[own.pk, "pdf"])).status_code == 404
    assert client_for(manager).get(reverse("reports:run_download", args=[own.pk, "pdf"])).status_code == 200
    response = client_for(grantee_a).get(reverse("reports:run_download", args=[own.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert f"run{own.pk}.pdf" in response["Content-Disposition"]


def test_the_builder_queues_a_run_and_the_worker_builds_it(
    client_for, world, manager, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    assert client.get(reverse("reports:builder")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:builder"),
            {"report_type": "test-listing", "countries": ["GT"], "formats": ["pdf"], "save_as": "Guatemala"},
        )
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:run_detail", args=[run.pk]
    )
    assert run.status == RunStatus.DONE and run.definition.name == "Guatemala"
    status = client.get(reverse("reports:run_status", args=[run.pk])).json()
    assert status["busy"] is False and status["status_label"] == "Ready"
    assert (status["percent"], status["label"]) == (100, "Built")
    page = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert "Download PDF" in page and run.files.get().sha256 in page


def test_the_builder_shows_a_reversed_range_next_to_the_field(client_for, manager):
    response = client_for(manager).post(
        reverse("reports:builder"),
        {
            "report_type": "test-listing",
            "formats": ["pdf"],
            "period_from": "2025-10-01",
            "period_to": "2025-04-01",
        },
    )
    assert response.status_code == 400
    assert "The period range is reversed" in response.context["form"].errors["period_to"][0]
    assert not ReportRun.objects.exists()


def test_saved_definitions_are_their_owners_alone(client_for, officer, other_officer):
    definition = services.definition_save(
        user=officer, name="Mine", report_type="test-listing", scope=ReportScope(), formats=["pdf"]
    )
    other = client_for(other_officer)
    assert other.post(reverse("reports:definition_run", args=[definition.pk])).status_code == 404
    assert other.post(reverse("reports:definition_delete", args=[definition.pk])).status_code == 404
    assert other.get(reverse("reports:builder"), {"definition": definition.pk}).status_code == 404
    assert client_for(officer).get(reverse("reports:definition_run", args=[definition.pk])).status_code == 405
    assert ReportDefinition.objects.filter(pk=definition.pk).exists()


def test_build_report_command_writes_the_files(tmp_path, world, manager):
    call_command(
        "build_report",
        "--user",
        manager.username,
        "--type",
        "test-listing",
        "--format",
        "pdf",
        "--output",
        str(tmp_path),
    )
    (written,) = tmp_path.iterdir()
    assert written.read_bytes() == b"IL-11111-24-75-K GT\nIL-22222-24-75-K KE"


def test_build_report_command_refuses_bad_input_with_a_message(tmp_path, world, grantee_a):
    with pytest.raises(CommandError, match="exists any more"):
        call_command(
            "build_report",
            "--user",
            grantee_a.username,
            "--type",
            "test-listing",
            "--grant",
            str(world.grant_b.pk),
            "--output",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="Give --definition ID, or --type"):
        call_command("build_report", "--user", grantee_a.username, "--output", str(tmp_path))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("code", ["donor", "iptt", "milestones", "financial"])
def test_every_report_type_previews_on_screen(client_for, world, manager, code):
    response = client_for(manager).get(reverse("reports:preview"), {"report_type": code, "formats": ["pdf"]})
    assert response.status_code == 200
    assert REGISTRY[code].title in response.content.decode()


def test_a_grantee_cannot_preview_a_staff_report_but_can_its_iptt(client_for, world, grantee_a):
    client = client_for(grantee_a)
    refused = client.get(reverse("reports:preview"), {"report_type": "donor", "formats": ["pdf"]})
    # The donor report is not among a grantee's choices: the builder says so at the field.
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.context["form"].errors["report_type"][0]
    page = client.get(reverse("reports:preview"), {"report_type": "iptt", "formats": ["pdf"]})
    assert page.status_code == 200
    assert world.grant_b.award_number not in page.content.decode()
