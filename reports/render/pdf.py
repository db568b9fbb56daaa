"""The shared PDF document base of every report type: fonts, styles, a document with cover, contents, running
header and "Page N of M" footer, page-sized table chunks and bar charts. Renderers import this; nothing here
imports models.

Usage in a report type's ``pdf.py``::

    from reports.render import pdf as base

    def render_pdf(report, stream):
        doc = base.ReportDocument(stream, title=report.title, scope_line=report.scope_line)
        story = [
            base.heading("Executive summary"),
            base.para("Plain text: & and < are escaped, newlines become line breaks."),
            *base.chunked_table(["Country", "Funding"], rows, col_widths=[120, 80], numeric=(1,)),
            base.bar_chart(["Peru", "Ghana"], [Decimal("10"), Decimal("4")], value_format=base.fmt_money),
            base.page_break(),
            base.heading("Peru — project", level=1),
        ]
        doc.render(story, cover_lines=["12 grants", "24 countries"], generated_on=report.generated_on)

What it gives:

- Fonts: :func:`register_fonts` registers the Bitstream Vera TTFs bundled with reportlab as the family
  ``Vera`` (``Vera``, ``Vera-Bold``, ``Vera-Italic``, ``Vera-BoldItalic``), so ``<b>``/``<i>`` in paragraphs
  pick the right face and accented names (Spanish, French, Portuguese) print and extract as text. The base-14
  PDF fonts would not embed them. :data:`FONT`, :data:`FONT_BOLD` name the faces for canvas and table code.
- Styles: :data:`STYLES` (``title``, ``subtitle``, ``cover``, ``h1``, ``h2``, ``h3``, ``h4``, ``label``,
  ``body``, ``small``, ``muted``, ``figure``, ``figure_label``, ``contents_title``, ``centered``), all in the
  Vera family. Styles ``h3``, ``h4`` and ``label`` head a block without making a contents entry.
- :class:`ReportDocument`: A4 portrait. ``render(story, cover_lines=..., generated_on=...)`` writes the cover
  (title, scope line, cover lines, date), then "Contents", then the story. Every page after the cover carries
  the running header (report title, scope line) and the footer "Page N of M".
- Contents: every :func:`heading` in the story (level 0, 1 or 2) becomes a contents entry with its page number,
  a PDF outline (bookmark) entry and a link. The document is laid out in ONE pass, which keeps the cost linear
  in pages: the entries are known before the pass (the headings are in the story), so the contents reserves
  exactly the room it needs (:class:`Contents` splits over as many pages as needed); the page numbers, the
  "of M" and the contents lines are drawn when the canvas saves, once every page is known. This is why
  reportlab's ``TableOfContents`` with ``multiBuild`` is not used: it lays the whole document out two or three
  times.
- :func:`chunked_table`: a header row plus rows become page-sized Tables with the header repeated
  (``repeatRows=1``), fixed column widths and row heights, numeric columns right-aligned and text clipped to
  its column with an ellipsis. Rows have one height, so :class:`PagedTable` knows how many fit the room left
  on a page and builds exactly one Table per page: the header sits at the top of each page, never in the
  middle. Never hand platypus one giant Table: splitting it costs O(n^1.8). Cells are plain strings (not
  Paragraphs), which keeps a page of table cheap.
- :func:`bar_chart`: a horizontal bar chart Drawing (``reportlab.graphics``) from labels and Decimal values,
  value labels formatted by ``value_format``, its height growing with the number of bars.
- :func:`para`, :func:`heading`, :func:`page_break`, :func:`spacer`, :func:`key_figures` (a grid of headline
  figures), and the formatters :func:`fmt_money`, :func:`fmt_number`, :func:`fmt_percent`, :func:`fmt_date`.
  Figures arrive computed (Decimal) from the builder; these only format them.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "Vera", "Vera-Bold", "Vera-Italic", "Vera-BoldItalic"
_FONT_FILES = {
    FONT: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}

DASH = "\N{EN DASH}"  # what an unknown figure prints as
PAGE_SIZE = A4
MARGIN = 2 * cm
HEADER_GAP = 1.1 * cm  # room above the frame for the running header
FOOTER_GAP = 1.0 * cm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
FRAME_HEIGHT = PAGE_SIZE[1] - 2 * MARGIN - HEADER_GAP - FOOTER_GAP

ACCENT = colors.HexColor("#1f4e79")
LIGHT = colors.HexColor("#dde7f0")
RULE = colors.HexColor("#9aa9b8")
MUTED = colors.HexColor("#5b6570")
STRIPE = colors.HexColor("#f4f6f8")


def register_fonts() -> None:
    """Register the Vera family once per process (safe to call again)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )


