"""The target-versus-actual chart: valid inline SVG, one bar per figure, sized by the figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest

from indicators.charts import ChartPoint, target_actual_svg

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str, series: str) -> list[float]:
    """Heights of the ``series`` ("target" or "actual") bars, left to right. The legend's two swatches (target,
    then actual) name the colours; bars stand on the axis at the bottom of the plot."""
    rects = list(ET.fromstring(svg).iter(f"{SVG}rect"))
    legend = [r for r in rects if float(r.get("y")) > 100]
    colour = legend[0 if series == "target" else 1].get("fill")
    return [float(r.get("height")) for r in rects if float(r.get("y")) < 100 and r.get("fill") == colour]


def test_chart_is_valid_inline_svg_with_a_title():
    svg = target_actual_svg(
        [ChartPoint("FY2024 H1", D(100), D(80))], title="E1 <target> & actual", chart_id="chart-7"
    )
    root = ET.fromstring(svg)  # raises on malformed XML

    assert root.tag == f"{SVG}svg"
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 360 150"
    assert root.find(f"{SVG}title").text == "E1 <target> & actual"
    assert 'id="chart-7-clip"' in svg and 'id="clip"' not in svg


def test_one_bar_per_figure_sized_by_the_value():
    svg = target_actual_svg(
        [
            ChartPoint("P1", D(100), D(50)),
            ChartPoint("P2", D(200), D(200)),
            ChartPoint("P3", D(300), None),  # not reported yet: no actual bar
        ],
        title="E1",
    )
    targets, actuals = bars(svg, "target"), bars(svg, "actual")

    assert len(targets) == 3 and len(actuals) == 2
    # Heights are proportional to the figures (the largest, 300, fills the plot).
    assert targets[0] * 3 == pytest.approx(targets[2])
    assert actuals[0] * 2 == pytest.approx(targets[0])
    assert actuals[1] == pytest.approx(targets[1])


def test_percentages_are_drawn_against_a_ceiling_of_100():
    svg = target_actual_svg([ChartPoint("P1", D(50), D(25))], title="E3", ceiling=D(100))
    full = target_actual_svg([ChartPoint("P1", D(100), D(50))], title="E3", ceiling=D(100))

    assert bars(svg, "target")[0] * 2 == pytest.approx(bars(full, "target")[0])


def test_an_empty_chart_still_renders():
    assert ET.fromstring(target_actual_svg([], title="Nothing yet")).tag == f"{SVG}svg"


def test_labels_and_title_are_escaped():
    # The SVG is put in the page as it is: nothing typed into a label or title may become markup.
    svg = target_actual_svg([ChartPoint("<b>P1</b>", D(1), D(1))], title="<script>alert(1)</script>")
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
