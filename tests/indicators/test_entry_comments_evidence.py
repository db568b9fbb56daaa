"""Comments (per report, indicator or cell) and evidence files, from the grantee's entry page and the review
screen: the permission matrix of each URL and every refusal, with nothing written when refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from indicators import services
from indicators.cells import TOTAL, make_key
from indicators.models import ReviewComment, Submission, SubmissionEvidence
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GIRLS_12_14 = make_key({"sex": "female", "age": "12-14"})


def _client(request, persona, client_for) -> Client:
    if persona == "anonymous":
        return Client()
    return client_for(request.getfixturevalue(persona))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _pdf(name: str = "Attendance register.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- comments -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected", "landing"),
    [
        ("anonymous", 302, None),
        ("grantee_a", 302, "submission_entry"),
        ("grantee_b", 404, None),
        ("officer", 302, "submission_review"),
        ("other_officer", 403, None),
        ("manager", 403, None),
        ("admin_user", 302, "submission_review"),
    ],
)
def test_comment_permissions(request, persona, expected, landing, client_for, draft, framework):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    data = {"project_indicator": framework.reached.pk, "cell_key": GIRLS_12_14, "text": "Why so few?"}
    response = _client(request, persona, client_for).post(url, data)
    assert response.status_code == expected
    written = ReviewComment.objects.filter(submission=draft)
    if landing:
        target = reverse(f"indicators:{landing}", args=[draft.pk])
        assert response["Location"] == f"{target}#indicator-{framework.reached.pk}"
        (comment,) = written
        assert (comment.project_indicator, comment.cell_key, comment.text) == (
            framework.reached,
            GIRLS_12_14,
            "Why so few?",
        )
    else:
        assert not written.exists()


def test_comments_are_post_only(client_for, officer, draft):
    response = client_for(officer).get(reverse("indicators:submission_comment_add", args=[draft.pk]))
    assert response.status_code == 405


def test_officer_question_and_grantee_answer_show_at_the_indicator(
    client_for, officer, grantee_a, draft, framework
):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    client_for(officer).post(
        url, {"project_indicator": framework.reached.pk, "cell_key": GIRLS_12_14, "text": "Why so few girls?"}
    )
    response = client_for(grantee_a).post(
        url,
        {
            "project_indicator": framework.reached.pk,
            "cell_key": "",
            "text": "Exams week.",
            "return_to": "entry",
        },
        follow=True,
    )
    assert "Comment added." in _messages(response)
    entry = next(e for g in response.context["groups"] for e in g.indicators if e.spec.code == "E1")
    assert [(c.comment.text, c.cell_label, c.by_office) for c in entry.comments] == [
        ("Why so few girls?", "12-14, Female", True),
        ("Exams week.", "Whole indicator", False),
    ]
    html = response.content.decode()
    assert "Why so few girls?" in html and "Exams week." in html


def test_report_level_comment(client_for, grantee_a, draft):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    response = client_for(grantee_a).post(url, {"text": "Narrative follows.", "return_to": "entry"})
    assert response["Location"].endswith("#report-comments")
    comment = ReviewComment.objects.get(submission=draft)
    assert comment.project_indicator is None and comment.cell_key == TOTAL


def test_comment_on_a_cell_that_does_not_exist_is_refused(client_for, officer, draft, framework):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    data = {"project_indicator": framework.capital.pk, "cell_key": GIRLS_12_14, "text": "Where is this?"}
    response = client_for(officer).post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-cell_key">This indicator has no such disaggregation cell.' in html
    assert "Where is this?" in html  # what was typed is kept
    assert not ReviewComment.objects.exists()


def test_empty_comment_is_refused_at_the_text(client_for, grantee_a, draft, framework):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    response = client_for(grantee_a).post(
        url, {"project_indicator": framework.reached.pk, "text": " ", "return_to": "entry"}
    )
    assert response.status_code == 200
    assert response.context["comment_target"] == str(framework.reached.pk)
    assert 'data-testid="error-text">Write a comment.' in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_comment_on_another_projects_indicator_is_refused(client_for, officer, draft, framework):
    url = reverse("indicators:submission_comment_add", args=[draft.pk])
    response = client_for(officer).post(url, {"project_indicator": framework.reached_b.pk, "text": "Hm."})
    assert response.status_code == 200
    assert "That indicator is not part of this report; reload the page." in response.content.decode()
    assert not ReviewComment.objects.exists()


# --- evidence -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("grantee_a", 302),
        ("grantee_b", 404),
        ("officer", 403),
        ("other_officer", 403),
        ("manager", 403),
        ("admin_user", 302),
    ],
)
def test_evidence_upload_permissions(request, persona, expected, client_for, draft):
    url = reverse("indicators:submission_evidence_add", args=[draft.pk])
    response = _client(request, persona, client_for).post(url, {"file": _pdf(), "description": "Register"})
    assert response.status_code == expected
    stored = SubmissionEvidence.objects.filter(submission=draft)
    if expected == 302 and persona != "anonymous":
        assert response["Location"] == reverse("indicators:submission_entry", args=[draft.pk]) + "#evidence"
        (evidence,) = stored
        assert evidence.original_name == "Attendance register.pdf"
        assert evidence.description == "Register"
    else:
        assert not stored.exists()


def test_evidence_of_a_bad_type_is_refused_at_the_file_field(client_for, grantee_a, draft):
    url = reverse("indicators:submission_evidence_add", args=[draft.pk])
    upload = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client_for(grantee_a).post(url, {"file": upload})
    assert response.status_code == 200
    errors = response.context["evidence_form"].errors["file"]
    assert errors[0].startswith("Files of type “.exe” are not accepted.")
    assert 'data-testid="error-file">Files of type “.exe” are not accepted.' in response.content.decode()
    assert not SubmissionEvidence.objects.exists()


def test_evidence_whose_content_does_not_match_is_refused(client_for, grantee_a, draft):
    url = reverse("indicators:submission_evidence_add", args=[draft.pk])
    upload = SimpleUploadedFile("report.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client_for(grantee_a).post(url, {"file": upload})
    assert response.context["evidence_form"].errors["file"] == [
        "The file is named .pdf but its content is not a PDF file."
    ]
    assert not SubmissionEvidence.objects.exists()


def test_evidence_without_a_file_is_refused(client_for, grantee_a, draft):
    url = reverse("indicators:submission_evidence_add", args=[draft.pk])
    response = client_for(grantee_a).post(url, {"description": "forgot the file"})
    assert response.context["evidence_form"].errors["file"] == ["Choose a file to upload."]
    assert not SubmissionEvidence.objects.exists()


def test_evidence_for_another_organisations_report_is_404(client_for, grantee_a, world, framework, grantee_b):
    draft_b = services.submission_get_or_create_draft(
        country_project=world.project_b, period=framework.first_b, actor=grantee_b
    )
    url = reverse("indicators:submission_evidence_add", args=[draft_b.pk])
    assert client_for(grantee_a).post(url, {"file": _pdf()}).status_code == 404
    assert not SubmissionEvidence.objects.exists()


def test_evidence_on_a_submitted_report_is_refused(client_for, grantee_a, draft, framework):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    url = reverse("indicators:submission_evidence_add", args=[draft.pk])
    response = client_for(grantee_a).post(url, {"file": _pdf()})
    assert response.status_code == 200
    assert response.context["evidence_form"].errors["file"] == [
        "This report has been submitted and is locked while it is reviewed."
    ]
    assert not SubmissionEvidence.objects.exists()
    # A locked report offers no upload form.
    page = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[draft.pk]))
    assert "Attach a file" not in page.content.decode()


@pytest.fixture
def evidence(draft, grantee_a) -> SubmissionEvidence:
    upload = _pdf("../../Informe final.pdf")
    return services.submission_evidence_add(
        submission=draft, actor=grantee_a, name=upload.name, stream=upload, size=upload.size
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("grantee_a", 200),
        ("grantee_b", 404),
        ("officer", 200),
        ("other_officer", 200),
        ("manager", 200),
        ("admin_user", 200),
    ],
)
def test_evidence_download_permissions(request, persona, expected, client_for, evidence):
    response = _client(request, persona, client_for).get(
        reverse("indicators:submission_evidence_download", args=[evidence.pk])
    )
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        # Served as an attachment under the last part of the uploaded name only.
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Informe" in response["Content-Disposition"] and ".." not in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_download_is_get_only(client_for, grantee_a, evidence):
    url = reverse("indicators:submission_evidence_download", args=[evidence.pk])
    assert client_for(grantee_a).post(url).status_code == 405


def test_evidence_download_missing_file_is_404(client_for, grantee_a, evidence):
    Path(evidence.file.path).unlink()
    url = reverse("indicators:submission_evidence_download", args=[evidence.pk])
    assert client_for(grantee_a).get(url).status_code == 404


def test_evidence_is_listed_on_entry_and_review(client_for, grantee_a, officer, evidence):
    link = reverse("indicators:submission_evidence_download", args=[evidence.pk])
    entry = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[evidence.submission_id]))
    assert link in entry.content.decode()
    assert "Attach a file" in entry.content.decode()
    review = client_for(officer).get(reverse("indicators:submission_review", args=[evidence.submission_id]))
    assert link in review.content.decode()
    assert "Attach a file" not in review.content.decode()


def test_entry_page_links_reviewers_to_the_review_screen(client_for, officer, grantee_a, draft: Submission):
    review_url = reverse("indicators:submission_review", args=[draft.pk])
    entry_url = reverse("indicators:submission_entry", args=[draft.pk])
    assert review_url in client_for(officer).get(entry_url).content.decode()
    assert review_url not in client_for(grantee_a).get(entry_url).content.decode()


# --- removing evidence --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("grantee_a", 302),
        ("grantee_b", 404),
        ("officer", 403),
        ("other_officer", 403),
        ("manager", 403),
        ("admin_user", 302),
    ],
)
def test_evidence_remove_permissions(
    request, persona, expected, client_for, evidence, django_capture_on_commit_callbacks
):
    path = Path(evidence.file.path)
    url = reverse("indicators:submission_evidence_remove", args=[evidence.pk])
    # The stored file goes once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(request, persona, client_for).post(url)
    assert response.status_code == expected
    removed = expected == 302 and persona != "anonymous"
    assert SubmissionEvidence.objects.filter(pk=evidence.pk).exists() != removed
    assert path.exists() != removed
    if removed:
        assert response["Location"].endswith("#evidence")


def test_evidence_remove_is_post_only(client_for, grantee_a, evidence):
    url = reverse("indicators:submission_evidence_remove", args=[evidence.pk])
    assert client_for(grantee_a).get(url).status_code == 405


def test_evidence_seen_by_the_reviewer_stays(client_for, grantee_a, officer, evidence, framework):
    draft = evidence.submission
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    services.submission_return(submission=draft, actor=officer, comment="Add the registers.")
    url = reverse("indicators:submission_evidence_remove", args=[evidence.pk])
    response = client_for(grantee_a).post(url, follow=True)
    assert _messages(response) == [
        "The file was not removed. This file was part of the report when it was submitted, so it stays "
        "with it; attach a corrected file beside it instead."
    ]
    assert SubmissionEvidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()
    # A file attached after the return may still be removed, and the page offers it.
    later = services.submission_evidence_add(
        submission=draft, actor=grantee_a, name="registers.pdf", stream=_pdf(), size=len(PDF)
    )
    html = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[draft.pk])).content.decode()
    assert reverse("indicators:submission_evidence_remove", args=[later.pk]) in html
    assert reverse("indicators:submission_evidence_remove", args=[evidence.pk]) not in html


def test_evidence_of_a_locked_report_cannot_be_removed(client_for, grantee_a, evidence, framework):
    fill(evidence.submission, framework, grantee_a)
    services.submission_submit(submission=evidence.submission, actor=grantee_a)
    url = reverse("indicators:submission_evidence_remove", args=[evidence.pk])
    response = client_for(grantee_a).post(url, follow=True)
    assert _messages(response) == [
        "The file was not removed. This report has been submitted and is locked while it is reviewed."
    ]
    assert SubmissionEvidence.objects.filter(pk=evidence.pk).exists()