register_fonts()


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        "muted": ParagraphStyle("muted", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=26, leading=32, textColor=ACCENT, spaceAfter=14
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=18, spaceAfter=10),
        "cover": ParagraphStyle("cover", parent=body, fontSize=11, leading=16, spaceAfter=3),
        "contents_title": ParagraphStyle(
            "contents_title",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceAfter=12,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=10,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "h4": ParagraphStyle(
            "h4",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=9.5,
            leading=12,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "label": ParagraphStyle(
            "label",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=9,
            leading=12,
            spaceBefore=3,
            spaceAfter=1,
            keepWithNext=1,
        ),
        "figure": ParagraphStyle(
            "figure",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=15,
            leading=18,
            textColor=ACCENT,
            alignment=TA_LEFT,
            spaceAfter=0,
        ),
        "figure_label": ParagraphStyle(
            "figure_label", parent=body, fontSize=8, leading=10, textColor=MUTED, spaceAfter=0
        ),
        "centered": ParagraphStyle("centered", parent=body, alignment=TA_CENTER),
    }


STYLES = _styles()


# ---------------------------------------------------------------------------------------------- formatting


def _round(value: Decimal | int, places: int) -> Decimal:
    """Half up, as ``indicators.calculations`` rounds (Python's format would round half to even)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_number(value: Decimal | int | None, places: int = 0) -> str:
    """1234567.5 -> "1,234,568" (places=0); None -> a dash."""
    if value is None:
        return DASH
    return f"{_round(value, places):,.{places}f}"


def fmt_money(value: Decimal | int | None, places: int = 0) -> str:
    """US dollars: "$1,234,568"; negative as "-$12"."""
    if value is None:
        return DASH
    value = _round(value, places)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{places}f}"


def fmt_percent(value: Decimal | int | None, places: int = 0) -> str:
    """A percentage already in percent units: Decimal("87.4") -> "87%"."""
    if value is None:
        return DASH
    return f"{_round(value, places):,.{places}f}%"


def fmt_date(value: datetime.date | None) -> str:
    return f"{value:%d %b %Y}" if value else DASH


# ---------------------------------------------------------------------------------------------- flowables


def para(text: str, style: str | ParagraphStyle = "body") -> Paragraph:
    """A paragraph of plain text (user text is escaped; blank lines and newlines are kept as breaks)."""
    markup = escape(text.strip()).replace("\r\n", "\n").replace("\n", "<br/>")
    return Paragraph(markup, STYLES[style] if isinstance(style, str) else style)


class Heading(Paragraph):
    """A heading that becomes a contents entry, a PDF outline entry and a link target."""

    _keys = itertools.count(1)

    def __init__(self, text: str, level: int = 0) -> None:
        if level not in (0, 1, 2):
            raise ValueError("A heading level is 0, 1 or 2.")
        super().__init__(escape(text), STYLES[f"h{level + 1}"])
        self.plain_text = text
        self.toc_level = level
        self.toc_key = f"h{next(self._keys)}"


def heading(text: str, level: int = 0) -> Heading:
    return Heading(text, level)


def page_break() -> PageBreak:
    return PageBreak()


def spacer(height: float = 8) -> Spacer:
    return Spacer(1, height)


def key_figures(figures: Sequence[tuple[str, str]], columns: int = 3) -> Table:
    """Headline figures as a grid of (formatted value, label) boxes, ``columns`` a row."""
    cells = [
        [Paragraph(escape(value), STYLES["figure"]), Paragraph(escape(label), STYLES["figure_label"])]
        for value, label in figures
    ]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    if rows and len(rows[-1]) < columns:
        rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))
    width = FRAME_WIDTH / columns
    table = Table(rows or [[""]], colWidths=[width] * columns, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), STRIPE),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def clip(text: str, width: float, font: str = FONT, size: float = 8) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` points in ``font`` at ``size``."""
    if stringWidth(text, font, size) <= width:
        return text
    ellipsis = "…"
    room = width - stringWidth(ellipsis, font, size)
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid], font, size) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ellipsis


