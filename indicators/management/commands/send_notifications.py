"""manage.py send_notifications [--today YYYY-MM-DD] [--dry-run]: the notification job, for cron."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.reminders import run_notifications


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--today {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-04-30."
        ) from None


class Command(BaseCommand):
    help = (
        "Create the reminders and weekly digests due today and email every pending notification, each exactly "
        "once. Safe to run from cron at any frequency, and beside the task worker's periodic run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Plan as if it were this day (YYYY-MM-DD); default: today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be created; write and send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        result = run_notifications(today=today, dry_run=options["dry_run"])
        self.stdout.write(result.summary())
