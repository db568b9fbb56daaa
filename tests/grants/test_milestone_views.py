"""Milestone screens: who may do what, what bad input shows, how the list filters, and what it costs."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grants import services
from grants.models import (
    Milestone,
    MilestoneCategory,
    MilestoneEvidence,
    MilestoneStatusChange,
)
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, response) -> list[str]:
    """The flash messages shown on the page a redirect leads to."""
    assert response.status_code == 302, response.status_code
    return _messages(client.get(response["Location"]))


def _pdf(name: str = "report.pdf", content: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- permission matrix --------------------------------------------------------------------------------------

# What each persona gets on organisation A's milestone (assigned officer: `officer`).
#   read: detail, list membership, export membership, evidence download; write: every change.
READ_OK, WRITE_OK, FORBIDDEN, NOT_FOUND = "read-ok", "write-ok", 403, 404
MATRIX = {
    "officer": (READ_OK, WRITE_OK),
    "admin_user": (READ_OK, WRITE_OK),
    "other_officer": (READ_OK, FORBIDDEN),
    "manager": (READ_OK, FORBIDDEN),
    "grantee_a": (READ_OK, FORBIDDEN),
    "grantee_b": (NOT_FOUND, NOT_FOUND),
}


@dataclass
class Target:
    milestone: Milestone
    evidence: MilestoneEvidence


@pytest.fixture
def target(world, officer) -> Target:
    evidence = services.evidence_add(
        milestone=world.milestone_a, actor=officer, name="plan.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    return Target(world.milestone_a, evidence)


def _read_urls(t: Target) -> list[str]:
    return [
        reverse("grants:milestone_detail", args=[t.milestone.pk]),
        reverse("grants:evidence_download", args=[t.evidence.pk]),
    ]


def _write_get_urls(t: Target) -> list[str]:
    return [
        reverse("grants:milestone_update", args=[t.milestone.pk]),
        reverse("grants:milestone_create", args=[t.milestone.country_project_id]),
    ]


@pytest.mark.parametrize("persona", MATRIX)
def test_read_access_matrix(request, client_for, target, persona):
    read, _ = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    for url in _read_urls(target):
        response = client.get(url)
        assert response.status_code == (200 if read == READ_OK else 404), url
    listed = client.get(reverse("grants:milestone_list"), {"timing": "all"})
    assert (target.milestone in listed.context["table"].data) == (read == READ_OK)
    exported = client.get(reverse("grants:milestone_export", args=["csv"]), {"timing": "all"})
    assert (target.milestone.title in _csv_text(exported)) == (read == READ_OK)


@pytest.mark.parametrize("persona", MATRIX)
def test_write_form_access_matrix(request, client_for, target, persona):
    _, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    for url in _write_get_urls(target):
        assert client.get(url).status_code == (200 if write == WRITE_OK else write), url


@pytest.mark.parametrize("persona", MATRIX)
def test_write_action_matrix(request, client_for, target, persona):
    """Every POST: allowed ones change the milestone; refused ones (403/404) change nothing."""
    _, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    m = target.milestone
    posts = [
        (
            reverse("grants:milestone_transition", args=[m.pk]),
            {"to_status": "in_progress", "note": "Started"},
        ),
        (reverse("grants:evidence_upload", args=[m.pk]), {"file": _pdf("minutes.pdf"), "description": "x"}),
        (
            reverse("grants:milestone_update", args=[m.pk]),
            {"title": "Renamed", "category": "baseline", "due_date": "2025-07-31", "notes": ""},
        ),
        (
            reverse("grants:milestone_create", args=[m.country_project_id]),
            {"title": "New one", "category": "activity", "due_date": "2025-08-01", "status": "planned"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if write == WRITE_OK else write), url
    m.refresh_from_db()
    if write == WRITE_OK:
        assert (m.status, m.title, m.category) == ("in_progress", "Renamed", "baseline")
        assert m.evidence.count() == 2
        assert Milestone.objects.filter(title="New one").exists()
    else:
        assert (m.status, m.title, m.category) == ("planned", "Baseline study Guatemala", "activity")
        assert m.evidence.count() == 1
        assert m.status_changes.count() == 0
        assert not Milestone.objects.filter(title="New one").exists()


def test_grantee_gets_404_for_other_organisation_on_every_url(client_for, grantee_a, world, other_officer):
    evidence_b = services.evidence_add(
        milestone=world.milestone_b, actor=other_officer, name="b.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    client = client_for(grantee_a)
    m = world.milestone_b
    gets = [
        reverse("grants:milestone_detail", args=[m.pk]),
        reverse("grants:milestone_update", args=[m.pk]),
        reverse("grants:milestone_create", args=[world.project_b.pk]),
        reverse("grants:evidence_download", args=[evidence_b.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("grants:milestone_transition", args=[m.pk]), {"to_status": "in_progress"}),
        (reverse("grants:evidence_upload", args=[m.pk]), {"file": _pdf()}),
        (
            reverse("grants:milestone_update", args=[m.pk]),
            {"title": "x", "category": "activity", "due_date": "2025-01-01"},
        ),
        (
            reverse("grants:milestone_create", args=[world.project_b.pk]),
            {"title": "x", "category": "activity", "due_date": "2025-01-01", "status": "planned"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # Guessed ids that do not exist look exactly the same.
    assert client.get(reverse("grants:milestone_detail", args=[999999])).status_code == 404
    assert client.get(reverse("grants:evidence_download", args=[999999])).status_code == 404
    m.refresh_from_db()
    assert m.status == "planned" and m.evidence.count() == 1 and Milestone.objects.count() == 2


def test_anonymous_is_sent_to_login_everywhere(client, target):
    m = target.milestone
    urls = [
        reverse("grants:milestone_list"),
        reverse("grants:milestone_export", args=["csv"]),
        *_read_urls(target),
        *_write_get_urls(target),
        reverse("grants:milestone_transition", args=[m.pk]),
        reverse("grants:evidence_upload", args=[m.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(reverse("grants:milestone_transition", args=[m.pk]), {"to_status": "cancelled"})
    assert response["Location"].startswith("/accounts/login/")
    assert Milestone.objects.get(pk=m.pk).status == "planned"


@pytest.mark.parametrize("name", ["milestone_transition", "evidence_upload"])
def test_get_on_post_only_actions_is_405(client_for, officer, world, name):
    response = client_for(officer).get(reverse(f"grants:{name}", args=[world.milestone_a.pk]))
    assert response.status_code == 405


def test_writer_sees_actions_reader_does_not(client_for, officer, manager, world):
    url = reverse("grants:milestone_detail", args=[world.milestone_a.pk])
    page = client_for(officer).get(url).content.decode()
    assert reverse("grants:milestone_transition", args=[world.milestone_a.pk]) in page
    assert reverse("grants:evidence_upload", args=[world.milestone_a.pk]) in page
    assert reverse("grants:milestone_update", args=[world.milestone_a.pk]) in page
    assert "Mark in progress" in page and "Complete" in page and "Cancel milestone" in page
    page = client_for(manager).get(url).content.decode()
    assert reverse("grants:milestone_transition", args=[world.milestone_a.pk]) not in page
    assert reverse("grants:evidence_upload", args=[world.milestone_a.pk]) not in page
    assert reverse("grants:milestone_update", args=[world.milestone_a.pk]) not in page


# --- status changes -----------------------------------------------------------------------------------------


def _transition(client, milestone, **data):
    return client.post(reverse("grants:milestone_transition", args=[milestone.pk]), data)


def test_complete_records_date_note_and_timeline(client_for, officer, world):
    client = client_for(officer)
    done = TODAY - datetime.timedelta(days=2)
    response = _transition(
        client, world.milestone_a, to_status="completed", completed_on=done.isoformat(), note="Signed off"
    )
    assert "Milestone marked completed." in _follow_messages(client, response)
    m = Milestone.objects.get(pk=world.milestone_a.pk)
    assert (m.status, m.completed_on) == ("completed", done)
    change = m.status_changes.get()
    assert (change.from_status, change.to_status, change.actor, change.note) == (
        "planned",
        "completed",
        officer,
        "Signed off",
    )
    page = client.get(m.get_absolute_url()).content.decode()
    assert "Planned → Completed" in page and "Signed off" in page


@pytest.mark.parametrize(
    ("start", "data", "message"),
    [
        (
            "completed",
            {"to_status": "delayed", "note": "x"},
            "A completed milestone cannot be marked delayed.",
        ),
        ("planned", {"to_status": "delayed"}, "Say why the milestone is delayed."),
        ("planned", {"to_status": "cancelled", "note": "   "}, "Say why the milestone is cancelled."),
        (
            "planned",
            {"to_status": "completed", "completed_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "The completion date cannot be in the future.",
        ),
        (
            "planned",
            {"to_status": "completed", "completed_on": "2023-12-31"},
            "before the country project started",
        ),
        ("planned", {"to_status": "finished"}, "Select a valid choice"),
        ("planned", {"to_status": "completed", "completed_on": "31/02/2025"}, "Enter a valid date"),
    ],
)
def test_rejected_status_change_says_why_and_changes_nothing(
    client_for, officer, world, start, data, message
):
    m = world.milestone_a
    if start == "completed":
        services.milestone_transition(milestone=m, to_status="completed", actor=officer, completed_on=TODAY)
    before = MilestoneStatusChange.objects.count()
    client = client_for(officer)
    response = _transition(client, m, **data)
    assert response["Location"] == m.get_absolute_url()
    shown = _follow_messages(client, response)
    assert len(shown) == 1 and shown[0].startswith("The status was not changed.") and message in shown[0]
    assert Milestone.objects.get(pk=m.pk).status == start
    assert MilestoneStatusChange.objects.count() == before


# --- log and edit -------------------------------------------------------------------------------------------


def _create_url(world) -> str:
    return reverse("grants:milestone_create", args=[world.project_a.pk])


def _create_data(**overrides) -> dict:
    data = {
        "title": "Midterm evaluation",
        "category": "midterm",
        "due_date": "2025-09-30",
        "notes": "",
        "status": "planned",
    }
    data.update(overrides)
    return data


def test_log_a_completed_milestone_with_evidence_in_one_go(client_for, officer, world):
    client = client_for(officer)
    done = TODAY - datetime.timedelta(days=1)
    response = client.post(
        _create_url(world),
        _create_data(
            status="completed",
            completed_on=done.isoformat(),
            evidence_file=_pdf("Evaluation report.pdf"),
            evidence_description="Final report",
        ),
    )
    m = Milestone.objects.get(title="Midterm evaluation")
    assert response["Location"] == m.get_absolute_url()
    assert (m.status, m.completed_on, m.created_by, m.country_project) == (
        "completed",
        done,
        officer,
        world.project_a,
    )
    evidence = m.evidence.get()
    assert (evidence.original_name, evidence.description, evidence.uploaded_by) == (
        "Evaluation report.pdf",
        "Final report",
        officer,
    )
    assert [c.to_status for c in m.status_changes.order_by("pk")] == ["planned", "completed"]


def test_rejected_evidence_on_create_creates_no_milestone(client_for, officer, world):
    response = client_for(officer).post(
        _create_url(world),
        _create_data(status="completed", evidence_file=_pdf("report.pdf", b"MZ\x90\x00 not a pdf")),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence_file"] == [
        "The file is named .pdf but its content is not a PDF file."
    ]
    assert "Nothing was saved." in response.content.decode()
    assert not Milestone.objects.filter(title="Midterm evaluation").exists()
    assert not MilestoneStatusChange.objects.exists()
    assert not MilestoneEvidence.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"due_date": "2023-12-31"},
            "due_date",
            "The country project starts on 01 Jan 2024; a milestone cannot be due before.",
        ),
        ({"title": ""}, "title", "This field is required."),
        ({"due_date": "not a date"}, "due_date", "Enter a valid date."),
        ({"completed_on": "2025-01-01"}, "completed_on", "Only a completed milestone has a completion date."),
        (
            {"status": "completed", "completed_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
            "completed_on",
            "The completion date cannot be in the future.",
        ),
        (
            {"status": "delayed"},
            "status",
            "Select a valid choice. delayed is not one of the available choices.",
        ),
        (
            {"evidence_file": _pdf("tool.exe", b"MZ\x90\x00")},
            "evidence_file",
            "Files of type “.exe” are not accepted.",
        ),
        ({"evidence_file": _pdf("empty.pdf", b"")}, "evidence_file", "The file is empty."),
    ],
)
def test_rejected_create_shows_error_next_to_field_and_writes_nothing(
    client_for, officer, world, overrides, field, message
):
    response = client_for(officer).post(_create_url(world), _create_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Milestone.objects.count() == 2  # the world's two, nothing more
    assert not MilestoneStatusChange.objects.exists() and not MilestoneEvidence.objects.exists()


def test_rejected_create_asks_to_choose_the_file_again(client_for, officer, world):
    response = client_for(officer).post(_create_url(world), _create_data(title="", evidence_file=_pdf()))
    assert response.context["form"].errors["evidence_file"] == [
        "Nothing was saved, so please choose the file again."
    ]
    assert (
        not Milestone.objects.filter(country_project=world.project_a)
        .exclude(pk=world.milestone_a.pk)
        .exists()
    )


def test_edit_changes_plan_and_keeps_history(client_for, officer, world):
    client = client_for(officer)
    m = world.milestone_a
    url = reverse("grants:milestone_update", args=[m.pk])
    assert client.get(url).context["form"].initial["title"] == "Baseline study Guatemala"
    response = client.post(
        url,
        {
            "title": "Baseline study (revised)",
            "category": "baseline",
            "due_date": "2025-08-15",
            "notes": "Moved",
        },
    )
    assert response["Location"] == m.get_absolute_url()
    m.refresh_from_db()
    assert (m.title, m.category, m.due_date, m.notes) == (
        "Baseline study (revised)",
        "baseline",
        datetime.date(2025, 8, 15),
        "Moved",
    )
    page = client.get(m.get_absolute_url()).content.decode()
    assert "History of edits" in page
    assert "Baseline study Guatemala → Baseline study (revised)" in page
    assert "30 Jun 2025 → 15 Aug 2025" in page


def test_edit_due_before_project_start_is_refused(client_for, officer, world):
    m = world.milestone_a
    response = client_for(officer).post(
        reverse("grants:milestone_update", args=[m.pk]),
        {"title": "Changed", "category": "activity", "due_date": "2023-06-01", "notes": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due_date"] == [
        "The country project starts on 01 Jan 2024; a milestone cannot be due before."
    ]
    m.refresh_from_db()
    assert (m.title, m.due_date) == ("Baseline study Guatemala", datetime.date(2025, 6, 30))
    assert m.history.count() == 1


# --- list and filters ---------------------------------------------------------------------------------------


@dataclass
class Dated:
    overdue: Milestone
    overdue_delayed: Milestone
    due_today: Milestone
    due_soon: Milestone
    due_later: Milestone
    completed_late: Milestone
    cancelled_past: Milestone
    other_org: Milestone


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def dated(org_a, org_b, officer, other_officer) -> Dated:
    project_a = CountryProjectFactory(
        grant=GrantFactory(grantee=org_a, program_officer=officer, award_number="IL-10001-24-75-K"),
        country="GT",
    )
    project_b = CountryProjectFactory(
        grant=GrantFactory(grantee=org_b, program_officer=other_officer, award_number="IL-10002-24-75-K"),
        country="KE",
    )

    def make(title: str, due: int, status: str = "planned", project=project_a, **kw) -> Milestone:
        completed_on = _days(due) if status == "completed" else None
        return MilestoneFactory(
            country_project=project,
            title=title,
            due_date=_days(due),
            status=status,
            completed_on=completed_on,
            **kw,
        )

    return Dated(
        overdue=make("Overdue work plan", -10, category=MilestoneCategory.WORK_PLAN),
        overdue_delayed=make("Delayed baseline", -1, "delayed", category=MilestoneCategory.BASELINE),
        due_today=make("Due today", 0, "in_progress"),
        due_soon=make("Due soon TPR", 30, category=MilestoneCategory.TECHNICAL_REPORT),
        due_later=make("Due later", 31),
        completed_late=make("Completed", -20, "completed"),
        cancelled_past=make("Cancelled", -5, "cancelled"),
        other_org=make("Kenya overdue", -3, project=project_b),
    )


def _listed(client, **params) -> list[str]:
    response = client.get(reverse("grants:milestone_list"), params)
    assert response.status_code == 200
    return [m.title for m in response.context["table"].data]


def test_timing_filters_against_fixed_dates(client_for, manager, dated, settings):
    settings.DUE_SOON_DAYS = 30
    client = client_for(manager)
    assert _listed(client, timing="overdue") == ["Overdue work plan", "Kenya overdue", "Delayed baseline"]
    assert _listed(client, timing="due_soon") == ["Due today", "Due soon TPR"]
    open_titles = [
        "Overdue work plan",
        "Kenya overdue",
        "Delayed baseline",
        "Due today",
        "Due soon TPR",
        "Due later",
    ]
    assert _listed(client, timing="open") == open_titles
    assert _listed(client) == open_titles  # no timing chosen: what still needs doing
    assert len(_listed(client, timing="all")) == 8


def test_other_filters(client_for, manager, grantee_a, dated, org_b, officer, other_officer):
    client = client_for(manager)
    assert _listed(client, timing="all", category="deliverables") == [
        "Overdue work plan",
        "Delayed baseline",
        "Due soon TPR",
    ]
    assert _listed(client, timing="all", category="baseline") == ["Delayed baseline"]
    assert _listed(client, timing="all", status="cancelled") == ["Cancelled"]
    assert _listed(client, timing="all", country="KE") == ["Kenya overdue"]
    grant_b = dated.other_org.country_project.grant
    assert _listed(client, timing="all", grant=grant_b.pk) == ["Kenya overdue"]
    assert _listed(client, timing="all", program_officer=other_officer.pk) == ["Kenya overdue"]
    assert _listed(client, timing="all", grantee=org_b.pk) == ["Kenya overdue"]
    assert _listed(client, timing="all", q="tpr") == ["Due soon TPR"]


def test_grantee_list_is_confined_and_offers_only_its_own_choices(client_for, grantee_a, dated):
    client = client_for(grantee_a)
    response = client.get(reverse("grants:milestone_list"), {"timing": "all"})
    titles = [m.title for m in response.context["table"].data]
    assert "Kenya overdue" not in titles and len(titles) == 7
    form = response.context["filter"].form
    assert "grantee" not in form.fields
    assert [c for c, _ in form.fields["country"].choices if c] == ["GT"]
    assert [g.award_number for g in form.fields["grant"].queryset] == ["IL-10001-24-75-K"]
    assert "Grantee" not in [c.header for c in response.context["table"].columns]
    # Asking for the other organisation's grant or country by id shows nothing rather than its rows.
    assert _listed(client, timing="all", grant=dated.other_org.country_project.grant_id) == []
    assert _listed(client, timing="all", country="KE") == []


def test_list_shows_days_overdue_and_links(client_for, manager, dated):
    page = client_for(manager).get(reverse("grants:milestone_list"), {"timing": "overdue"}).content.decode()
    assert '<span class="text-danger fw-semibold">10</span>' in page
    assert dated.overdue.get_absolute_url() in page
    assert dated.overdue.country_project.grant.get_absolute_url() in page
    assert 'class="badge badge-status ms-status-delayed"' in page


def test_list_is_paginated_by_25(client_for, manager, world):
    MilestoneFactory.create_batch(30, country_project=world.project_a)
    response = client_for(manager).get(reverse("grants:milestone_list"), {"timing": "all"})
    assert len(response.context["table"].page.object_list) == 25
    assert response.context["table"].paginator.count == 32


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("grants:milestone_list"), {"timing": "all"}).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(client_for, manager, world, django_assert_max_num_queries):
    client = client_for(manager)
    small = _list_queries(client)
    for _ in range(30):
        project = CountryProjectFactory(grant=GrantFactory(grantee=OrganisationFactory()))
        MilestoneFactory(country_project=project)
    # session, user, 4 choice lists (countries, grants, officers, grantees), count, one page of rows.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("grants:milestone_list"), {"timing": "all"})
    assert len(response.context["table"].page.object_list) == 25
    assert _list_queries(client) == small


def test_detail_query_count_does_not_grow_with_rows(
    client_for, officer, world, django_assert_max_num_queries
):
    client = client_for(officer)
    m = world.milestone_a
    url = reverse("grants:milestone_detail", args=[m.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(22):
        services.evidence_add(
            milestone=m, actor=officer, name=f"file{i}.pdf", stream=io.BytesIO(PDF), size=len(PDF)
        )
        to_status = "in_progress" if i % 2 == 0 else "delayed"
        services.milestone_transition(milestone=m, to_status=to_status, actor=officer, note=f"step {i}")
    # session, user, milestone with grant/grantee/officer, evidence, status changes, history.
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(response.context["detail"].evidence) == 22
    assert len(response.context["detail"].status_changes) == 22
    assert count() == small


# --- export -------------------------------------------------------------------------------------------------


def _csv_text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_export_has_only_visible_filtered_rows_and_neutralises_formulas(client_for, grantee_a, dated):
    dated.overdue.title = '=HYPERLINK("http://evil.example","x")'
    dated.overdue.save()
    response = client_for(grantee_a).get(
        reverse("grants:milestone_export", args=["csv"]), {"timing": "overdue"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="milestones-')
    rows = list(csv.reader(io.StringIO(_csv_text(response))))
    assert rows[0][:4] == ["Due date", "Title", "Category", "Status"]
    titles = [r[1] for r in rows[1:]]
    assert titles == ['\'=HYPERLINK("http://evil.example","x")', "Delayed baseline"]
    assert rows[1][-1] == "10"  # days overdue


def test_xlsx_export_reads_back_with_typed_cells(client_for, manager, dated):
    dated.due_later.title = "+cmd|' /C calc'!A0"
    dated.due_later.save()
    response = client_for(manager).get(reverse("grants:milestone_export", args=["xlsx"]), {"timing": "open"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    assert {r[1] for r in rows} >= {"+cmd|' /C calc'!A0", "Kenya overdue"}
    formula_cell = next(c for c in sheet["B"] if c.value == "+cmd|' /C calc'!A0")
    assert formula_cell.data_type == "s"
    assert rows[0][0].date() == dated.overdue.due_date


def test_unknown_export_format_is_404(client_for, manager, world):
    assert client_for(manager).get(reverse("grants:milestone_export", args=["pdf"])).status_code == 404


def test_export_link_keeps_filters_but_not_page(client_for, manager, dated):
    response = client_for(manager).get(
        reverse("grants:milestone_list"), {"timing": "overdue", "page": "1", "q": "x"}
    )
    assert response.context["export_query"] == "timing=overdue&q=x"
    assert (
        reverse("grants:milestone_export", args=["csv"]) + "?timing=overdue&amp;q=x"
        in response.content.decode()
    )
