"""manage.py schedule_heartbeat: make sure the task workers run the heartbeat that /health/ready looks for
(exactly one beat waiting in the queue; each beat queues the next)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from indicators.tasks import schedule_heartbeat, worker_heartbeat_task


class Command(BaseCommand):
    help = "Queue the task workers' heartbeat (read by /health/ready), unless a beat is already waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        if not worker_heartbeat_task.get_backend().supports_defer:
            raise CommandError(
                "The task backend cannot run tasks later (PORTFOLIO_TASKS_BACKEND): no heartbeat, so /health/ready "
                "cannot see the workers."
            )
        if schedule_heartbeat():
            self.stdout.write("Worker heartbeat scheduled.")
        else:
            self.stdout.write("Worker heartbeat already scheduled.")