TABLE_FONT_SIZE = 8
TABLE_ROW_HEIGHT = 13
TABLE_PADDING = 3


class PagedTable(Flowable):
    """Rows of one fixed height, laid out a page at a time.

    Every row has the same height, so the number of rows that fit the room left on a page is arithmetic:
    ``split`` hands platypus one Table of exactly those rows (with the header) and keeps the rest for the next
    page. Each Table is built once, for one page, and never split by platypus (whose splitting of a big Table
    costs O(n^1.8)); the header is at the top of every page and nowhere else.
    """

    def __init__(
        self,
        head: list[str],
        rows: list[list[str]],
        col_widths: list[float],
        style: TableStyle,
        row_height: float,
    ) -> None:
        super().__init__()
        self.head, self.rows, self.col_widths = head, rows, col_widths
        self.style, self.row_height = style, row_height
        self.hAlign = "LEFT"

    def table(self, rows: list[list[str]]) -> Table:
        data = [self.head, *rows]
        table = Table(
            data,
            colWidths=self.col_widths,
            rowHeights=[self.row_height] * len(data),
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(self.style)
        return table

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = sum(self.col_widths)
        self.height = (len(self.rows) + 1) * self.row_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fit = int((availHeight + 0.001) // self.row_height) - 1
        if fit < 1:
            return []  # not even the header and one row: the frame moves this to the next page
        if fit >= len(self.rows):
            return [self.table(self.rows)]
        rest = PagedTable(self.head, self.rows[fit:], self.col_widths, self.style, self.row_height)
        return [self.table(self.rows[:fit]), rest]

    def draw(self) -> None:
        table = self.table(self.rows)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def chunked_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    numeric: Iterable[int] = (),
    rows_per_chunk: int | None = None,
    font_size: float = TABLE_FONT_SIZE,
    row_height: float = TABLE_ROW_HEIGHT,
) -> list[Flowable]:
    """A header and rows as page-sized Tables with the header repeated, fixed column widths and row heights.

    Returns a list of flowables to put in the story (a :class:`PagedTable` that cuts one Table per page, with
    as many rows as fit the room left; ``rows_per_chunk`` caps the rows of a piece). Cells are formatted strings
    (None prints as a dash, other values with ``str``); text is clipped to its column. ``numeric`` lists the
    column indexes to right-align. Returns [] when there are no rows: say "nothing to report" instead.
    """
    col_widths = list(col_widths)
    if len(col_widths) != len(header):
        raise ValueError("chunked_table needs one column width per header cell.")
    numeric = tuple(numeric)
    room = [w - 2 * TABLE_PADDING for w in col_widths]
    head = [clip(str(h), r, FONT_BOLD, font_size) for h, r in zip(header, room, strict=True)]

    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEADING", (0, 0), (-1, -1), font_size + 2),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
    ]
    style += [("ALIGN", (col, 0), (col, -1), "RIGHT") for col in numeric]
    table_style = TableStyle(style)
    cells = [
        [
            clip(DASH if value is None else str(value), width, FONT, font_size)
            for value, width in zip(row, room, strict=True)
        ]
        for row in rows
    ]
    if not cells:
        return []
    pieces: list[Flowable] = []
    if rows_per_chunk:
        # Separate flowables of at most this many rows each, every one still cut to the room on its page.
        for start in range(0, len(cells), rows_per_chunk):
            batch = cells[start : start + rows_per_chunk]
            pieces.append(PagedTable(head, batch, col_widths, table_style, row_height))
        return pieces
    return [PagedTable(head, cells, col_widths, table_style, row_height)]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    value_format: Callable[[Decimal], str] = fmt_number,
    width: float = FRAME_WIDTH,
    bar_height: float = 16,
    title: str = "",
    color: colors.Color = ACCENT,
) -> Drawing:
    """A horizontal bar chart of ``values`` (Decimal; drawn as float coordinates only) with value labels."""
    if len(labels) != len(values):
        raise ValueError("bar_chart needs one value per label.")
    count = max(1, len(labels))
    title_room = 18 if title else 0
    label_room = min(170.0, max([stringWidth(str(lb), FONT, 8) for lb in labels] or [40]) + 10)
    plot_height = count * bar_height
    height = plot_height + 30 + title_room
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x = label_room
    chart.y = 20
    chart.width = width - label_room - 70
    chart.height = plot_height
    numbers = [float(v) for v in values] or [0.0]
    chart.data = [numbers]
    chart.bars[0].fillColor = color
    chart.bars.strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = bar_height * 0.3
    # The first label at the top, as a reader scans a list.
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.categoryNames = [clip(str(lb), label_room - 10, FONT, 8) for lb in labels] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    top = max(numbers) if numbers else 0
    chart.valueAxis.valueMax = top * 1.05 if top > 0 else 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: value_format(Decimal(str(v)))
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.gridStrokeColor = LIGHT
    chart.valueAxis.visibleGrid = 1
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barLabelFormat = lambda v: value_format(Decimal(str(v)))
    drawing.add(chart)
    if title:
        drawing.add(String(0, height - 12, title, fontName=FONT_BOLD, fontSize=9.5, fillColor=ACCENT))
    return drawing


