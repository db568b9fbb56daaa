"""manage.py warm_caches: build the portfolio performance table before anyone opens the page.

At portfolio scale the build takes seconds, and its cached copy is keyed by the date, so each day starts cold.
Without options it is built here and now (after a restore or a bulk load, say); with --queue a task worker
builds it and then rebuilds it after every midnight (one build waiting in the queue at most).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from indicators.tasks import (
    schedule_performance_warming,
    warm_performance_task,
    warm_portfolio_performance,
)


class Command(BaseCommand):
    help = "Build the portfolio performance table now, or with --queue let the task workers build it daily."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the build for the task workers, who rebuild it after every midnight.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["queue"]:
            started = time.perf_counter()
            warm_portfolio_performance()
            self.stdout.write(f"Portfolio performance table built in {time.perf_counter() - started:.1f} s.")
            return
        if not warm_performance_task.get_backend().supports_defer:
            raise CommandError(
                "The task backend cannot run tasks later (PORTFOLIO_TASKS_BACKEND): run warm_caches without "
                "--queue from cron after midnight instead."
            )
        if schedule_performance_warming():
            self.stdout.write("Portfolio performance table queued for the task workers, then daily.")
        else:
            self.stdout.write("Portfolio performance table already queued.")
