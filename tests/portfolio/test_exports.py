import csv
import datetime
import io
from decimal import Decimal

import openpyxl

from portfolio.exports import Column, csv_response, xlsx_bytes

COLUMNS = [Column("Title"), Column("Amount", "#,##0.00"), Column("End", "yyyy-mm-dd")]
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTab", "plain -dash"]


def test_csv_neutralises_formulas_and_keeps_text():
    rows = [[text, Decimal("1.50"), datetime.date(2025, 3, 31)] for text in HOSTILE]
    body = b"".join(csv_response("x", COLUMNS, rows).streaming_content).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(body)))
    assert records[0] == ["Title", "Amount", "End"]
    assert [r[0] for r in records[1:]] == ["'" + t for t in HOSTILE[:5]] + ["plain -dash"]
    assert records[2] == ["'+1", "1.50", "2025-03-31"]


def test_xlsx_writes_hostile_text_as_strings_and_numbers_as_numbers():
    rows = [[text, Decimal("1234.5"), datetime.date(2025, 3, 31)] for text in HOSTILE]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("Grants", COLUMNS, rows)))
    sheet = workbook["Grants"]
    titles = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in titles] == HOSTILE
    assert all(c.data_type == "s" for c in titles)
    amount = sheet.cell(row=2, column=2)
    assert amount.value == 1234.5 and amount.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=3).value == datetime.datetime(2025, 3, 31)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:C{len(HOSTILE) + 1}"
