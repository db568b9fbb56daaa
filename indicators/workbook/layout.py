"""The shape of the indicator-data template: sheets, columns and the hidden identification sheet.

The writer and the reader both take their names from here, so a template this system writes is exactly what
its reader expects. Raise ``TEMPLATE_VERSION`` whenever the layout changes: the reader refuses older templates
with a message rather than reading their columns under the new meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

TEMPLATE_FORMAT = "grant-portfolio indicator data"
TEMPLATE_VERSION = 1

INSTRUCTIONS_SHEET = "Instructions"
DATA_SHEET = "Indicator data"
REPORT_SHEET = "Report"
META_SHEET = "Template"

# The most data rows one workbook may carry (a grantee's many country projects in one file).
MAX_DATA_ROWS = 50_000
# Rows below the data that are read before a sheet is judged to run on for ever. Blank rows inside this
# margin are skipped; anything written past it is refused, and so is formatting that runs on past it.
ROW_MARGIN = 1_000

YES = "Yes"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    input: bool  # a cell the grantee fills (unlocked); the others are for reference and protected
    index: int  # 1-based

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


def _numbered(columns: list[tuple[str, str, float, bool]]) -> tuple[Column, ...]:
    return tuple(
        Column(key=key, header=header, width=width, input=is_input, index=index)
        for index, (key, header, width, is_input) in enumerate(columns, start=1)
    )


DATA_COLUMNS = _numbered(
    [
        ("project", "Project ID", 10, False),
        ("project_name", "Country project", 28, False),
        ("indicator", "Indicator", 10, False),
        ("indicator_name", "Indicator name", 40, False),
        ("cell", "Cell code", 22, False),
        ("cell_label", "Disaggregation", 22, False),
        ("measure", "Reported as", 14, False),
        ("target", "Target", 11, False),
        ("previous", "Previous period", 16, False),
        ("value", "Value", 12, True),
        ("numerator", "Numerator", 12, True),
        ("denominator", "Denominator", 12, True),
        ("nothing_to_report", "Nothing to report", 12, True),
        ("explanation", "Explanation of change", 40, True),
    ]
)
REPORT_COLUMNS = _numbered(
    [
        ("project", "Project ID", 10, False),
        ("project_name", "Country project", 30, False),
        ("expenditure", "Cumulative expenditure to date (USD)", 20, True),
        ("achievements", "Achievements", 50, True),
        ("challenges", "Challenges", 50, True),
        ("next_steps", "Next steps", 50, True),
    ]
)
DATA = {column.key: column for column in DATA_COLUMNS}
REPORT = {column.key: column for column in REPORT_COLUMNS}
# The narrative fields of a submission the Report sheet fills.
NARRATIVE_KEYS = ("achievements", "challenges", "next_steps")

# The identification sheet: one "key, value" pair a row, in this order.
META_KEYS = ("format", "version", "grant", "period", "projects", "report_versions", "rows", "generated_at")
