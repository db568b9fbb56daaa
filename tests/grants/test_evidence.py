"""Evidence files through the web: upload checks with the message next to the field, private download."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from grants import services
from grants.models import MilestoneEvidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(client, milestone, name: str, content: bytes, description: str = ""):
    return client.post(
        reverse("grants:evidence_upload", args=[milestone.pk]),
        {"file": SimpleUploadedFile(name, content), "description": description},
    )


def _stored_files() -> set[str]:
    """Every evidence file in the (session-wide) test storage; compare before and after, not against empty."""
    try:
        dirs, _ = default_storage.listdir("evidence")
    except FileNotFoundError:
        return set()
    return {f"{d}/{f}" for d in dirs for f in default_storage.listdir(f"evidence/{d}")[1]}


def test_upload_stores_file_with_checksum_and_lists_it(client_for, officer, world):
    client = client_for(officer)
    response = _upload(client, world.milestone_a, "Baseline report.pdf", PDF, "Signed baseline")
    assert response.status_code == 302 and response["Location"] == world.milestone_a.get_absolute_url()
    evidence = MilestoneEvidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size, evidence.description) == (
        "Baseline report.pdf",
        "application/pdf",
        len(PDF),
        "Signed baseline",
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == officer
    page = client.get(world.milestone_a.get_absolute_url()).content.decode()
    assert "“Baseline report.pdf” added as evidence." in page
    assert "Baseline report.pdf" in page and evidence.sha256[:12] in page and "Olivia Officer" in page
    assert reverse("grants:evidence_download", args=[evidence.pk]) in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00\x03", "Files of type “.exe” are not accepted."),
        (
            "report.pdf",
            b"MZ\x90\x00 this is a program",
            "The file is named .pdf but its content is not a PDF file.",
        ),
        ("photo.png", PDF, "The file is named .png but its content is not a PNG file."),
        ("notes.txt", b"\x00\x01\x02binary", "The file is named .txt but is not a text file."),
        ("empty.pdf", b"", "The file is empty."),
        ("noextension", b"hello", "Files of type “.?” are not accepted."),
    ],
)
def test_rejected_upload_shows_message_next_to_file_and_stores_nothing(
    client_for, officer, world, name, content, message
):
    before = _stored_files()
    response = _upload(client_for(officer), world.milestone_a, name, content)
    assert response.status_code == 200
    errors = response.context["evidence_form"].errors["file"]
    assert any(e.startswith(message) for e in errors), errors
    page = response.content.decode()
    assert 'data-testid="error-file"' in page and "Baseline study Guatemala" in page
    assert not MilestoneEvidence.objects.exists()
    assert _stored_files() == before


def test_upload_over_the_size_limit_is_refused(client_for, officer, world):
    before = _stored_files()
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        response = _upload(client_for(officer), world.milestone_a, "big.pdf", PDF + b"0" * 2000)
    assert response.context["evidence_form"].errors["file"] == [
        "The file is 2.0\xa0KB; the limit is 1.0\xa0KB."
    ]
    assert not MilestoneEvidence.objects.exists()
    assert _stored_files() == before


def test_upload_without_a_file_asks_for_one(client_for, officer, world):
    response = client_for(officer).post(reverse("grants:evidence_upload", args=[world.milestone_a.pk]), {})
    assert response.context["evidence_form"].errors["file"] == ["Choose a file to upload."]
    assert not MilestoneEvidence.objects.exists()


@pytest.mark.parametrize("persona", ["other_officer", "manager", "grantee_a"])
def test_read_only_users_cannot_upload(request, client_for, world, persona):
    response = _upload(client_for(request.getfixturevalue(persona)), world.milestone_a, "a.pdf", PDF)
    assert response.status_code == 403
    assert not MilestoneEvidence.objects.exists()


def test_other_organisation_cannot_upload_to_a_milestone_it_cannot_see(client_for, grantee_b, world):
    assert _upload(client_for(grantee_b), world.milestone_a, "a.pdf", PDF).status_code == 404
    assert not MilestoneEvidence.objects.exists()


# --- download -----------------------------------------------------------------------------------------------


def _evidence(world, officer, name: str = "Work plan.pdf", content: bytes = PDF) -> MilestoneEvidence:
    return services.evidence_add(
        milestone=world.milestone_a, actor=officer, name=name, stream=io.BytesIO(content), size=len(content)
    )


@pytest.mark.parametrize("persona", ["officer", "other_officer", "manager", "admin_user", "grantee_a"])
def test_download_is_an_attachment_with_stored_type_and_nosniff(request, client_for, world, officer, persona):
    evidence = _evidence(world, officer, name="chart.png", content=PNG)
    response = client_for(request.getfixturevalue(persona)).get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="chart.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_download_uses_only_the_last_part_of_the_uploaded_name(client_for, world, officer):
    evidence = _evidence(world, officer, name="..\\..\\windows\\Plan de trabajo.pdf")
    response = client_for(officer).get(evidence.get_absolute_url())
    assert "Plan%20de%20trabajo.pdf" in response["Content-Disposition"] or (
        'filename="Plan de trabajo.pdf"' in response["Content-Disposition"]
    )
    assert ".." not in response["Content-Disposition"] and "windows" not in response["Content-Disposition"]
    response.close()


def test_other_organisation_gets_404_for_download(client_for, grantee_b, world, officer):
    evidence = _evidence(world, officer)
    assert client_for(grantee_b).get(evidence.get_absolute_url()).status_code == 404
    assert (
        client_for(grantee_b).get(reverse("grants:evidence_download", args=[evidence.pk + 1000])).status_code
        == 404
    )


def test_download_of_a_file_missing_from_storage_is_404(client_for, world, officer):
    evidence = _evidence(world, officer)
    default_storage.delete(evidence.file.name)
    assert client_for(officer).get(evidence.get_absolute_url()).status_code == 404


def test_post_to_download_is_405(client_for, world, officer):
    evidence = _evidence(world, officer)
    assert client_for(officer).post(evidence.get_absolute_url()).status_code == 405


def test_stored_files_are_not_reachable_by_their_storage_path(client_for, world, officer):
    evidence = _evidence(world, officer)
    # Nothing maps a storage path to a URL: only the checked view serves files.
    response = client_for(officer).get("/" + evidence.file.name)
    assert response.status_code == 404
