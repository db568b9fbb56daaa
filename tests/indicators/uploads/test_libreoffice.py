"""Templates filled and saved in LibreOffice Calc upload like those saved in Excel.

LibreOffice rewrites the whole file when it saves: shared strings instead of inline ones, its own dimension,
row and style attributes, sheet protection spelled differently, and formulas stored with their results. These
tests re-save templates with Debian's headless Calc (``scripts/ensure-libreoffice`` installs it) and upload
the result. Each conversion takes a few seconds, so there are few of them.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from indicators.cells import TOTAL, make_key
from indicators.models import ActualValue, Submission, UploadStatus
from indicators.services import uploads
from indicators.workbook.annotate import annotate_workbook
from indicators.workbook.layout import DATA, DATA_SHEET, META_SHEET, REPORT, REPORT_SHEET
from tests.indicators.conftest import AGES
from tests.indicators.uploads.helpers import fill, rows_by_key, template_bytes

SOFFICE = shutil.which("soffice")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice is not installed (no soffice on the PATH): run scripts/ensure-libreoffice.",
    ),
]


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """One LibreOffice user profile for the module: a private one avoids another instance's lock, and reusing
    it saves the first-start cost on every later conversion."""
    return tmp_path_factory.mktemp("lo-profile")


def resave(data: bytes, profile: Path, tmp_path: Path) -> bytes:
    """The workbook as LibreOffice Calc saves it in Excel 2007-365 format."""
    source, out = tmp_path / "in" / "figures.xlsx", tmp_path / "out"
    source.parent.mkdir()
    source.write_bytes(data)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (out / "figures.xlsx").read_bytes()


def full_file() -> dict:
    """Every figure of the framework's three indicators, valid and adding up; the E1 total is a formula."""
    values: dict = {("E1", "total"): {"value": "=4+4", "explanation": "Counted at the four schools."}}
    for sex in ("female", "male"):
        for age in AGES:
            values[("E1", make_key({"age": age, "sex": sex}))] = {"value": 1}
        values[("E3", f"sex={sex}")] = {"numerator": 5, "denominator": " 10 "}
    values[("E3", "total")] = {"numerator": 10, "denominator": 20}
    values[("L5", "total")] = {"value": 1500.5}
    return values


def part_xml(data: bytes, sheet: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode()
        number = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="(\d+)"', book).group(1)
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode()


def test_a_template_resaved_by_libreoffice_uploads_and_applies(
    world, framework, grantee_a, profile, tmp_path
):
    filled = fill(
        template_bytes(world.project_a, framework.first),
        full_file(),
        report={"expenditure": 12000, "achievements": "Two new learning centres opened."},
    )
    saved = resave(filled, profile, tmp_path)

    # What LibreOffice changed: strings are shared, the formula keeps its result, and the hidden sheet, the
    # sheet protection and the data validation survive.
    with zipfile.ZipFile(io.BytesIO(saved)) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    data_xml = part_xml(saved, DATA_SHEET)
    assert re.search(r"<f[^>]*>4\+4</f><v>8</v>", data_xml)
    assert '<sheetProtection sheet="true"' in data_xml
    assert "<dataValidations" in data_xml
    workbook = openpyxl.load_workbook(io.BytesIO(saved))
    assert workbook[META_SHEET].sheet_state == "hidden"
    assert workbook[DATA_SHEET].protection.sheet

    upload = uploads.upload_receive(actor=grantee_a, name="figures.xlsx", data=saved)

    assert upload.status == UploadStatus.READY, upload.result
    assert upload.change_count == 15
    uploads.upload_apply(upload=upload, actor=grantee_a)
    submission = Submission.objects.get(country_project=world.project_a, period=framework.first)
    assert submission.cumulative_expenditure == Decimal(12000)
    assert submission.achievements == "Two new learning centres opened."
    stored = {
        (v.project_indicator.indicator.code, v.cell_key): v
        for v in ActualValue.objects.select_related("project_indicator__indicator")
    }
    assert len(stored) == 13
    total = stored[("E1", TOTAL)]
    assert (total.value, total.value_text, total.explanation) == (8, "8", "Counted at the four schools.")
    assert stored[("E3", make_key({"sex": "female"}))].denominator == 10
    assert stored[("E3", TOTAL)].numerator == 10
    assert stored[("L5", TOTAL)].value == Decimal("1500.5")
    assert all(stored[("E1", make_key({"age": a, "sex": "male"}))].value == 1 for a in AGES)


def test_libreoffice_formula_errors_and_bad_figures_are_located_and_annotated(
    world, framework, grantee_a, profile, tmp_path
):
    template = template_bytes(world.project_a, framework.first)
    rows = rows_by_key(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])
    filled = fill(
        template,
        {
            ("E1", "total"): {"value": "=1/0"},
            ("E3", "total"): {"numerator": "1,250", "denominator": 2000},
            ("L5", "total"): {"value": "abc"},
        },
        report={"achievements": "=A1+"},  # not even a formula LibreOffice can read
    )
    saved = resave(filled, profile, tmp_path)

    upload = uploads.upload_receive(actor=grantee_a, name="figures.xlsx", data=saved)

    assert upload.status == UploadStatus.INVALID, upload.result
    assert not ActualValue.objects.exists() and not Submission.objects.exists()
    errors = {(e["sheet"], e["row"], e["column"]): e["message"] for e in upload.result["errors"]}
    assert len(errors) == len(upload.result["errors"]), "one message per cell"
    value, numerator = DATA["value"].letter, DATA["numerator"].letter
    assert errors[(DATA_SHEET, rows[("E1", "total")], value)] == (
        "This cell's formula gives an error (#DIV/0!). Correct the formula, or type the figure or text instead."
    )
    assert errors[(DATA_SHEET, rows[("E3", "total")], numerator)].startswith("Use digits only")
    assert errors[(DATA_SHEET, rows[("L5", "total")], value)] == "Enter a number, such as 120 or 12.5."
    # A narrative that starts with "=" becomes a broken formula in LibreOffice; its error is not taken as text.
    assert errors[(REPORT_SHEET, 2, REPORT["achievements"].letter)].startswith(
        "This cell's formula gives an error (#N/A)."
    )
    assert len(errors) == 4

    # The annotated copy of LibreOffice's file marks the same cells.
    annotated = openpyxl.load_workbook(io.BytesIO(annotate_workbook(saved, upload.result["errors"])))
    assert annotated.sheetnames[0] == "Problems"
    comment = annotated[DATA_SHEET][f"{value}{rows[('E1', 'total')]}"].comment
    assert comment.text.startswith("This cell's formula gives an error (#DIV/0!).")
    assert annotated[META_SHEET].sheet_state == "hidden"
