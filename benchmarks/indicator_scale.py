"""How fast does `manage.py load_indicator_demo --scale` fill the indicator tables, against a floor?

For each database (a fresh SQLite file always; PostgreSQL too when DATABASE_URL points at one) this migrates
a new database, loads the synthetic grants (`load_demo --scale`, not timed), times the indicator scale load,
then times the floor: the very same ActualValue rows inserted again with raw SQL `executemany` on the
driver's cursor in one transaction (rolled back afterwards), into the same table with the same indexes and
constraints. The ratio says what building the rows in Python and bulk_create cost on top of the database's
own insert work for the largest table.

Usage: python benchmarks/indicator_scale.py [--grants 300]
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio python benchmarks/indicator_scale.py

On PostgreSQL it creates and drops its own database (<name>_indicator_bench), never touching <name>.
Target: under 120 s for the indicator data of 300 grants on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 120.0
TABLES = ("indicators_actualvalue",)


def run_one(grants: int) -> dict[str, object]:
    """In a child process whose environment selects the database: migrate, load, then measure the floor."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--scale", "--grants", str(grants), "--allow-without-debug", verbosity=0)
    started = time.perf_counter()
    call_command("load_indicator_demo", "--scale", "--allow-without-debug", verbosity=0)
    load_seconds = time.perf_counter() - started

    rows_by_table: dict[str, tuple[list[str], list[tuple]]] = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table}")  # fixed table names, no input
            columns = [c[0] for c in cursor.description]
            rows_by_table[table] = (columns, cursor.fetchall())
    total_rows = sum(len(rows) for _, rows in rows_by_table.values())

    class Rollback(Exception):
        pass

    floor_seconds = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in reversed(TABLES):
                cursor.execute(f"DELETE FROM {table}")
            started = time.perf_counter()
            for table in TABLES:
                columns, rows = rows_by_table[table]
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                    rows,
                )
            floor_seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return {
        "vendor": connection.vendor,
        "grants": grants,
        "rows": total_rows,
        "rows_by_table": {table: len(rows) for table, (_, rows) in rows_by_table.items()},
        "load_seconds": load_seconds,
        "floor_seconds": floor_seconds,
    }


def child(env: dict[str, str], grants: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--grants", str(grants)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_database(url: str, action: str) -> str:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'portfolio'}_indicator_bench"
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grants", type=int, default=300)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.grants)))
        return

    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = []
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as var_dir:
        results.append(child({**base_env, "PORTFOLIO_VAR_DIR": var_dir}, args.grants))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        bench_url = postgres_database(url, "create")
        try:
            with tempfile.TemporaryDirectory(prefix="scale-bench-") as var_dir:
                results.append(
                    child({**base_env, "PORTFOLIO_VAR_DIR": var_dir, "DATABASE_URL": bench_url}, args.grants)
                )
        finally:
            postgres_database(url, "drop")
    else:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://... to measure it too)\n")

    print(
        f"load_indicator_demo --scale after load_demo --scale --grants {args.grants}; budget {BUDGET_SECONDS:.0f} s"
    )
    print(f"{'database':<10} {'values':>8} {'load s':>8} {'floor s':>8} {'ratio':>6}  rows/s (load)")
    over_budget = False
    for r in results:
        load, floor = float(r["load_seconds"]), float(r["floor_seconds"])
        ratio = load / floor if floor else float("inf")
        print(
            f"{r['vendor']:<10} {r['rows']:>8} {load:>8.2f} {floor:>8.2f} {ratio:>5.1f}x  {int(r['rows']) / load:,.0f}"
        )
        over_budget |= load > BUDGET_SECONDS
    print(
        "\nrows: ActualValue rows (the floor re-inserts only these; the load also writes periods, indicators,"
    )
    print("targets and submissions)")
    print("floor: the same rows re-inserted with raw SQL executemany in one transaction, then rolled back")
    if over_budget:
        sys.exit(f"over the {BUDGET_SECONDS:.0f} s budget")


if __name__ == "__main__":
    main()
