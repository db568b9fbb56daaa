"""How fast is the IPTT's tidy sheet for a whole portfolio, against a bare openpyxl loop and against a peer?

The report is built synthetically in the builder's exact shape (reports.types.iptt.data: projects, indicators,
a line per disaggregation cell, figures per period, Decimals shared as the builder shares them), so the
benchmark measures the renderer alone and needs no database: --projects country projects x 16 indicators
(cells per indicator cycling 9, 3, 1, 7, 25, 3: the library's sex x age, sex, none, sex x migration,
sex x age x migration) x --periods half-years, 8 of which have approved figures. Then, in the same run:

  floor  a bare openpyxl write-only loop: Workbook(write_only=True), the header, ws.append(row) for every row
         of the same rows (materialised beforehand, so the floor pays for no row generation), save;
  ours   reports.types.iptt.xlsx.write_tidy_sheet on the report, in a write-only workbook, save: the rows
         generated from the report, text that could read as a formula typed as text, a percent format, a
         styled header, frozen header, autofilter and widths. openpyxl sets the sheet up and the data rows'
         XML is written by write_tidy_sheet itself, so ours is well under the floor (openpyxl's per-cell
         writing, which the floor pays for every value);
  peer   django-tables2's TableExport("xlsx") of a Table with the same 16 columns over the same rows as dicts
         (tablib, openpyxl normal mode). It is slow and holds everything in memory, so by default it runs on
         the first --peer-rows rows and ours is timed again on exactly those rows for its ratio; --peer-rows 0
         runs it on every row;
  memory the peak resident set (VmHWM) of a fresh process that starts Django, builds the report and writes
         the whole IPTT workbook (About, the wide sheet and the tidy sheet) to a file. Its projects are a
         ProjectStream made a project at a time, as the builder's are (folded from the database as the
         workbook reads them), so this measures the renderer's one pass, not a portfolio held in memory.

Targets (issue 5): ours <= 1.3 x floor; peer >= 5 x ours; peak memory < 200 MB. Exits non-zero when missed.
Floor and ours alternate, medians of --repeat runs, so a busy spell of a shared machine weighs on both.

Usage: python benchmarks/report_iptt.py [--projects 450] [--periods 10] [--repeat 3] [--peer-rows 50000]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_FLOOR_RATIO = 1.3
TARGET_PEER_RATIO = 5.0
TARGET_PEAK_MB = 200.0
CELLS = (9, 3, 1, 7, 25, 3)
INDICATORS = 16
REPORTED = 8  # periods with approved figures; the rest are targets only


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()


def synthetic_report(projects: int, periods: int, *, stream: bool = False) -> Any:
    """The synthetic report; with ``stream``, its projects are a ProjectStream made a project at a time on
    each pass, as the builder's are (the memory run), else a tuple made up front (the timing runs, so they
    time the renderer alone)."""
    from reports.types.iptt.builder import _Interned
    from reports.types.iptt.data import IpttReport, Outline, Period, ProjectStream

    shown = tuple(
        Period(
            f"FY{2024 + i // 2} H{i % 2 + 1}" + (" (partial: 15 Jan-30 Jun 2024)" if i == 0 else ""),
            datetime.date(2024 + i // 2, 1 + 6 * (i % 2), 15 if i == 0 else 1),
            datetime.date(2024 + i // 2, 6 + 6 * (i % 2), 30 if i % 2 == 0 else 31),
        )
        for i in range(periods)
    )

    def produce() -> Any:
        rng, same = random.Random(5), _Interned()  # the same figures on every pass
        return (_synthetic_project(p, shown, rng, same) for p in range(projects))

    built: Any = ProjectStream(Outline.of(produce()), produce) if stream else tuple(produce())
    return IpttReport("IPTT benchmark", datetime.date(2026, 6, 1), Decimal("0.15"), None, None, built)


def _synthetic_project(p: int, shown: tuple, rng: random.Random, same: Any) -> Any:
    from reports.types.iptt.data import Indicator, Line, Project

    tenth = Decimal("0.1")
    indicators = []
    for k in range(INDICATORS):
        lines = []
        for c in range(CELLS[k % len(CELLS)]):
            running, rows = Decimal(0), []
            for i in range(len(shown)):
                target = same(Decimal(rng.randrange(50, 400)))
                if i < REPORTED:
                    actual = same(Decimal(rng.randrange(0, 450)))
                    running = same(running + actual)
                    percent = same((actual * 100 / target).quantize(tenth))
                    rows.append((target, target, actual, None, None, running, percent, "on_track"))
                else:
                    rows.append((target, target, None, None, None, None, None, "no_data"))
            key, label = ("", "Total") if c == 0 else (f"age=5-11;sex=c{c}", f"Cell {c}")
            lines.append(Line.of(key, label, rows, same(Decimal(3000)), None, running, None, "behind"))
        indicators.append(Indicator(f"E{k}", f"Indicator {k}", "children", "count", "sum", tuple(lines)))
    return Project(
        project_id=p + 1,
        award_number=f"IL-{30000 + p // 3}-24-75-K",
        country_code="GT",
        country="Guatemala",
        title=f"Country project {p}",
        start=datetime.date(2024, 1, 15),
        end=datetime.date(2028, 12, 31),
        periods=shown,
        indicators=tuple(indicators),
    )


def _floor(rows: list[tuple], path: str) -> None:
    from openpyxl import Workbook

    from reports.types.iptt.data import TIDY_HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(TIDY_HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _ours(report: Any, path: str) -> None:
    from openpyxl import Workbook

    from reports.types.iptt.xlsx import write_tidy_sheet

    workbook = Workbook(write_only=True)
    write_tidy_sheet(workbook, report)
    workbook.save(path)


def _peer(rows: list[tuple], path: str) -> None:
    import django_tables2 as tables
    from django_tables2.export import TableExport

    from reports.types.iptt.data import TIDY_HEADERS

    table_class = type("TidyTable", (tables.Table,), {name: tables.Column() for name in TIDY_HEADERS})
    table = table_class([dict(zip(TIDY_HEADERS, row, strict=True)) for row in rows])
    Path(path).write_bytes(TableExport("xlsx", table).export())


class _Slice:
    """The first rows of a report, as write_tidy_sheet reads them (for ours on the peer's rows)."""

    def __init__(self, rows: list[tuple]) -> None:
        self.rows, self.row_count = rows, len(rows)

    def tidy_rows(self) -> Any:
        return iter(self.rows)


def _timed(function: Any, *args: Any) -> float:
    gc.collect()
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _run_timing(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    report = synthetic_report(args.projects, args.periods)
    rows = list(report.tidy_rows())
    floor_runs, ours_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-iptt-") as folder:
        path = str(Path(folder) / "tidy.xlsx")
        for _ in range(args.repeat):
            floor_runs.append(_timed(_floor, rows, path))
            ours_runs.append(_timed(_ours, report, path))
        size = Path(path).stat().st_size
        peer_rows = rows if args.peer_rows == 0 else rows[: args.peer_rows]
        del rows
        peer = _timed(_peer, peer_rows, path)
        ours_on_peer_rows = _timed(_ours, _Slice(peer_rows), path)
    return {
        "rows": report.row_count,
        "projects": args.projects,
        "file_mb": size / 1024 / 1024,
        "floor": statistics.median(floor_runs),
        "floor_runs": floor_runs,
        "ours": statistics.median(ours_runs),
        "ours_runs": ours_runs,
        "peer_rows": len(peer_rows),
        "peer": peer,
        "ours_on_peer_rows": ours_on_peer_rows,
    }


def _peak_rss_mb() -> float:
    """VmHWM from /proc (Linux): getrusage's ru_maxrss carries a large parent's peak across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("this benchmark reads /proc/self/status (Linux)")


def _run_memory(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    from reports.types.iptt.xlsx import render_xlsx

    django_mb = _peak_rss_mb()
    report = synthetic_report(args.projects, args.periods, stream=True)
    built_mb = _peak_rss_mb()
    with tempfile.TemporaryFile(prefix="bench-iptt-", suffix=".xlsx") as stream:
        render_xlsx(report, stream)
    return {"django_mb": django_mb, "built_mb": built_mb, "peak_mb": _peak_rss_mb()}


def _child(flag: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        flag,
        "--projects",
        str(args.projects),
        "--periods",
        str(args.periods),
    ]
    command += ["--repeat", str(args.repeat), "--peer-rows", str(args.peer_rows)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.exit("benchmark child failed (its error is above)")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=450)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-rows", type=int, default=50_000, help="rows for django-tables2 (0: all)")
    parser.add_argument("--timing-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timing_child:
        print(json.dumps(_run_timing(args)))
        return
    if args.memory_child:
        print(json.dumps(_run_memory(args)))
        return

    timing = _child("--timing-child", args)
    memory = _child("--memory-child", args)
    floor_ratio = timing["ours"] / timing["floor"]
    peer_ratio = timing["peer"] / timing["ours_on_peer_rows"]
    print(
        f"IPTT tidy sheet: {timing['rows']:,} rows ({timing['projects']} country projects, "
        f"{timing['file_mb']:,.1f} MB .xlsx); medians of {len(timing['ours_runs'])} runs\n"
    )
    print(
        f"floor (bare openpyxl write-only loop) {timing['floor']:8.2f} s   runs {_runs(timing['floor_runs'])}"
    )
    print(
        f"ours (write_tidy_sheet)               {timing['ours']:8.2f} s   runs {_runs(timing['ours_runs'])}"
    )
    print(f"ours / floor                          {floor_ratio:8.2f}x  (target <= {TARGET_FLOOR_RATIO}x)")
    print(
        f"peer (django-tables2 TableExport xlsx) {timing['peer']:7.2f} s on {timing['peer_rows']:,} rows; "
        f"ours on the same rows {timing['ours_on_peer_rows']:.2f} s"
    )
    print(f"peer / ours                           {peer_ratio:8.1f}x  (target >= {TARGET_PEER_RATIO}x)")
    print(
        f"peak RSS, whole IPTT workbook          {memory['peak_mb']:7.0f} MB (target < {TARGET_PEAK_MB:.0f}); "
        f"Django loaded {memory['django_mb']:.0f} MB, report's outline {memory['built_mb']:.0f} MB"
    )
    missed = []
    if floor_ratio > TARGET_FLOOR_RATIO:
        missed.append(f"ours is {floor_ratio:.2f}x the floor (target <= {TARGET_FLOOR_RATIO}x)")
    if peer_ratio < TARGET_PEER_RATIO:
        missed.append(f"the peer is only {peer_ratio:.1f}x ours (target >= {TARGET_PEER_RATIO}x)")
    if memory["peak_mb"] >= TARGET_PEAK_MB:
        missed.append(f"peak RSS {memory['peak_mb']:.0f} MB (target < {TARGET_PEAK_MB:.0f} MB)")
    if missed:
        sys.exit("\nTargets missed:\n  " + "\n  ".join(missed))
    print("\nAll targets met.")


def _runs(runs: list[float]) -> str:
    return ", ".join(f"{run:.2f}" for run in runs)


if __name__ == "__main__":
    main()
