"""Files that are not a filled template, or a template filled wrongly: each is refused with a message that says
what to do, and nothing is written.

Refusals before the file is stored (it is not a safe .xlsx) leave no upload record and no stored file; later
ones leave the upload marked invalid, its problems located by sheet, row and column, and no report touched.
"""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from msoffcrypto.format.ooxml import OOXMLFile

from indicators.cells import make_key
from indicators.models import ActualValue, DataUpload, Submission, UploadStatus
from indicators.services import uploads
from indicators.validation import NOT_A_NUMBER
from indicators.workbook.layout import DATA, DATA_SHEET, META_SHEET, REPORT_SHEET
from indicators.workbook.reader import DAMAGED, UNREADABLE
from tests.factories import CountryProjectFactory
from tests.indicators.conftest import AGES
from tests.indicators.uploads.helpers import fill, rows_by_key, template_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
NO_SAVED_RESULT = "This cell holds a formula with no saved result."
NOT_A_TEMPLATE_ROW = "This row is not one of the template's rows"


# --- building bad files ----------------------------------------------------------------------------------


def sheet_part(data: bytes, name: str) -> str:
    """The zip part holding the sheet called ``name``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(name)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels
    )
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def rezip(data: bytes, replace: dict[str, bytes | Callable[[bytes], bytes]] | None = None, **kwargs) -> bytes:
    """The same zip with some parts replaced (bytes, or a function of the old bytes) and ``add`` parts added
    (name -> bytes, in order)."""
    replace = replace or {}
    add: dict[str, bytes] = kwargs.pop("add", {})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in replace:
                change = replace[info.filename]
                content = change(content) if callable(change) else change
            target.writestr(info.filename, content)
        for name, content in add.items():
            target.writestr(zipfile.ZipInfo(name), content)
    return out.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Make the zip's central directory claim that part ``name`` unpacks to ``size`` bytes."""
    raw = bytearray(data)
    encoded = name.encode()
    at = 0
    while (at := raw.find(b"PK\x01\x02", at)) != -1:
        length = int.from_bytes(raw[at + 28 : at + 30], "little")
        if raw[at + 46 : at + 46 + length] == encoded:
            raw[at + 24 : at + 28] = size.to_bytes(4, "little")
            return bytes(raw)
        at += 4
    raise AssertionError(f"{name} is not in the zip")


