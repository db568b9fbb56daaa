"""The shared PDF base (reports/render/pdf.py): fonts, contents, running header, "Page N of M", table chunks
and charts, read back with pdftotext and pdfinfo."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal

import pytest
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.platypus import Table

from reports.render import pdf as base

ACCENTED = "Fundación Caminos de Esperanza — São Paulo, Côte d'Ivoire"


def render(story, **kwargs) -> bytes:
    stream = io.BytesIO()
    doc = base.ReportDocument(stream, title="Informe de São Tomé", scope_line="Perú, Côte d'Ivoire · 2025")
    doc.render(story, **kwargs)
    return stream.getvalue()


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return text.stdout.split("\f")[:-1]


def test_cover_contents_header_and_page_numbers(tmp_path):
    story = [base.heading("Resumen"), base.para(ACCENTED)]
    for i in range(3):
        story += [base.page_break(), base.heading(f"Proyecto {i} — {ACCENTED}", 1), base.para("Texto.")]
    pages = pdf_pages(render(story, cover_lines=["12 grants"]), tmp_path)

    assert len(pages) == 6  # cover, contents, summary, three projects
    assert "Informe de São Tomé" in pages[0] and "12 grants" in pages[0]
    assert "Page" not in pages[0]  # no footer on the cover
    assert "Contents" in pages[1]
    contents = [" ".join(line.split()) for line in pages[1].splitlines()]
    # Each heading with the page it landed on; dot leaders in between.
    assert any(line.startswith("Resumen") and line.endswith(" 3") for line in contents)
    assert any(line.startswith(f"Proyecto 2 — {ACCENTED}") and line.endswith(" 6") for line in contents)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of 6" in page
        assert "Perú, Côte d'Ivoire · 2025" in page  # running header
    assert ACCENTED in pages[2]


def test_long_contents_run_over_several_pages_with_right_numbers(tmp_path):
    story = []
    for i in range(120):
        story += [
            base.heading(f"Sección {i}", 0 if i % 10 == 0 else 1),
            base.para(f"Body {i}"),
            base.page_break(),
        ]
    pages = pdf_pages(render(story), tmp_path)
    listed = {}
    for page in pages[1:5]:
        for line in page.splitlines():
            match = re.match(r"\s*(Sección \d+)\s*\.*\s*(\d+)$", line)
            if match:
                listed[match[1]] = int(match[2])
    assert len(listed) == 120  # every entry, over more than one contents page
    assert listed["Sección 0"] > 3
    for name in ("Sección 0", "Sección 57", "Sección 119"):
        number = listed[name]
        assert f"Body {name.split()[1]}" in pages[number - 1]
        assert f"Page {number} of {len(pages)}" in pages[number - 1]
    assert listed["Sección 119"] == len(pages)


def test_chunked_table_pieces_are_page_sized_with_the_header_repeated(tmp_path):
    rows = [[f"Fila {i} São", base.fmt_number(Decimal(i) * 1000)] for i in range(300)]
    (paged,) = base.chunked_table(["País", "Monto"], rows, [200, 100], numeric=(1,))
    # Cut to the room left: a Table of the header and the rows that fit, and the rest for later pages.
    first, rest = paged.split(300, 100)
    assert isinstance(first, Table) and first.repeatRows == 1
    assert (
        first._cellvalues[0] == ["País", "Monto"] and len(first._cellvalues) == 100 // base.TABLE_ROW_HEIGHT
    )
    assert first._cellvalues[1] == ["Fila 0 São", "0"]
    assert rest.rows[0] == ["Fila 6 São", "6,000"] and len(rest.rows) == 294
    assert paged.split(300, base.TABLE_ROW_HEIGHT) == []  # no room for a row: to the next page

    pages = pdf_pages(
        render([base.para("Intro"), *base.chunked_table(["País", "Monto"], rows, [200, 100])]), tmp_path
    )
    body = pages[1:]
    assert len(body) == 7  # 300 rows of 13 points: about 50 a page under the header
    assert all(page.count("País") == 1 for page in body)  # the header once, at the top of every page
    text = "\n".join(body)
    assert all(f"Fila {i} São" in text for i in range(300))
    assert "299,000" in text


def test_chunked_table_clips_long_text_and_needs_a_width_per_column():
    (paged,) = base.chunked_table(["A"], [["x" * 500], [None]], [60])
    assert paged.rows[0][0].endswith("…") and len(paged.rows[0][0]) < 30
    assert paged.rows[1][0] == base.DASH
    assert base.chunked_table(["A"], [], [60]) == []
    with pytest.raises(ValueError, match="one column width per header cell"):
        base.chunked_table(["A", "B"], [], [60])


def test_bar_chart_draws_labels_and_formatted_values(tmp_path):
    drawing = base.bar_chart(
        ["Côte d'Ivoire", "Perú"],
        [Decimal("1500000"), Decimal("250.5")],
        value_format=base.fmt_money,
        title="Fondos",
    )
    chart = next(item for item in drawing.contents if isinstance(item, HorizontalBarChart))
    assert chart.data == [[1500000.0, 250.5]]
    assert chart.categoryAxis.categoryNames == ["Côte d'Ivoire", "Perú"]
    text = "\n".join(pdf_pages(render([drawing]), tmp_path))
    assert "Côte d'Ivoire" in text and "$1,500,000" in text and "$251" in text and "Fondos" in text
    with pytest.raises(ValueError, match="one value per label"):
        base.bar_chart(["a"], [])


def test_paragraph_text_is_escaped_not_read_as_markup(tmp_path):
    text = "\n".join(
        pdf_pages(render([base.para("Costs < budget & <b>not bold</b>\nsecond line")]), tmp_path)
    )
    assert "Costs < budget & <b>not bold</b>" in text and "second line" in text


def test_formatters():
    assert base.fmt_money(Decimal("-1234.5")) == "-$1,235"
    assert base.fmt_money(Decimal("1234.5"), 2) == "$1,234.50"
    assert base.fmt_number(Decimal("1234567")) == "1,234,567"
    assert base.fmt_percent(Decimal("87.45"), 1) == "87.5%"
    assert base.fmt_number(None) == base.fmt_percent(None) == base.fmt_money(None) == base.DASH
