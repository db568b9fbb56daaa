"""manage.py load_indicator_demo: indicator data for the demo grants (through the services) or, with --scale,
bulk indicator data for the synthetic grants made by ``load_demo --scale``."""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from grants import demo as grants_demo
from indicators import demo
from portfolio.db import refresh_statistics


class Command(BaseCommand):
    help = (
        "Add indicator data to the demo grants loaded by load_demo: reporting periods, a results framework "
        "and 6-10 indicators per country project with baselines, targets and revisions, and several periods "
        "of submissions in every status, written through indicators.services so every trail exists. With "
        "--scale, bulk-insert periods, indicators, targets, approved submissions and actual values for the "
        "synthetic IL-S grants of load_demo --scale instead (bulk_create: no services, no history rows, no "
        "transition trail)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the indicator data first, then load."
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="If the indicator data is already loaded, say so and exit successfully.",
        )
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Bulk-insert indicator data for the synthetic grants (run load_demo --scale first). "
            "No django-simple-history rows and no submission transitions are written.",
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="With --scale: only delete the synthetic indicator data (if any), so that load_demo --scale "
            "--reset can replace the synthetic grants beneath it.",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even though DEBUG is off (demo data does not belong on a real server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "DEBUG is off, so this looks like a real server. Set DJANGO_DEBUG=true or pass --allow-without-debug."
            )
        try:
            if options["scale"]:
                self._scale(options)
            else:
                self._demo(options)
        except (ValidationError, DatabaseError) as exc:
            raise CommandError(f"Loading failed and nothing was written: {exc}") from exc

    def _existing(self, loaded: bool, options: dict[str, Any], what: str, reset: Any) -> bool:
        """True when the caller should stop (already loaded and --if-missing)."""
        if loaded and options["reset"]:
            reset()
            self.stdout.write(f"Deleted the {what}.")
        elif loaded and options["if_missing"]:
            self.stdout.write(f"The {what} is already loaded; leaving it as it is.")
            return True
        elif loaded:
            raise CommandError(
                f"The {what} is already loaded. Use --reset to reload it, or --if-missing to leave it."
            )
        return False

    def _demo(self, options: dict[str, Any]) -> None:
        if not grants_demo.demo_grants().exists():
            raise CommandError("There are no demo grants: run load_demo first.")
        if self._existing(demo.is_loaded(), options, "indicator demo data", demo.delete_indicator_demo):
            return
        started = time.perf_counter()
        result = demo.load_indicator_demo(today=datetime.date.today())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded indicator demo data in {time.perf_counter() - started:.1f} s: {result.projects} country "
                f"projects, {result.periods} reporting periods, {result.project_indicators} project indicators, "
                f"{result.targets} targets, {result.revisions} target revisions, {result.submissions} "
                f"submissions, {result.values} actual values, {result.uploads} spreadsheet upload."
            )
        )

    def _scale(self, options: dict[str, Any]) -> None:
        if options["delete"]:
            if demo.scale_is_loaded():
                demo.delete_scale_indicators()
                self.stdout.write("Deleted the synthetic indicator data.")
            else:
                self.stdout.write("There is no synthetic indicator data to delete.")
            return
        if not grants_demo.scale_grants().exists():
            raise CommandError("There are no synthetic grants: run load_demo --scale first.")
        if self._existing(
            demo.scale_is_loaded(), options, "synthetic indicator data", demo.delete_scale_indicators
        ):
            return
        started = time.perf_counter()
        result = demo.load_scale_indicators(
            today=datetime.date.today(),
            progress=lambda message: (
                self.stdout.write(f"  {message} ...") if options["verbosity"] > 1 else None
            ),
        )
        refresh_statistics()  # the planner must see the new rows before anyone pages through them
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded synthetic indicator data in {time.perf_counter() - started:.1f} s: {result.periods} "
                f"periods, {result.project_indicators} project indicators, {result.targets} targets, "
                f"{result.submissions} submissions, {result.values} actual values. No history rows."
            )
        )
