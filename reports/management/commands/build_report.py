"""manage.py build_report: build a report from a saved definition or from parameters, as a given user, and
write its files to a folder. The same builders and renderers as the web builder and the worker."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from grants.models import User
from reports import services
from reports.models import ReportDefinition, ReportRun, RunStatus
from reports.registry import REGISTRY
from reports.scope import ReportScope, ScopeProblem


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date: {text!r}. Use YYYY-MM-DD, such as 2025-10-01.") from None


class Command(BaseCommand):
    help = (
        "Build a report as USER from a saved definition (--definition ID) or from parameters (--type and the "
        "scope options), and write its files to --output (default: the current folder). Exits with status 1 "
        "when the report cannot be built."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--user", required=True, help="Username the report is built as (what they may see)."
        )
        parser.add_argument("--definition", type=int, help="ID of a saved report definition of that user.")
        parser.add_argument("--type", dest="report_type", help=f"Report type: {', '.join(sorted(REGISTRY))}.")
        parser.add_argument("--grant", type=int, action="append", default=[], help="Grant ID (repeatable).")
        parser.add_argument("--country", action="append", default=[], help="ISO country code (repeatable).")
        parser.add_argument("--indicator", action="append", default=[], help="Indicator code (repeatable).")
        parser.add_argument(
            "--from", dest="period_from", type=_date, help="Periods starting from (YYYY-MM-DD)."
        )
        parser.add_argument("--to", dest="period_to", type=_date, help="Periods starting until (YYYY-MM-DD).")
        parser.add_argument("--title", default="", help="Title on the cover.")
        parser.add_argument(
            "--format",
            dest="formats",
            action="append",
            choices=["xlsx", "pdf"],
            help="xlsx and/or pdf (default both).",
        )
        parser.add_argument("--output", default=".", help="Folder to write the files to.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['user']!r}.")
        output = Path(options["output"])
        if not output.is_dir():
            raise CommandError(f"{output} is not a folder. Create it, or give another with --output.")
        try:
            run = self._run(user, options)
        except (ValidationError, PermissionDenied, ScopeProblem) as error:
            message = getattr(error, "message", None) or " ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(message, returncode=1) from None
        if run.status != RunStatus.DONE:
            raise CommandError(f"Run {run.pk} failed: {run.error}", returncode=1)
        for record in run.files.all():
            target = output / f"{run.report_type}-run{run.pk}.{record.format}"
            with record.file.open("rb") as source:
                target.write_bytes(source.read())
            self.stdout.write(f"{target}  {record.size:,} bytes  sha256 {record.sha256}")
        self.stdout.write(self.style.SUCCESS(f"Run {run.pk} built in {run.duration_seconds:.1f} s."))

    def _run(self, user: User, options: dict[str, Any]) -> ReportRun:
        if options["definition"]:
            definition = ReportDefinition.objects.filter(pk=options["definition"], owner=user).first()
            if definition is None:
                raise CommandError(f"{user.username} has no saved report {options['definition']}.")
            return services.definition_run(definition=definition, user=user, background=False)
        if not options["report_type"]:
            raise CommandError("Give --definition ID, or --type with the scope options.")
        scope = ReportScope(
            grant_ids=tuple(options["grant"]),
            countries=tuple(code.upper() for code in options["country"]),
            indicator_codes=tuple(options["indicator"]),
            period_from=options["period_from"],
            period_to=options["period_to"],
            title=options["title"],
        )
        return services.run_request(
            user=user,
            report_type=options["report_type"],
            scope=scope,
            formats=options["formats"] or ["xlsx", "pdf"],
            background=False,
        )
