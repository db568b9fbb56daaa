"""Database helpers shared by the management commands."""

from __future__ import annotations

from django.db import connections


def refresh_statistics(using: str = "default") -> bool:
    """Refresh PostgreSQL's planner statistics (ANALYZE); returns whether it ran.

    After a bulk load or a restore the statistics describe the old, near-empty tables until autovacuum gets
    round to them, minutes later: the planner then expects 7 open reporting periods where there are 3,500 and
    picks nested loops that make a 1 ms query take 40 ms. pg_restore does not analyse either. SQLite's
    planner keeps no such statistics by default, so there is nothing to do there.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
