"""Small charts drawn with reportlab.graphics and written as SVG to put inline in a page (no JavaScript).

Charts take plain figures, never models or requests, so the report renderers can draw the same picture into a
PDF. One chart: target and actual per reporting period as paired bars, the actual in the strong colour.

The page's Content Security Policy (style-src 'self', no 'unsafe-inline') refuses ``style="..."`` attributes,
and reportlab writes every look as one: they are rewritten into SVG presentation attributes (``fill="..."``),
which are markup, not inline CSS, so the chart looks the same under the policy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

TARGET_COLOUR = colors.HexColor("#adb5bd")  # Bootstrap gray-500
ACTUAL_COLOUR = colors.HexColor("#0d6efd")  # Bootstrap primary
AXIS_COLOUR = colors.HexColor("#6c757d")
WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, BOTTOM, TOP = 40, 8, 28, 18


@dataclass(frozen=True)
class ChartPoint:
    label: str
    target: Decimal | None
    actual: Decimal | None


def _short(number: Decimal) -> str:
    """Axis labels: 1.2k, 3.4M; whole numbers otherwise."""
    if abs(number) >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if abs(number) >= 10_000:
        return f"{number / 1_000:.0f}k"
    if abs(number) >= 1_000:
        return f"{number / 1_000:.1f}k"
    return f"{number:.0f}"


def _drawing(points: Sequence[ChartPoint], ceiling: Decimal | None) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    figures = [f for p in points for f in (p.target, p.actual) if f is not None]
    top = max([*figures, ceiling or Decimal(0)], default=Decimal(0)) or Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP

    def y(figure: Decimal) -> float:
        return BOTTOM + float(figure / top) * plot_h

    drawing.add(Line(LEFT, BOTTOM, WIDTH - RIGHT, BOTTOM, strokeColor=AXIS_COLOUR, strokeWidth=0.8))
    for figure in (Decimal(0), top):
        drawing.add(
            String(
                LEFT - 4, y(figure) - 3, _short(figure), fontSize=8, textAnchor="end", fillColor=AXIS_COLOUR
            )
        )
    drawing.add(
        Line(LEFT, y(top), WIDTH - RIGHT, y(top), strokeColor=colors.HexColor("#dee2e6"), strokeWidth=0.5)
    )
    slot = plot_w / max(len(points), 1)
    bar = min(slot * 0.38, 18)
    every = max(1, len(points) // 8 + (1 if len(points) % 8 else 0))  # at most ~8 period labels fit
    for index, point in enumerate(points):
        middle = LEFT + slot * index + slot / 2
        for offset, figure, colour in ((-bar, point.target, TARGET_COLOUR), (0, point.actual, ACTUAL_COLOUR)):
            if figure is not None and figure > 0:
                drawing.add(
                    Rect(middle + offset, BOTTOM, bar, y(figure) - BOTTOM, fillColor=colour, strokeColor=None)
                )
        if index % every == 0:
            drawing.add(
                String(
                    middle,
                    BOTTOM - 11,
                    point.label[-12:],
                    fontSize=7,
                    textAnchor="middle",
                    fillColor=AXIS_COLOUR,
                )
            )
    # A legend along the top.
    drawing.add(Rect(LEFT, HEIGHT - 11, 8, 8, fillColor=TARGET_COLOUR, strokeColor=None))
    drawing.add(String(LEFT + 11, HEIGHT - 10, "Target to date", fontSize=8, fillColor=AXIS_COLOUR))
    drawing.add(Rect(LEFT + 78, HEIGHT - 11, 8, 8, fillColor=ACTUAL_COLOUR, strokeColor=None))
    drawing.add(
        String(LEFT + 89, HEIGHT - 10, "Actual to date (approved)", fontSize=8, fillColor=AXIS_COLOUR)
    )
    return drawing


def target_actual_svg(
    points: Sequence[ChartPoint], *, title: str, chart_id: str = "chart", ceiling: Decimal | None = None
) -> str:
    """An inline ``<svg>`` of target and actual bars per period, with ``title`` as its accessible name.

    ``chart_id`` keeps the ids inside the SVG unique when a page holds several charts. ``ceiling`` fixes the
    top of the scale (100 for percentages); otherwise the largest figure sets it.
    """
    svg = renderSVG.drawToString(_drawing(points, ceiling))
    svg = svg[svg.index("<svg") :]  # inline SVG takes no XML declaration or doctype
    svg = re.sub(r"<title>.*?</title>", f"<title>{escape(title)}</title>", svg, count=1, flags=re.S)
    svg = re.sub(r"<desc>.*?</desc>", "", svg, count=1, flags=re.S)
    svg = svg.replace('id="clip"', f'id="{chart_id}-clip"').replace("url(#clip)", f"url(#{chart_id}-clip)")
    svg = svg.replace('id="group"', f'id="{chart_id}-group"')
    svg = _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)
    # Scale with its container: drop the fixed size, keep the viewBox; .perf-chart (static/css/portfolio.css)
    # caps the width and keeps the aspect ratio.
    return re.sub(
        r'<svg width="[^"]*" height="[^"]*"', '<svg class="perf-chart" role="img" width="100%"', svg, count=1
    )


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
# The properties reportlab's SVG renderer writes, all of which SVG also takes as presentation attributes.
_PRESENTATION = frozenset(
    {"clip-path", "fill", "fill-rule", "font-family", "font-size", "stroke", "stroke-linecap", "stroke-width"}
)


def _presentation_attributes(match: re.Match[str]) -> str:
    """``style="fill: red; stroke: none"`` -> ``fill="red" stroke="none"``. A property that is not a
    presentation attribute raises ValueError, so a reportlab upgrade that writes a new one fails the chart
    tests instead of silently losing that look."""
    attributes = []
    for declaration in match.group(1).split(";"):
        if not declaration.strip():
            continue
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name not in _PRESENTATION:
            raise ValueError(f"reportlab wrote the style property {name!r}, which has no SVG attribute here")
        attributes.append(f' {name}="{value}"')
    return "".join(attributes)
