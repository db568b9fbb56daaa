"""How fast does `manage.py load_demo --scale` fill an empty database, against a floor?

The floor re-inserts the same grant, project and milestone rows with raw SQL (see benchmarks/harness.py);
the ratio says what the ORM's bulk_create costs on top of the database's own insert work.

Usage: python benchmarks/scale_load.py [--grants 340]
       DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio python benchmarks/scale_load.py

Target: under 60 s on a 2-core machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import LoadBenchmark, main

BENCH = LoadBenchmark(
    script=__file__,
    db_suffix="scale_bench",
    tables=(
        "grants_grant",
        "grants_grant_themes",
        "grants_grantstatuschange",
        "grants_countryproject",
        "grants_countryproject_implementing_partners",
        "grants_countryproject_target_groups",
        "grants_milestone",
        "grants_milestonestatuschange",
    ),
    budget_seconds=60.0,
    prepare=lambda call_command, grants: None,
    load=lambda call_command, grants: call_command(
        "load_demo", "--scale", "--grants", str(grants), "--allow-without-debug", verbosity=0
    ),
    title="load_demo --scale --grants {grants}; budget {budget} s",
    rows_label="rows",
    footnote="rows: every row the load writes",
)

if __name__ == "__main__":
    main(BENCH, __doc__)
