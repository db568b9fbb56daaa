"""Checks on uploaded evidence files. Pure functions: no ORM, no request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# Extension -> (content type served back, magic-byte prefixes the file must start with; None = text).
# The client's declared content type is ignored: it is whatever the browser guessed.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "csv": ("text/csv", None),
    "txt": ("text/plain", None),
}
ALLOWED_EXTENSIONS_TEXT = ", ".join(sorted(EVIDENCE_TYPES))


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str


def check_evidence_file(name: str, stream: IO[bytes], size: int, max_bytes: int) -> CheckedFile:
    """Accept a file only if its extension is allowed, its content matches it, and it is within the limit."""
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(max_bytes)}.", code="too_large"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            f"Files of type “.{extension or '?'}” are not accepted. Accepted types: {ALLOWED_EXTENSIONS_TEXT}.",
            code="bad_type",
        )
    content_type, magic = EVIDENCE_TYPES[extension]
    stream.seek(0)
    head = stream.read(2048)
    if magic is not None and not head.startswith(magic):
        raise ValidationError(
            f"The file is named .{extension} but its content is not a {extension.upper()} file.",
            code="bad_content",
        )
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 2048-byte boundary is fine; anything earlier is not text.
            if exc.start < len(head) - 4:
                raise ValidationError(
                    f"The file is named .{extension} but is not a text file.", code="bad_content"
                ) from None
        if b"\x00" in head:
            raise ValidationError(
                f"The file is named .{extension} but is not a text file.", code="bad_content"
            )
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(extension=extension, content_type=content_type, size=size, sha256=digest.hexdigest())