# ---------------------------------------------------------------------------------------------- contents


CONTENTS_LINE = {0: 16.0, 1: 13.0, 2: 12.0}
CONTENTS_INDENT = {0: 0.0, 1: 14.0, 2: 28.0}
CONTENTS_FONT = {0: (FONT_BOLD, 9.5), 1: (FONT, 9.0), 2: (FONT, 8.5)}


class Contents(Flowable):
    """The table of contents: reserves one line per heading now, and has its lines drawn at save time.

    ``entries`` are (level, text, key). Splits over pages by whole lines.
    """

    def __init__(self, entries: Sequence[tuple[int, str, str]]) -> None:
        super().__init__()
        self.entries = list(entries)

    def _height(self) -> float:
        return sum(CONTENTS_LINE[level] for level, _, _ in self.entries)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self._height()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        used, cut = 0.0, 0
        for level, _, _ in self.entries:
            if used + CONTENTS_LINE[level] > availHeight:
                break
            used += CONTENTS_LINE[level]
            cut += 1
        if cut == 0 or cut == len(self.entries):
            return []
        return [Contents(self.entries[:cut]), Contents(self.entries[cut:])]

    def draw(self) -> None:
        canv = self.canv
        x0, y0 = canv.absolutePosition(0, self._height())
        entries, width = self.entries, self.width
        canv.defer(lambda c: _draw_contents(c, entries, x0, y0, width))


def _draw_contents(
    canv: ReportCanvas, entries: list[tuple[int, str, str]], x0: float, top: float, width: float
) -> None:
    y = top
    for level, text, key in entries:
        line = CONTENTS_LINE[level]
        y -= line
        font, size = CONTENTS_FONT[level]
        page = str(canv.heading_pages.get(key, ""))
        page_width = stringWidth(page, FONT, size)
        x = x0 + CONTENTS_INDENT[level]
        shown = clip(text, width - CONTENTS_INDENT[level] - page_width - 30, font, size)
        baseline = y + 3
        canv.setFont(font, size)
        canv.setFillColor(colors.black)
        canv.drawString(x, baseline, shown)
        canv.setFont(FONT, size)
        canv.drawRightString(x0 + width, baseline, page)
        # Dot leaders between the text and the page number.
        start = x + stringWidth(shown, font, size) + 6
        end = x0 + width - page_width - 6
        if end > start:
            canv.setFillColor(RULE)
            dots = "." * int((end - start) / stringWidth(". ", FONT, size) * 2)
            canv.drawRightString(end, baseline, clip(dots, end - start, FONT, size).rstrip("…"))
        canv.linkRect("", key, (x0, y, x0 + width, y + line), relative=0, thickness=0)


# ---------------------------------------------------------------------------------------------- canvas