@pytest.fixture(scope="session")
def zip_bomb() -> bytes:
    """A real zip bomb: a 300 MB worksheet of zeros, a few hundred KB zipped."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * MB
            for _ in range(300):
                part.write(block)
    return out.getvalue()


# --- checking what happened --------------------------------------------------------------------------------


def stored_files() -> set[Path]:
    root = Path(default_storage.location)
    return {path for path in root.rglob("*") if path.is_file()}


def receive(user, data: bytes, name: str = "figures.xlsx", **kwargs) -> DataUpload:
    return uploads.upload_receive(actor=user, name=name, data=data, background=False, **kwargs)


def refused_at_the_door(user, data: bytes, name: str = "figures.xlsx") -> str:
    """Upload a file the preflight must refuse; return the message and check nothing was kept."""
    before = stored_files()
    with pytest.raises(ValidationError) as caught:
        receive(user, data, name)
    assert not DataUpload.objects.exists()
    assert stored_files() == before
    nothing_written()
    (message,) = caught.value.error_dict["file"][0].messages
    return message


def nothing_written() -> None:
    assert not ActualValue.objects.exists()
    assert not Submission.objects.exists()


def invalid(upload: DataUpload) -> str:
    """The upload was refused after it was stored: its message, with no report touched."""
    assert upload.status == UploadStatus.INVALID, upload.result
    assert not upload.reports.exists()
    nothing_written()
    return upload.message


def errors_at(upload: DataUpload) -> dict[tuple[str, int | None, str], str]:
    assert upload.status == UploadStatus.INVALID, upload.result
    nothing_written()
    return {(e["sheet"], e["row"], e["column"]): e["message"] for e in upload.result["errors"]}


@pytest.fixture
def template(world, framework) -> bytes:
    return template_bytes(world.project_a, framework.first)


@pytest.fixture
def rows(template) -> dict[tuple[str, str], int]:
    return rows_by_key(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])


VALUE, NUMERATOR, DENOMINATOR = (DATA[key].letter for key in ("value", "numerator", "denominator"))


# --- not an .xlsx at all -----------------------------------------------------------------------------------


def test_an_empty_file_is_refused(grantee_a):
    assert refused_at_the_door(grantee_a, b"") == "The file is empty."


def test_a_csv_renamed_to_xlsx_is_refused(grantee_a):
    csv = b"Project ID,Indicator,Value\r\n12,E1,250\r\n"
    message = refused_at_the_door(grantee_a, csv)
    assert message.startswith("This is a text file (perhaps a CSV), not an Excel workbook.")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_text_export_with_accents_is_recognised_as_text(grantee_a, encoding):
    text = "Proyecto;Indicador;Valor\r\nEscuela "
    while len(text.encode(encoding)) < 511:
        text += "a"
    data = (text + "ó;E1;12\r\n" * 40).encode(encoding)
    if encoding != "utf-16":
        # The 512 bytes the check samples end inside the "ó".
        with pytest.raises(UnicodeDecodeError):
            data[:512].decode(encoding)

    message = refused_at_the_door(grantee_a, data)

    assert message.startswith("This is a text file (perhaps a CSV), not an Excel workbook.")


def test_a_pdf_is_refused(grantee_a):
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
    assert refused_at_the_door(grantee_a, pdf).startswith("This is a PDF, not an Excel workbook.")


def test_random_bytes_are_refused(grantee_a):
    noise = random.Random(4).randbytes(8192)
    assert refused_at_the_door(grantee_a, noise) == (
        "This file is not an Excel workbook (.xlsx). Upload the template you downloaded, saved as .xlsx."
    )


def test_an_old_xls_file_is_refused(grantee_a):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    assert refused_at_the_door(grantee_a, ole, "figures.xls") == (
        "This is an old-style Excel file (.xls). Open it and save it as an Excel workbook (.xlsx)."
    )


def test_a_password_protected_workbook_is_refused(grantee_a, template):
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(template)).encrypt("secret", encrypted)

    message = refused_at_the_door(grantee_a, encrypted.getvalue())

    assert message.startswith("This workbook is protected with a password, so it cannot be read.")


def test_a_large_password_protected_workbook_is_refused_as_such(grantee_a, template):
    # In a large encrypted file the container's directory, which names its streams, lies far into the file.
    padded = rezip(template, add={"xl/media/image1.png": random.Random(5).randbytes(9 * MB)})
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(padded)).encrypt("secret", encrypted)
    assert encrypted.getvalue().find("EncryptionInfo".encode("utf-16-le")) > 64 * 1024

    message = refused_at_the_door(grantee_a, encrypted.getvalue())

    assert message.startswith("This workbook is protected with a password, so it cannot be read.")


def test_an_opendocument_spreadsheet_is_refused(grantee_a):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    assert refused_at_the_door(grantee_a, out.getvalue(), "figures.ods") == (
        "This is an OpenDocument spreadsheet (.ods). In LibreOffice, use File > Save As and choose "
        "Excel 2007-365 (.xlsx)."
    )


def test_a_word_document_is_refused(grantee_a):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused_at_the_door(grantee_a, out.getvalue(), "figures.docx") == (
        "This is a Word document, not an Excel workbook. Upload the .xlsx template."
    )


# --- hostile zips ------------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_without_unpacking_it(grantee_a, zip_bomb):
    assert len(zip_bomb) < MB
    started = time.perf_counter()

    message = refused_at_the_door(grantee_a, zip_bomb)

    assert time.perf_counter() - started < 2  # only the directory is read, never the 300 MB
    assert message == (
        "A part of this file would unpack to 300.0 MB, more than a template's 120.0 MB, so it was not opened."
    )


def test_parts_that_together_unpack_too_far_are_refused(grantee_a, template):
    parts = {f"xl/worksheets/extra{n}.xml": b"<worksheet/>" for n in range(3)}
    data = rezip(template, add=parts)
    for name in parts:
        data = declare_size(data, name, 100 * MB)

    message = refused_at_the_door(grantee_a, data)

    assert message.startswith("The file would unpack to 300.")
    assert message.endswith("more than the 200.0 MB a template can reach, so it was not opened.")


def test_a_part_that_unpacks_past_its_declared_size_is_not_read(grantee_a, template):
    # The directory says 1 KB; the part is 5 MB of spaces. zipfile stops at the declared size and fails the
    # checksum, so the reader never sees more than was declared.
    part = sheet_part(template, REPORT_SHEET)
    data = declare_size(rezip(template, {part: lambda xml: xml + b" " * (5 * MB)}), part, 1024)

    assert invalid(receive(grantee_a, data)) == DAMAGED


@pytest.mark.parametrize("name", ["/xl/evil.xml", "../../evil.xml", "xl/../../evil.xml", "C:/evil.xml"])
def test_parts_with_unsafe_names_are_refused(grantee_a, template, name):
    data = rezip(template, add={name: b"<x/>"})
    assert (
        refused_at_the_door(grantee_a, data) == "The file has parts with unsafe names, so it was not opened."
    )


def test_a_file_with_too_many_parts_is_refused(grantee_a, template):
    data = rezip(template, add={f"xl/media/image{n}.png": b"x" for n in range(600)})
    message = refused_at_the_door(grantee_a, data)
    assert re.fullmatch(
        r"The file holds 6\d\d parts; a template has fewer than 500\. It is not a template, or it holds "
        r"something else besides\.",
        message,
    )


def test_a_macro_workbook_is_refused(grantee_a, template):
    data = rezip(template, add={"xl/vbaProject.bin": b"\0" * 64})
    assert refused_at_the_door(grantee_a, data) == (
        "This workbook contains macros. Save it as an Excel workbook (.xlsx) without macros."
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
"""


