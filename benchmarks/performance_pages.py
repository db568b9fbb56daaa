"""How fast are the indicator performance pages at portfolio scale, against a floor?

Runs against a database that already holds the scale data (`make scale`, or `load_demo --scale` followed by
`load_indicator_demo --scale`). For the whole portfolio, as a manager sees it, it times:

- build: `performance_table` for every country project (what the first visit after an approval pays);
- page, cold: GET /performance/ with an empty cache;
- page, warm: GET /performance/ again (the table comes from the cache);
- floor: raw SQL reading the very rows the build reads (approved totals and total targets), then a bare
  Python loop adding the approved totals up per indicator: the least any correct build has to do.

Usage: make scale && python benchmarks/performance_pages.py
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio python benchmarks/performance_pages.py

Target: a warm page under 300 ms; the cold build is reported beside the floor as a ratio.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_BUDGET_MS = 300


def _best(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _floor() -> None:
    from django.db import connection

    sums: dict[int, Decimal] = defaultdict(Decimal)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pi.indicator_id, av.value FROM indicators_actualvalue av "
            "JOIN indicators_submission s ON av.submission_id = s.id "
            "JOIN indicators_projectindicator pi ON av.project_indicator_id = pi.id "
            "WHERE s.status = 'approved' AND av.cell_key = ''"
        )
        for indicator_id, value in cursor.fetchall():
            if value is not None:
                sums[indicator_id] += Decimal(value)
        cursor.execute(
            "SELECT project_indicator_id, period_id, value FROM indicators_target WHERE cell_key = ''"
        )
        cursor.fetchall()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from grants.models import CountryProject, User
    from indicators.selectors.performance import performance_table

    manager = User.objects.filter(role=User.Role.MANAGER).first()
    projects = CountryProject.objects.count()
    if manager is None or projects < 100:
        sys.exit(
            "Load the scale data first (make scale): this benchmark needs a portfolio of hundreds of grants."
        )
    client = Client()
    client.force_login(manager)

    build = _best(2, lambda: performance_table(projects=CountryProject.objects.all(), latest_periods=8))
    floor = _best(2, _floor)

    def cold() -> None:
        cache.clear()
        assert client.get("/performance/").status_code == 200

    cold_page = _best(2, cold)
    client.get("/performance/")
    warm_page = _best(5, lambda: client.get("/performance/"))

    print(f"Indicator performance, whole portfolio ({projects} country projects, {connection.vendor})")
    print(f"  floor (raw SQL + bare loop)   {floor * 1000:8.0f} ms")
    print(f"  build (performance_table)     {build * 1000:8.0f} ms   {build / floor:5.1f} x floor")
    print(f"  page, cold cache              {cold_page * 1000:8.0f} ms")
    print(f"  page, warm cache              {warm_page * 1000:8.0f} ms   budget {WARM_BUDGET_MS} ms")
    if warm_page * 1000 > WARM_BUDGET_MS:
        sys.exit(f"The warm page took {warm_page * 1000:.0f} ms, over the {WARM_BUDGET_MS} ms budget.")


if __name__ == "__main__":
    main()
