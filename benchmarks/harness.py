"""The shared harness of the load benchmarks: time a management-command load against a raw-SQL floor.

For each database (a fresh SQLite file always; PostgreSQL too when DATABASE_URL points at one) a child
process migrates a new database, runs the untimed preparation, times the load, then times the floor: the
very same rows of the measured tables inserted again with raw SQL `executemany` on the driver's cursor in
one transaction (rolled back afterwards), into the same tables with the same indexes and constraints.
On PostgreSQL the harness creates and drops its own database (<name>_<suffix>), never touching <name>.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

# call_command, the number of grants
Step = Callable[[Callable[..., object], int], None]


@dataclass(frozen=True)
class LoadBenchmark:
    script: str  # the benchmark's own file: the child process runs it again with --child
    db_suffix: str
    tables: tuple[str, ...]  # parents first: the order rows go back in
    budget_seconds: float
    prepare: Step  # untimed
    load: Step  # timed
    title: str  # may use {grants} and {budget}
    rows_label: str
    footnote: str
    default_grants: int = 340


def _run_one(bench: LoadBenchmark, grants: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    bench.prepare(call_command, grants)
    started = time.perf_counter()
    bench.load(call_command, grants)
    load_seconds = time.perf_counter() - started

    rows_by_table: dict[str, tuple[list[str], list[tuple]]] = {}
    with connection.cursor() as cursor:
        for table in bench.tables:
            cursor.execute(f"SELECT * FROM {table}")  # fixed table names, no input
            columns = [c[0] for c in cursor.description]
            rows_by_table[table] = (columns, cursor.fetchall())

    class Rollback(Exception):
        pass

    floor_seconds = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in reversed(bench.tables):
                cursor.execute(f"DELETE FROM {table}")
            started = time.perf_counter()
            for table in bench.tables:
                columns, rows = rows_by_table[table]
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows
                )
            floor_seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return {
        "vendor": connection.vendor,
        "rows": sum(len(rows) for _, rows in rows_by_table.values()),
        "rows_by_table": {table: len(rows) for table, (_, rows) in rows_by_table.items()},
        "load_seconds": load_seconds,
        "floor_seconds": floor_seconds,
    }


def _child(bench: LoadBenchmark, env: dict[str, str], grants: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, bench.script, "--child", "--grants", str(grants)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _postgres_database(url: str, suffix: str, action: str) -> str:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'portfolio'}_{suffix}"
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def main(bench: LoadBenchmark, description: str) -> None:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grants", type=int, default=bench.default_grants)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run_one(bench, args.grants)))
        return

    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as var_dir:
        results.append(_child(bench, {**base_env, "PORTFOLIO_VAR_DIR": var_dir}, args.grants))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        bench_url = _postgres_database(url, bench.db_suffix, "create")
        try:
            with tempfile.TemporaryDirectory(prefix="bench-") as var_dir:
                env = {**base_env, "PORTFOLIO_VAR_DIR": var_dir, "DATABASE_URL": bench_url}
                results.append(_child(bench, env, args.grants))
        finally:
            _postgres_database(url, bench.db_suffix, "drop")
    else:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://... to measure it too)\n")

    print(bench.title.format(grants=args.grants, budget=f"{bench.budget_seconds:.0f}"))
    print(f"{'database':<10} {bench.rows_label:>8} {'load s':>8} {'floor s':>8} {'ratio':>6}  rows/s (load)")
    over_budget = False
    for r in results:
        load, floor = float(r["load_seconds"]), float(r["floor_seconds"])
        ratio = load / floor if floor else float("inf")
        print(
            f"{r['vendor']:<10} {r['rows']:>8} {load:>8.2f} {floor:>8.2f} {ratio:>5.1f}x  {int(r['rows']) / load:,.0f}"
        )
        over_budget |= load > bench.budget_seconds
    print("\nrows per table:", json.dumps(results[0]["rows_by_table"]))
    print(bench.footnote)
    print("floor: the same rows re-inserted with raw SQL executemany in one transaction, then rolled back")
    if over_budget:
        sys.exit(f"over the {bench.budget_seconds:.0f} s budget")
