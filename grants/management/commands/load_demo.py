"""manage.py load_demo: the demo portfolio (through the services) or a large synthetic one (--scale)."""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from grants import demo
from portfolio.db import refresh_statistics


class Command(BaseCommand):
    help = (
        "Load a demo portfolio: about 12 grants in 20+ countries with country projects, modifications, "
        "milestones in every status (some overdue, some due soon, dated from today) and evidence files, "
        "written through grants.services so every status trail and history row exists; plus one user per "
        "role, all with the password printed at the end. With --scale, bulk-insert a large synthetic "
        "portfolio instead (no services and no history rows; status-change rows are written)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo (or, with --scale, the synthetic) grants first.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="If the data is already loaded, say so and exit successfully instead of refusing.",
        )
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Bulk-insert a synthetic portfolio (award numbers IL-S...) with bulk_create: no services, "
            "no django-simple-history rows.",
        )
        parser.add_argument(
            "--grants",
            type=int,
            default=300,
            help="With --scale: how many grants (about 3 country projects and 69 milestones each). Default 300.",
        )
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even though DEBUG is off. The demo users have published passwords: never on a real server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self._print_logins()
            return
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "DEBUG is off, so this looks like a real server; the demo users have published passwords. "
                "Set DJANGO_DEBUG=true (make run does) or pass --allow-without-debug."
            )
        if options["grants"] != 300 and not options["scale"]:
            raise CommandError("--grants goes with --scale.")
        if options["grants"] < 1:
            raise CommandError("--grants must be at least 1.")
        try:
            if options["scale"]:
                self._scale(options)
            else:
                self._demo(options)
        except (ValidationError, DatabaseError) as exc:
            # Everything is in one transaction: nothing partial is left behind.
            raise CommandError(f"Loading failed and nothing was written: {exc}") from exc

    def _demo(self, options: dict[str, Any]) -> None:
        existing = demo.demo_grants().count()
        if existing and options["reset"]:
            self.stdout.write(f"Deleting the {demo.delete_demo_portfolio()} demo grants ...")
        elif existing and options["if_missing"]:
            self.stdout.write(
                f"The demo portfolio is already loaded ({existing} grants); leaving it as it is."
            )
            return
        elif existing:
            raise CommandError(
                f"The demo portfolio is already loaded ({existing} grants). Use --reset to delete and reload it, "
                "or --if-missing to leave it."
            )
        started = time.perf_counter()
        result = demo.load_demo_portfolio(today=datetime.date.today())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo portfolio in {time.perf_counter() - started:.1f} s: {result.grants} grants, "
                f"{result.projects} country projects, {result.modifications} modifications, {result.milestones} "
                f"milestones, {result.evidence} evidence files, {result.grant_status_changes} grant and "
                f"{result.milestone_status_changes} milestone status changes."
            )
        )
        self._print_logins()

    def _scale(self, options: dict[str, Any]) -> None:
        existing = demo.scale_grants().count()
        if existing and options["reset"]:
            started = time.perf_counter()
            deleted = demo.delete_scale_portfolio()
            self.stdout.write(f"Deleted {deleted} synthetic grants in {time.perf_counter() - started:.1f} s.")
        elif existing and options["if_missing"]:
            self.stdout.write(f"The synthetic portfolio is already loaded ({existing} grants); leaving it.")
            return
        elif existing:
            raise CommandError(
                f"A synthetic portfolio is already loaded ({existing} grants). Use --reset to replace it."
            )
        started = time.perf_counter()
        result = demo.load_scale_portfolio(
            grants=options["grants"],
            today=datetime.date.today(),
            progress=lambda message: (
                self.stdout.write(f"  {message} ...") if options["verbosity"] > 1 else None
            ),
        )
        refresh_statistics()  # the planner must see the new rows before anyone pages through them
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded a synthetic portfolio in {elapsed:.1f} s: {result.grants} grants, {result.projects} "
                f"country projects, {result.milestones} milestones, {result.grant_status_changes} grant and "
                f"{result.milestone_status_changes} milestone status changes, {result.links} links "
                "(themes, partners, target groups). No history rows."
            )
        )

    def _print_logins(self) -> None:
        self.stdout.write("\nDemo logins:\n" + demo.format_logins(demo.demo_logins()) + "\n")
