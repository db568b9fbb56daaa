import io

import pytest
from django.core.exceptions import ValidationError

from grants.validators import check_evidence_file

LIMIT = 1024


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.PDF", b"%PDF-1.7\n...", "application/pdf"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        ("photo.png", b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (
            "plan.docx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("list.csv", "nombre,año\nNiña,2024\n".encode(), "text/csv"),
    ],
)
def test_accepts_allowed_types_by_content(name, content, content_type):
    checked = check_evidence_file(name, io.BytesIO(content), len(content), LIMIT)
    assert checked.content_type == content_type
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "are not accepted"),
        ("noextension", b"%PDF-1.7", "are not accepted"),
        ("page.html", b"<html>", "are not accepted"),
        ("fake.pdf", b"<script>alert(1)</script>", "not a PDF file"),
        ("fake.png", b"%PDF-1.7", "not a PNG file"),
        ("binary.txt", b"abc\x00\x01\x02", "not a text file"),
        ("latin1.csv", "año".encode("latin-1") + b",x\n" * 3, "not a text file"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"x" * LIMIT, "the limit is 1.0\xa0KB"),
    ],
)
def test_rejects_with_a_message(name, content, message):
    with pytest.raises(ValidationError) as exc:
        check_evidence_file(name, io.BytesIO(content), len(content), LIMIT)
    assert message in exc.value.messages[0]
