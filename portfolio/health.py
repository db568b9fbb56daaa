"""Health endpoints for a load balancer or an orchestrator, public and never cached.

- ``/health/live``: the process answers. It touches nothing else, so a database outage does not get every web
  process restarted (restarting would not bring the database back).
- ``/health/ready``: this process can serve: the database answers a trivial query, the cache stores and
  returns a value, and a task worker ran the heartbeat task (indicators.tasks.worker_heartbeat_task) within 3
  heartbeat intervals. Any failed check gives 503 with a short reason per check.

Bodies are JSON and say only what failed, in words: never an exception's text (it can carry a host, a user
name or a query), never a stack trace. The full error goes to the log.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from indicators.tasks import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)

# A readiness probe must answer well inside the balancer's own timeout (often 5 s).
DB_STATEMENT_TIMEOUT_MS = 2000
HEARTBEATS_MISSED_ALLOWED = 3


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str = ""

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, **({"reason": self.reason} if self.reason else {})}


def check_database() -> Check:
    """A trivial query on the default database, bounded by a statement timeout on PostgreSQL (the connect
    timeout is settings' PORTFOLIO_DB_CONNECT_TIMEOUT)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {DB_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Readiness: the database did not answer.")
        return Check(False, "The database did not answer.")
    return Check(True)


def check_cache() -> Check:
    """Store a value under a key of this probe's own and read it back."""
    key = f"portfolio:health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=30)
        value = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.exception("Readiness: the cache did not answer.")
        return Check(False, "The cache did not answer.")
    if value != "ok":
        return Check(False, "The cache did not return what was stored.")
    return Check(True)


def check_workers(*, now: float | None = None) -> Check:
    """A task worker ran the heartbeat within HEARTBEATS_MISSED_ALLOWED intervals of settings.HEARTBEAT_SECONDS."""
    limit = HEARTBEATS_MISSED_ALLOWED * settings.HEARTBEAT_SECONDS
    try:
        beat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        logger.exception("Readiness: the worker heartbeat could not be read from the cache.")
        return Check(False, "The worker heartbeat could not be read.")
    if not isinstance(beat, int | float):
        return Check(False, "No task worker has run the heartbeat yet (manage.py schedule_heartbeat).")
    age = (time.time() if now is None else now) - beat
    if age > limit:
        return Check(False, f"No task worker has taken a task for {int(age)} s (limit {limit} s).")
    return Check(True)


@never_cache
@login_not_required
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@login_not_required
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "cache": check_cache(), "workers": check_workers()}
    ok = all(check.ok for check in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ok else "fail",
            "checks": {name: check.as_json() for name, check in checks.items()},
        },
        status=200 if ok else 503,
    )
