from __future__ import annotations

import pytest
from django.db import connection

from grants.models import Organisation
from portfolio.db import refresh_statistics


@pytest.mark.django_db
def test_refresh_statistics_gives_postgresql_the_new_row_counts(org_a, org_b) -> None:
    Organisation.objects.bulk_create(Organisation(name=f"Partner {n}", acronym=f"P{n}") for n in range(40))
    ran = refresh_statistics()
    if connection.vendor != "postgresql":
        # SQLite keeps no planner statistics unless asked to: nothing to refresh, and it says so.
        assert ran is False
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Organisation._meta.db_table])
        (estimate,) = cursor.fetchone()
    # Never analysed, PostgreSQL's estimate is -1; ANALYZE counts the rows this transaction can see.
    assert estimate == Organisation.objects.count() == 42
