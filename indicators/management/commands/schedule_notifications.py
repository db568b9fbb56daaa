"""manage.py schedule_notifications: make sure the task worker runs the notification job (exactly one run
waiting in the queue; the job queues its own next run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from indicators.tasks import schedule_notifications, send_notifications_task


class Command(BaseCommand):
    help = "Queue the periodic notification job for the task worker, unless a run is already waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        if not send_notifications_task.get_backend().supports_defer:
            raise CommandError(
                "The task backend cannot run jobs later (PORTFOLIO_TASKS_BACKEND); run `manage.py send_notifications` from cron instead."
            )
        if schedule_notifications():
            self.stdout.write("Notification job scheduled.")
        else:
            self.stdout.write("Notification job already scheduled.")
