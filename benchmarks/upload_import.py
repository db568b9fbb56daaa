"""How fast is a 10,000-row indicator-data upload, against a bare read of the file and against a peer?

For each database (a fresh SQLite file always; PostgreSQL too when DATABASE_URL points at one, in its own
database <name>_upload_bench, created and dropped here) a child process migrates, seeds one grant with enough
country projects (15 library indicators each, with their disaggregations: 83 template rows a project) to give
--rows data rows, writes their template with the project's writer and fills every input cell with valid
figures (openpyxl; totals are the sums of their cells). Then, in the same run:

  floor  openpyxl read-only iteration of the same bytes: load_workbook(read_only=True, data_only=True) and
         every row of every sheet with values_only=True (median of --repeat runs);
  ours   upload_receive(apply=True, background=False) on a fresh state: preflight, store the file, parse,
         validate, write every value in one transaction (median of --repeat runs, state reset between runs);
  peer   django-import-export (4.x) with its defaults: a ModelResource for ActualValue, import_id_fields
         (submission, project_indicator, cell_key), fed a tablib Dataset that tablib reads from the same bytes
         (tablib's own xlsx import: openpyxl read_only, every sheet) and whose columns are then mapped to the
         model's fields with dict lookups; its time includes that read and mapping. The reports (Submission
         rows) exist beforehand, untimed: import-export cannot create them. Run once (it is slow);
  memory ours' peak in two ways: tracemalloc's peak of Python allocations during one upload, and the peak
         resident set (VmHWM) of a fresh process that starts Django, reads the file and uploads it;
  queries ours' query count for --rows rows and for about a tenth of them (CaptureQueriesContext).

Targets (issue 4): ours <= 1.5 x floor; peer >= 10 x ours; peak memory < 150 MB (the process's resident set,
the stricter of the two); the query count the same for both sizes. Exits non-zero when a target is missed.

Usage: python benchmarks/upload_import.py [--rows 10000] [--repeat 3] [--profile]
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio python benchmarks/upload_import.py
--profile prints ours' cProfile (cumulative time, the top functions) to stderr, from one extra run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, _postgres_database

DB_SUFFIX = "upload_bench"
TARGET_FLOOR_RATIO = 1.5
TARGET_PEER_RATIO = 10.0
TARGET_PEAK_MB = 150.0


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()


def _floor(data: bytes) -> int:
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    workbook.close()
    return cells


def _ours(data: bytes, username: str) -> Any:
    from grants.models import User
    from indicators.models import UploadStatus
    from indicators.services.uploads import upload_receive

    user = User.objects.get(username=username)
    upload = upload_receive(actor=user, name="upload-bench.xlsx", data=data, apply=True, background=False)
    if upload.status != UploadStatus.APPLIED:
        raise SystemExit(
            f"the benchmark upload was not applied: {upload.message} {upload.result.get('errors')}"
        )
    return upload


def _peer(data: bytes, portfolio: Any) -> float:
    """django-import-export with its defaults; returns the seconds from bytes to rows stored."""
    import tablib
    from django.utils import timezone
    from import_export import resources

    from indicators.models import CELL_FIELDS, CELL_KEY_FIELDS, ActualValue, ProjectIndicator, Submission
    from indicators.workbook.layout import DATA, DATA_SHEET

    # The key, the figures and their texts: what the upload writes, bar the flags and the explanation.
    COLUMNS = (*CELL_KEY_FIELDS, *CELL_FIELDS[:6])

    class ActualValueResource(resources.ModelResource):
        class Meta:
            model = ActualValue
            import_id_fields = ("submission", "project_indicator", "cell_key")
            fields = COLUMNS

    now = timezone.now()
    Submission.objects.bulk_create(
        Submission(
            country_project=project,
            period=portfolio.period,
            created_by=portfolio.grantee,
            updated_by=portfolio.grantee,
            updated_at=now,
        )
        for project in portfolio.projects
    )
    submissions = dict(
        Submission.objects.filter(period=portfolio.period).values_list("country_project_id", "pk")
    )
    indicators = {
        (project, code): pk
        for pk, project, code in ProjectIndicator.objects.filter(
            country_project__grant=portfolio.grant
        ).values_list("pk", "country_project_id", "indicator__code")
    }
    index = {
        key: DATA[key].index - 1
        for key in ("project", "indicator", "cell", "value", "numerator", "denominator")
    }

    def text(raw: object) -> str:
        return "" if raw is None else str(raw)

    started = time.perf_counter()
    book = tablib.Databook()
    book.load(data, format="xlsx")
    sheet = next(s for s in book.sheets() if s.title == DATA_SHEET)
    dataset = tablib.Dataset(headers=list(COLUMNS))
    for row in sheet:
        if not row[index["project"]]:
            continue
        project = int(row[index["project"]])
        cell = row[index["cell"]]
        figures = [row[index[part]] for part in ("value", "numerator", "denominator")]
        dataset.append(
            [
                submissions[project],
                indicators[(project, row[index["indicator"]])],
                "" if cell == "total" else cell,
                *figures,
                *(text(figure) for figure in figures),
            ]
        )
    result = ActualValueResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    if result.has_errors() or ActualValue.objects.count() != len(dataset):
        raise SystemExit("django-import-export did not import every row")
    return seconds


def _peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM from /proc (Linux). getrusage's ru_maxrss is no use here: Linux
    carries it across exec, so a process started by a large parent reports the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _memory_child(path: str, username: str) -> None:
    """A fresh process: Django, the file read, one upload. Prints its peak resident set."""
    _setup()
    data = Path(path).read_bytes()
    before = _peak_rss_mb()
    _ours(data, username)
    print(json.dumps({"before_mb": before, "peak_mb": _peak_rss_mb()}))


def _run_one(rows: int, repeat: int, profile: bool, peer: bool = True) -> dict[str, Any]:
    _setup()
    import tracemalloc

    import upload_fixture as fixture
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.models import ActualValue

    call_command("migrate", verbosity=0)
    portfolio = fixture.seed(rows)
    big = fixture.fill_valid(fixture.template(portfolio.projects, portfolio.period))
    small_projects = portfolio.projects[: max(1, round(len(portfolio.projects) / 10))]
    small = fixture.fill_valid(fixture.template(small_projects, portfolio.period))
    big_rows, small_rows = fixture.data_rows(big), fixture.data_rows(small)
    username = portfolio.grantee.username

    # Floor and ours alternate, each after a garbage collection, so a slow spell of a shared machine
    # weighs on both sides of the ratio rather than on one.
    floor_runs, ours_runs = [], []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        _floor(big)
        floor_runs.append(time.perf_counter() - started)
        fixture.reset()
        gc.collect()
        started = time.perf_counter()
        _ours(big, username)
        ours_runs.append(time.perf_counter() - started)
        if ActualValue.objects.count() != big_rows:
            raise SystemExit(f"ours stored {ActualValue.objects.count()} values, not {big_rows}")

    queries = {}
    for label, data in (("big", big), ("small", small)):
        fixture.reset()
        with CaptureQueriesContext(connection) as captured:
            _ours(data, username)
        queries[label] = len(captured)

    fixture.reset()
    tracemalloc.start()
    _ours(big, username)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()

    fixture.reset()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as stored:
        stored.write(big)
        stored.flush()
        child = subprocess.run(
            [sys.executable, __file__, "--memory-child", stored.name, "--user", username],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if child.returncode != 0:
        raise SystemExit(f"memory child failed:\n{child.stderr}")
    rss = json.loads(child.stdout.strip().splitlines()[-1])

    if profile:
        import cProfile
        import pstats

        fixture.reset()
        profiler = cProfile.Profile()
        profiler.enable()
        _ours(big, username)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)

    fixture.reset()
    peer_seconds = _peer(big, portfolio) if peer else float("nan")
    fixture.reset()

    return {
        "vendor": connection.vendor,
        "rows": big_rows,
        "small_rows": small_rows,
        "projects": len(portfolio.projects),
        "file_kb": len(big) / 1024,
        "floor": statistics.median(floor_runs),
        "floor_runs": floor_runs,
        "ours": statistics.median(ours_runs),
        "ours_runs": ours_runs,
        "peer": peer_seconds,
        "queries": queries["big"],
        "small_queries": queries["small"],
        "traced_peak_mb": traced_peak,
        "rss_before_mb": rss["before_mb"],
        "rss_peak_mb": rss["peak_mb"],
    }


def _child(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--repeat", str(args.repeat)]
    if args.profile:
        command.append("--profile")
    if args.skip_peer:
        command.append("--skip-peer")
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.exit("benchmark child failed (its error is above)")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _report(results: list[dict[str, Any]]) -> list[str]:
    missed = []
    first = results[0]
    print(
        f"Indicator-data upload of {first['rows']:,} rows ({first['projects']} country projects, "
        f"{first['file_kb']:,.0f} KB .xlsx); medians of {len(first['ours_runs'])} runs, peer run once\n"
    )
    print(
        f"{'database':<10} {'floor s':>8} {'ours s':>7} {'peer s':>7} {'ours/floor':>10} {'peer/ours':>9} "
        f"{'traced MB':>9} {'RSS MB':>7} {'queries':>13}"
    )
    for r in results:
        floor_ratio, peer_ratio = r["ours"] / r["floor"], r["peer"] / r["ours"]
        print(
            f"{r['vendor']:<10} {r['floor']:>8.2f} {r['ours']:>7.2f} {r['peer']:>7.1f} {floor_ratio:>9.2f}x "
            f"{peer_ratio:>8.1f}x {r['traced_peak_mb']:>9.0f} {r['rss_peak_mb']:>7.0f} "
            f"{r['queries']:>5} / {r['small_queries']:<5}"
        )
        if floor_ratio > TARGET_FLOOR_RATIO:
            missed.append(
                f"{r['vendor']}: ours is {floor_ratio:.2f}x the floor (target <= {TARGET_FLOOR_RATIO}x)"
            )
        if peer_ratio < TARGET_PEER_RATIO:  # False for a skipped peer (NaN)
            missed.append(
                f"{r['vendor']}: the peer is only {peer_ratio:.1f}x ours (target >= {TARGET_PEER_RATIO}x)"
            )
        if r["rss_peak_mb"] >= TARGET_PEAK_MB:
            missed.append(
                f"{r['vendor']}: peak RSS {r['rss_peak_mb']:.0f} MB (target < {TARGET_PEAK_MB:.0f} MB)"
            )
        if r["queries"] != r["small_queries"]:
            missed.append(
                f"{r['vendor']}: {r['queries']} queries for {r['rows']:,} rows but {r['small_queries']} for "
                f"{r['small_rows']:,}"
            )
    print(
        "\nfloor: openpyxl read-only, data_only, every row of every sheet, values_only"
        "\nours: upload_receive(apply=True, background=False): preflight + store + parse + validate + commit"
        "\npeer: django-import-export ModelResource(ActualValue) defaults, from tablib's own xlsx read"
        "\ntraced MB: tracemalloc peak during one upload; RSS MB: peak resident set (VmHWM) of a fresh process doing one upload "
        f"(Django loaded: {first['rss_before_mb']:.0f} MB before it)"
        f"\nqueries: ours for {first['rows']:,} rows / for {first['small_rows']:,} rows"
    )
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--skip-peer", action="store_true", help="leave out django-import-export (about 100 s) while tuning"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child(args.memory_child, args.user)
        return
    if args.child:
        print(json.dumps(_run_one(args.rows, args.repeat, args.profile, peer=not args.skip_peer)))
        return

    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as var_dir:
        results.append(_child({**base_env, "PORTFOLIO_VAR_DIR": var_dir}, args))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        bench_url = _postgres_database(url, DB_SUFFIX, "create")
        try:
            with tempfile.TemporaryDirectory(prefix="bench-") as var_dir:
                results.append(
                    _child({**base_env, "PORTFOLIO_VAR_DIR": var_dir, "DATABASE_URL": bench_url}, args)
                )
        finally:
            _postgres_database(url, DB_SUFFIX, "drop")
    else:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://... to measure it too)\n")
    missed = _report(results)
    if missed:
        sys.exit("\nTargets missed:\n  " + "\n  ".join(missed))
    print("\nAll targets met.")


if __name__ == "__main__":
    main()
