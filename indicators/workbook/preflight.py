"""Checks on an uploaded file's bytes before any spreadsheet library opens it.

openpyxl has no decompression limit and trusts the zip it is given, so everything a hostile or broken file
could do to the reader is ruled out here first: the size, the zip's own structure, the size it declares when
unpacked, the number and names of its parts and the parts an .xlsx must have. The declared sizes can be trusted
as limits: Python's zipfile stops reading a member at its declared size and then fails its CRC check, so a
member that unpacks to more than it declares is refused rather than read further.

Each refusal is a ``FileRefused`` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

KB, MB = 1024, 1024 * 1024

# A 50,000-row template is about 3 MB zipped and 45 MB unpacked; the limits leave room for files re-saved by
# other programs (LibreOffice writes more verbose XML) without letting a zip bomb through.
MAX_UNPACKED = 200 * MB
# openpyxl streams worksheets but holds the shared strings and the styles in memory whole.
PART_LIMITS = {"xl/sharedStrings.xml": 40 * MB, "xl/styles.xml": 5 * MB}
MAX_SHEET = 120 * MB
MAX_OTHER_PART = 5 * MB
MAX_PARTS = 500
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Encrypted Office files are OLE containers holding these streams (names in UTF-16).
ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


class FileRefused(Exception):
    """The file cannot be read as a template; ``message`` says why, for the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Preflight:
    parts: int
    unpacked: int


def _size(number: int) -> str:
    return f"{number / MB:.1f} MB" if number >= MB else f"{max(1, round(number / KB))} KB"


def _as_text(head: bytes) -> str:
    """The start of the file as text, or "" when it is not text: UTF-8, or UTF-16 with its byte-order mark (as
    Excel's "Unicode text" export writes). The sample may end inside a character, which does not count."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", head[: len(head) // 2 * 2]
    else:
        encoding, body = "utf-8", head
    for cut in (0, 1, 2, 3):
        try:
            return body[: len(body) - cut].decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def _not_xlsx(head: bytes) -> str:
    """What the file seems to be instead, so the message helps."""
    if head.startswith(OLE_MAGIC):
        return ""  # handled by the caller: an old .xls or an encrypted workbook
    if head.startswith(b"%PDF"):
        return "This is a PDF, not an Excel workbook. Upload the .xlsx template you downloaded."
    if head[:5].lower().startswith((b"<html", b"<!doc", b"<?xml")):
        return "This is a web page or XML file, not an Excel workbook. Upload the .xlsx template."
    text = _as_text(head)
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text.lstrip("\ufeff")):
        return (
            "This is a text file (perhaps a CSV), not an Excel workbook. Fill in the .xlsx template and upload "
            "it as it is."
        )
    return "This file is not an Excel workbook (.xlsx). Upload the template you downloaded, saved as .xlsx."


def preflight(data: bytes, *, max_bytes: int) -> Preflight:
    """Refuse anything that is not a safe, plausible .xlsx; return what was measured."""
    if not data:
        return _refuse("The file is empty.")
    if len(data) > max_bytes:
        return _refuse(
            f"The file is {_size(len(data))}; the limit is {_size(max_bytes)}. Split the data over several "
            "templates."
        )
    head = data[:512]
    if head.startswith(OLE_MAGIC):
        # The container's directory, which names the streams, can lie anywhere in the file (past the first
        # 100 KB in an 18 MB workbook), so all of it is searched: a few milliseconds.
        if any(marker in data for marker in ENCRYPTED_MARKERS):
            return _refuse(
                "This workbook is protected with a password, so it cannot be read. Open it, remove the "
                "password (File > Info > Protect workbook in Excel; File > Properties > Security in LibreOffice), "
                "save it and upload it again."
            )
        return _refuse(
            "This is an old-style Excel file (.xls). Open it and save it as an Excel workbook (.xlsx)."
        )
    if not head.startswith(ZIP_MAGIC):
        return _refuse(_not_xlsx(head))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return _refuse(
            "The file is damaged: it is not a complete Excel workbook. Save it again and upload it."
        )
    if len(members) > MAX_PARTS:
        return _refuse(
            f"The file holds {len(members)} parts; a template has fewer than {MAX_PARTS}. It is not a "
            "template, or it holds something else besides."
        )
    names = set()
    unpacked = 0
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            return _refuse("The file has parts with unsafe names, so it was not opened.")
        if member.flag_bits & 0x1:
            return _refuse(
                "Parts of this file are encrypted, so it cannot be read. Save it without a password and upload "
                "it again."
            )
        limit = PART_LIMITS.get(name, MAX_SHEET if name.startswith("xl/worksheets/") else MAX_OTHER_PART)
        if member.file_size > limit:
            return _refuse(
                f"A part of this file would unpack to {_size(member.file_size)}, more than a template's "
                f"{_size(limit)}, so it was not opened."
            )
        names.add(name)
        unpacked += member.file_size
    if unpacked > MAX_UNPACKED:
        return _refuse(
            f"The file would unpack to {_size(unpacked)}, more than the {_size(MAX_UNPACKED)} a template can "
            "reach, so it was not opened."
        )
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        if "word/document.xml" in names:
            return _refuse("This is a Word document, not an Excel workbook. Upload the .xlsx template.")
        if "ppt/presentation.xml" in names:
            return _refuse("This is a PowerPoint file, not an Excel workbook. Upload the .xlsx template.")
        if "content.xml" in names:
            return _refuse(
                "This is an OpenDocument spreadsheet (.ods). In LibreOffice, use File > Save As and choose "
                "Excel 2007-365 (.xlsx)."
            )
        return _refuse("This zip file is not an Excel workbook. Upload the .xlsx template.")
    if "xl/vbaProject.bin" in names:
        return _refuse("This workbook contains macros. Save it as an Excel workbook (.xlsx) without macros.")
    return Preflight(parts=len(members), unpacked=unpacked)


def _refuse(message: str) -> Preflight:
    raise FileRefused(message)
