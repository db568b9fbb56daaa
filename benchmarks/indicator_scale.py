"""How fast does `manage.py load_indicator_demo --scale` fill the indicator tables, against a floor?

The synthetic grants are loaded first (`load_demo --scale`, not timed). The floor re-inserts the same
ActualValue rows, the largest table, with raw SQL (see benchmarks/harness.py); the ratio says what building
the rows in Python and bulk_create cost on top of the database's own insert work.

Usage: python benchmarks/indicator_scale.py [--grants 340]
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio python benchmarks/indicator_scale.py

Target: under 120 s on a 2-core machine for 340 grants (over 500,000 values).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import LoadBenchmark, main

BENCH = LoadBenchmark(
    script=__file__,
    db_suffix="indicator_bench",
    tables=("indicators_actualvalue",),
    budget_seconds=120.0,
    prepare=lambda call_command, grants: call_command(
        "load_demo", "--scale", "--grants", str(grants), "--allow-without-debug", verbosity=0
    ),
    load=lambda call_command, grants: call_command(
        "load_indicator_demo", "--scale", "--allow-without-debug", verbosity=0
    ),
    title="load_indicator_demo --scale after load_demo --scale --grants {grants}; budget {budget} s",
    rows_label="values",
    footnote="rows: ActualValue rows only (the load also writes periods, indicators, targets and submissions)",
)

if __name__ == "__main__":
    main(BENCH, __doc__)
