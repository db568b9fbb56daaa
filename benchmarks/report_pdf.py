"""Benchmark: the portfolio donor PDF renders at a steady page rate.

Issue 5 asks that a 500-page donor report take at most 11x the time of a 50-page one, and that the renderer
make at least 50 pages a second, charts and narratives included. The report is built by hand (no database):
many country projects, each with a three-part narrative of a few paragraphs, eight indicators under two
outcomes, funding by country and theme with their charts. Only ``render_pdf`` is timed (best of ``--repeat``
runs for each size).

    .venv/bin/python benchmarks/report_pdf.py            # ~50 and ~500 pages
    .venv/bin/python benchmarks/report_pdf.py --small 20 --large 200 --repeat 1
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

import django

django.setup()

from reports.types.donor.data import (  # noqa: E402
    DonorReport,
    FundingLine,
    Headline,
    IndicatorLine,
    MilestoneCount,
    OutcomeBlock,
    ProjectPage,
)
from reports.types.donor.pdf import render_pdf  # noqa: E402

COUNTRIES = ["Perú", "Côte d'Ivoire", "Brasil", "Sénégal", "Guatemala", "Bénin", "Colombia", "Niger"]
THEMES = ["Child labour", "Education", "Livelihoods", "Migrant workers' rights", "Social protection"]
SENTENCE = (
    "La Fundación Caminos de Esperanza opened remedial classes in São Paulo and Côte d'Ivoire, reaching "
    "children at risk of child labour and their households with livelihood services. "
)
MINIMUM_RATE = 50.0
MAXIMUM_RATIO = 11.0


def hand_report(projects: int) -> DonorReport:
    d = Decimal
    indicators = tuple(
        IndicatorLine(
            f"E{i}",
            f"Indicator {i} with a long name about children reached",
            "children",
            d(1000),
            d(400 + i),
            d("40.5"),
            "Behind",
            "FY2025 H2",
        )
        for i in range(8)
    )
    pages = []
    for i in range(projects):
        country = COUNTRIES[i % len(COUNTRIES)]
        award = f"IL-{10000 + i}-24-75-K"
        label = f"{country} · {award}"
        pages.append(
            ProjectPage(
                country=country,
                award_number=award,
                title=f"Niñez protegida y educación en {country} ({i})",
                grantee="Fundación Caminos de Esperanza",
                start=datetime.date(2024, 1, 1),
                end=datetime.date(2027, 12, 31),
                budget=d(1_000_000 + i),
                expenditure=d(250_000),
                burn_rate=d("25.0"),
                time_elapsed=d("45.2"),
                milestones_completed=12,
                milestones_open=9,
                milestones_overdue=2,
                period="FY2025 H2",
                achievements="\n".join(SENTENCE * 3 for _ in range(3)),
                challenges="\n".join(SENTENCE * 2 for _ in range(2)),
                next_steps=SENTENCE * 2,
                outcomes=(
                    OutcomeBlock(label, "1.1", "Children attend school regularly", indicators[:4]),
                    OutcomeBlock(label, "1.2", "Households earn a decent income", indicators[4:]),
                ),
            )
        )

    def funding(name: str) -> FundingLine:
        return FundingLine(name, 3, 5, d(4_500_000), d(1_200_000), d("26.7"), d("45.0"))

    return DonorReport(
        title="Portfolio donor report",
        scope_line=f"{projects} projects · benchmark",
        as_of=datetime.date(2026, 6, 1),
        headline=Headline(
            12,
            len(COUNTRIES),
            projects,
            d(60_000_000),
            d(30_000_000),
            d(9_000_000),
            d("15.0"),
            d("45.0"),
            d(10_000),
            d(9_500),
            d(19_500),
            d(4_000),
            "E1 Children",
            "L1 Households",
        ),
        countries=tuple(funding(c) for c in COUNTRIES),
        themes=tuple(funding(t) for t in THEMES),
        indicators=indicators,
        milestones=(MilestoneCount("Completed", 300), MilestoneCount("Overdue (open and past due)", 20)),
        projects=tuple(pages),
    )


def measure(projects: int, repeat: int) -> tuple[int, float]:
    report = hand_report(projects)
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        stream = io.BytesIO()
        start = time.perf_counter()
        render_pdf(report, stream)
        best = min(best, time.perf_counter() - start)
        pages = len(re.findall(rb"/Type /Page\b", stream.getvalue()))
    return pages, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=23, help="country projects of the small report")
    parser.add_argument("--large", type=int, default=246, help="country projects of the large report")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small_pages, small_time = measure(args.small, args.repeat)
    large_pages, large_time = measure(args.large, max(1, args.repeat - 1))
    ratio = large_time / small_time
    per_page = (large_time / large_pages) / (small_time / small_pages)
    rate = min(small_pages / small_time, large_pages / large_time)
    print(f"small: {small_pages} pages in {small_time:.2f} s ({small_pages / small_time:.0f} pages/s)")
    print(f"large: {large_pages} pages in {large_time:.2f} s ({large_pages / large_time:.0f} pages/s)")
    print(
        f"time ratio large/small: {ratio:.2f} for {large_pages / small_pages:.2f}x the pages "
        f"(limit {MAXIMUM_RATIO}x for 10x the pages); cost per page large/small: {per_page:.2f}"
    )
    print(f"slowest rate: {rate:.0f} pages/s (floor {MINIMUM_RATE:.0f})")
    ok = rate >= MINIMUM_RATE and per_page * 10 <= MAXIMUM_RATIO
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