class ReportCanvas(pdfcanvas.Canvas):
    """Holds every page until save, then draws what needs the whole document: "Page N of M", the contents
    lines and the bookmarks (which must be made while their page is the PDF's current page)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._deferred: dict[int, list[Callable[[ReportCanvas], None]]] = {}
        self.heading_pages: dict[str, int] = {}
        self.footer_from = 2  # the cover has no footer

    def defer(self, draw: Callable[[ReportCanvas], None]) -> None:
        """Run ``draw(canvas)`` on the current page when the document is saved."""
        self._deferred.setdefault(self.getPageNumber(), []).append(draw)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        deferred = self._deferred
        # Annotation names are numbered by a counter each page state holds a copy of: keep it rising.
        annotations = max([self._annotationCount, *(state["_annotationCount"] for state in self._pages)])
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._annotationCount = annotations
            for draw in deferred.get(number, ()):
                draw(self)
            annotations = self._annotationCount
            if number >= self.footer_from:
                self.setFont(FONT, 8)
                self.setFillColor(MUTED)
                self.drawRightString(PAGE_SIZE[0] - MARGIN, MARGIN - 4, f"Page {number} of {total}")
            pdfcanvas.Canvas.showPage(self)
        self._pages = []
        pdfcanvas.Canvas.save(self)


# ---------------------------------------------------------------------------------------------- document


class ReportDocument(BaseDocTemplate):
    """An A4 report: cover, contents and body pages with a running header and a "Page N of M" footer."""

    def __init__(
        self, stream: IO[bytes] | str, *, title: str, scope_line: str = "", author: str = ""
    ) -> None:
        super().__init__(
            stream,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP,
            bottomMargin=MARGIN + FOOTER_GAP,
            title=title,
            author=author,
            subject=scope_line,
            creator="Grant Portfolio",
        )
        self.report_title = title
        self.scope_line = scope_line
        cover_frame = Frame(MARGIN, MARGIN, FRAME_WIDTH, PAGE_SIZE[1] - 2 * MARGIN, id="cover")
        body_frame = Frame(MARGIN, MARGIN + FOOTER_GAP, FRAME_WIDTH, FRAME_HEIGHT, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[cover_frame], onPage=self._draw_cover_band),
                PageTemplate(id="body", frames=[body_frame], onPage=self._draw_header),
            ]
        )

    def _draw_cover_band(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, PAGE_SIZE[1] - 1.2 * cm, PAGE_SIZE[0], 1.2 * cm, stroke=0, fill=1)
        canv.restoreState()

    def _draw_header(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        top = PAGE_SIZE[1] - MARGIN
        canv.setFont(FONT_BOLD, 8.5)
        canv.setFillColor(ACCENT)
        canv.drawString(MARGIN, top, clip(self.report_title, FRAME_WIDTH, FONT_BOLD, 8.5))
        if self.scope_line:
            canv.setFont(FONT, 7.5)
            canv.setFillColor(MUTED)
            canv.drawString(MARGIN, top - 10, clip(self.scope_line, FRAME_WIDTH, FONT, 7.5))
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, top - 15, PAGE_SIZE[0] - MARGIN, top - 15)
        canv.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            canv = self.canv
            canv.heading_pages[flowable.toc_key] = canv.getPageNumber()
            key, text, level = flowable.toc_key, flowable.plain_text, flowable.toc_level

            def mark(c: ReportCanvas) -> None:
                c.bookmarkPage(key)
                c.addOutlineEntry(text, key, level=level, closed=level > 0)

            canv.defer(mark)

    def cover(self, cover_lines: Sequence[str], generated_on: datetime.date | None) -> list[Flowable]:
        story: list[Flowable] = [Spacer(1, 5 * cm), Paragraph(escape(self.report_title), STYLES["title"])]
        if self.scope_line:
            story.append(para(self.scope_line, "subtitle"))
        story.append(Spacer(1, 1.2 * cm))
        story += [para(line, "cover") for line in cover_lines]
        if generated_on:
            story += [Spacer(1, 1.5 * cm), para(f"Prepared on {generated_on:%d %B %Y}", "muted")]
        return story

    def render(
        self,
        story: Sequence[Flowable],
        *,
        cover_lines: Sequence[str] = (),
        generated_on: datetime.date | None = None,
        contents: bool = True,
    ) -> None:
        """Lay out cover, contents and ``story`` in one pass and write the PDF to the stream."""
        flowables: list[Flowable] = [
            *self.cover(cover_lines, generated_on),
            NextPageTemplate("body"),
            PageBreak(),
        ]
        if contents:
            entries = [(f.toc_level, f.plain_text, f.toc_key) for f in story if isinstance(f, Heading)]
            if entries:
                flowables += [Paragraph("Contents", STYLES["contents_title"]), Contents(entries), PageBreak()]
        flowables += list(story)
        self.build(flowables, canvasmaker=ReportCanvas)