def _with_doctype(xml: bytes, doctype: bytes, entity: bytes) -> bytes:
    """Put a DOCTYPE before the root element and an entity reference in the first string or cell value."""
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    body = re.sub(
        rb"<t>[^<]*</t>|<t xml:space=\"preserve\">[^<]*</t>", b"<t>" + entity + b"</t>", body, count=1
    )
    return doctype + body


SHARED_STRINGS = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>x</t></si></sst>"
)
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def with_shared_strings(data: bytes, xml: bytes) -> bytes:
    """The template with a shared-strings part (openpyxl writes strings inline; Excel and LibreOffice do not)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
    return rezip(
        data,
        {"[Content_Types].xml": lambda types: types.replace(b"</Types>", SHARED_STRINGS_TYPE)},
        add={"xl/sharedStrings.xml": xml},
    )


@pytest.mark.parametrize("target", ["shared strings", "worksheet"])
def test_a_billion_laughs_part_is_refused(grantee_a, template, target):
    if target == "shared strings":
        data = with_shared_strings(template, _with_doctype(SHARED_STRINGS, BILLION_LAUGHS, b"&lol9;"))
    else:
        part = sheet_part(template, DATA_SHEET)
        data = rezip(template, {part: lambda xml: _with_doctype(xml, BILLION_LAUGHS, b"&lol9;")})

    started = time.perf_counter()
    message = invalid(receive(grantee_a, data))

    assert time.perf_counter() - started < 5
    assert message == UNREADABLE


def test_an_external_entity_is_not_resolved(grantee_a, template, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'.encode()
    part = sheet_part(template, REPORT_SHEET)
    data = rezip(template, {part: lambda xml: _with_doctype(xml, doctype, b"&xxe;")})

    upload = receive(grantee_a, data)

    assert invalid(upload) == UNREADABLE
    assert "TOP-SECRET" not in str(upload.result)


# --- a template, but not for this report -------------------------------------------------------------------


def _meta(data: bytes, **changes: object) -> bytes:
    def edit(workbook):
        sheet = workbook[META_SHEET]
        for row in sheet.iter_rows(min_col=1, max_col=2):
            if row[0].value in changes:
                row[1].value = changes[row[0].value]

    return fill(data, edit=edit)


def test_another_organisations_template_is_refused_without_naming_it(world, framework, grantee_b, template):
    upload = receive(grantee_b, template)

    assert invalid(upload) == uploads.NOT_YOURS
    for name in (world.project_a.title, world.project_a.grant.grantee.name, world.grant_a.award_number):
        assert name not in str(upload.result)
    assert upload.period is None

    nowhere = _meta(template, grant=999999, period=999999, projects="999999")
    assert invalid(receive(grantee_b, nowhere)) == uploads.NOT_YOURS


def test_a_template_for_another_period_is_refused_on_the_reports_page(world, framework, grantee_a, template):
    upload = receive(grantee_a, template, expected_project=world.project_a, expected_period=framework.second)

    message = invalid(upload)

    assert message.startswith(
        f"This template is for Guatemala: {world.project_a.title}, {framework.first.label}"
    )
    assert f"this page is for Guatemala: {world.project_a.title}, {framework.second.label}." in message
    assert "download this report's template" in message


def test_a_template_for_another_project_is_refused_on_the_reports_page(world, framework, grantee_a, template):
    honduras = CountryProjectFactory(grant=world.grant_a, country="HN")

    upload = receive(grantee_a, template, expected_project=honduras, expected_period=framework.first)

    assert invalid(upload) == (
        f"This template is for Guatemala: {world.project_a.title}, {framework.first.label}; this page is for "
        f"Honduras: {honduras.title}, {framework.first.label}. Upload the file on its own report's page (or from "
        "the reporting overview), or download this report's template."
    )


def test_an_older_template_version_is_refused(grantee_a, template):
    message = invalid(receive(grantee_a, _meta(template, version=0)))
    assert message.startswith(
        "This file was made from template version 0; the current version is 1, and its columns differ."
    )


def test_a_template_over_the_row_limit_is_refused_before_its_rows_are_read(grantee_a, template):
    message = invalid(receive(grantee_a, _meta(template, rows=60_000)))
    assert message.startswith("This template has 60,000 rows; an upload takes at most 50,000.")
    assert not ActualValue.objects.exists()


def test_a_workbook_without_the_hidden_sheet_is_not_ours(grantee_a, template):
    def drop(workbook):
        del workbook[META_SHEET]

    assert invalid(receive(grantee_a, fill(template, edit=drop))).startswith(
        "This workbook is not an indicator data template from this system"
    )


# --- the template's shape changed --------------------------------------------------------------------------


def test_a_renamed_sheet_is_refused(grantee_a, template):
    def rename(workbook):
        workbook[DATA_SHEET].title = "Data"

    message = invalid(receive(grantee_a, fill(template, edit=rename)))

    assert message.startswith(f"The workbook has no sheet named “{DATA_SHEET}” (its sheets: ")
    assert "“Data”" in message and "rename the sheet back" in message


def test_a_deleted_sheet_is_refused(grantee_a, template):
    def drop(workbook):
        del workbook[REPORT_SHEET]

    message = invalid(receive(grantee_a, fill(template, edit=drop)))

    assert message.startswith(f"The workbook has no sheet named “{REPORT_SHEET}”")


def test_moved_columns_are_refused(grantee_a, template):
    def swap(workbook):
        sheet = workbook[DATA_SHEET]
        for row in sheet.iter_rows(min_col=DATA["value"].index, max_col=DATA["numerator"].index):
            row[0].value, row[1].value = row[1].value, row[0].value

    message = invalid(receive(grantee_a, fill(template, edit=swap)))

    assert message == (
        f"On the “{DATA_SHEET}” sheet, column {VALUE} should be “Value”; found “Numerator”, which belongs in "
        f"column {NUMERATOR}. Columns must stay where the template put them: undo the change, or copy your "
        "figures into a fresh template."
    )


# --- rows and cells ----------------------------------------------------------------------------------------


def test_an_appended_row_with_made_up_keys_is_located(grantee_a, template):
    added = {}

    def append(workbook):
        sheet = workbook[DATA_SHEET]
        added["row"] = sheet.max_row + 1
        sheet.append([12345, "Made up", "E9", "Invented", "total", "", "", "", "", 40])

    upload = receive(grantee_a, fill(template, edit=append))

    assert errors_at(upload)[(DATA_SHEET, added["row"], "")].startswith(NOT_A_TEMPLATE_ROW)


def test_an_inserted_row_of_another_project_is_located(world, framework, grantee_a, template, rows):
    row = rows[("E1", "total")]

    def insert(workbook):
        sheet = workbook[DATA_SHEET]
        sheet.insert_rows(row + 1)
        for index, value in enumerate([world.project_b.pk, "Kenya", "E1", "", "total"], start=1):
            sheet.cell(row + 1, index).value = value
        sheet.cell(row + 1, DATA["value"].index).value = 10

    upload = receive(grantee_a, fill(template, edit=insert))

    assert errors_at(upload)[(DATA_SHEET, row + 1, "")].startswith(NOT_A_TEMPLATE_ROW)


def test_a_duplicated_row_is_located(grantee_a, template, rows):
    row = rows[("E1", "total")]
    added = {}

    def duplicate(workbook):
        sheet = workbook[DATA_SHEET]
        added["row"] = sheet.max_row + 1
        sheet.append([cell.value for cell in sheet[row]])
        sheet.cell(added["row"], DATA["value"].index).value = 9

    upload = receive(grantee_a, fill(template, {("E1", "total"): {"value": 8}}, edit=duplicate))

    message = errors_at(upload)[(DATA_SHEET, added["row"], "")]
    assert message.startswith(f"This row repeats row {row} (E1, ")
    assert message.endswith("Keep one of them.")


def test_merged_cells_in_the_data_area_are_located(grantee_a, template, rows):
    row = rows[("E3", "total")]

    def merge(workbook):
        workbook[DATA_SHEET].merge_cells(f"{NUMERATOR}{row}:{DENOMINATOR}{row}")

    upload = receive(grantee_a, fill(template, {("E3", "total"): {"numerator": 10}}, edit=merge))

    assert errors_at(upload)[(DATA_SHEET, row, NUMERATOR)] == (
        f"Cells {NUMERATOR}{row}:{DENOMINATOR}{row} are merged; unmerge them so each figure has its own cell."
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("1,250", "Use digits only, with a point for decimals (1500 or 12.5, not 1,500 or 12,5)."),
        (-5, "A count cannot be negative."),
        ("-5", "A count cannot be negative."),
        (2.5, "A count is a whole number: enter 2 or 3, not 2.5."),
    ],
)
def test_a_wrong_figure_is_located_at_its_cell(grantee_a, template, rows, typed, message):
    upload = receive(grantee_a, fill(template, {("E1", "total"): {"value": typed}}))

    assert errors_at(upload)[(DATA_SHEET, rows[("E1", "total")], VALUE)] == message
    assert upload.message == "1 problem to fix before anything can be applied."


def test_a_number_typed_as_text_with_spaces_is_stored_as_the_number(framework, grantee_a, template):
    upload = receive(grantee_a, fill(template, {("E1", "total"): {"value": " 12 "}}))
    assert upload.status == UploadStatus.READY, upload.result

    uploads.upload_apply(upload=upload, actor=grantee_a)

    stored = ActualValue.objects.get(project_indicator=framework.reached, cell_key="")
    assert (stored.value, stored.value_text) == (12, "12")


def test_a_numerator_above_its_denominator_is_located(grantee_a, template, rows):
    upload = receive(grantee_a, fill(template, {("E3", "total"): {"numerator": 30, "denominator": 20}}))

    assert errors_at(upload)[(DATA_SHEET, rows[("E3", "total")], NUMERATOR)] == (
        "The numerator (30) cannot be larger than the denominator (20)."
    )


def test_groups_that_do_not_add_up_are_located_at_the_total(grantee_a, template, rows):
    values = {("E1", "total"): {"value": 5}}
    for sex in ("female", "male"):
        for age in AGES:
            values[("E1", make_key({"age": age, "sex": sex}))] = {"value": 1}
    assert all(key in rows for key in values), sorted(rows)

    upload = receive(grantee_a, fill(template, values))

    assert errors_at(upload)[(DATA_SHEET, rows[("E1", "total")], VALUE)] == (
        "The groups' figures add up to 8, more than the total of 5."
    )


def test_a_formula_without_a_saved_result_is_located(grantee_a, template, rows):
    upload = receive(grantee_a, fill(template, {("E1", "total"): {"value": "=1+2"}}))

    assert errors_at(upload)[(DATA_SHEET, rows[("E1", "total")], VALUE)].startswith(NO_SAVED_RESULT)


def test_a_formula_with_a_saved_result_uses_the_result(framework, grantee_a, template, rows):
    row = rows[("E1", "total")]
    part = sheet_part(template, DATA_SHEET)

    def formula(xml: bytes) -> bytes:
        cell = f'<c r="{VALUE}{row}"'.encode()
        start = xml.index(cell)
        end = xml.index(b">", start)
        if xml[end - 1 : end] == b"/":  # <c r="J2" s="5"/>
            return xml[: end - 1] + b"><f>4+4</f><v>8</v></c>" + xml[end + 1 :]
        close = xml.index(b"</c>", end)
        return xml[: end + 1] + b"<f>4+4</f><v>8</v>" + xml[close:]

    upload = receive(grantee_a, rezip(template, {part: formula}))
    assert upload.status == UploadStatus.READY, upload.result
    uploads.upload_apply(upload=upload, actor=grantee_a)

    assert ActualValue.objects.get(project_indicator=framework.reached, cell_key="").value == 8


def test_a_million_empty_formatted_rows_are_refused_quickly(grantee_a, template):
    part = sheet_part(template, DATA_SHEET)
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', archive.read(part)))

    def run_on(xml: bytes) -> bytes:
        styled = b"".join(
            b'<row r="%d"><c r="J%d" s="1"/><c r="K%d" s="1"/></row>' % (n, n, n)
            for n in range(last + 1, last + 1_000_001)
        )
        return xml.replace(b"</sheetData>", styled + b"</sheetData>")

    data = rezip(template, {part: run_on})
    assert len(data) < 20 * MB

    started = time.perf_counter()
    upload = receive(grantee_a, data)
    elapsed = time.perf_counter() - started

    assert invalid(upload).startswith(f"The “{DATA_SHEET}” sheet runs on past row ")
    assert "delete the rows below your data and upload again" in upload.message
    assert elapsed < 5, f"took {elapsed:.1f} s"
