"""manage.py upload_indicator_data: check (and with --commit apply) a filled indicator-data template from the
shell, for program officers who receive grantees' files by email. The same service as the web upload."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grants.access import country_projects_visible_to
from grants.models import CountryProject, User
from indicators.access import can_upload_for_project, reporting_periods_visible_to
from indicators.models import DataUpload, ReportingPeriod, UploadStatus
from indicators.services.uploads import upload_receive
from indicators.workbook.reader import Location

# Changes listed by default; the counts are always whole.
SHOW_CHANGES = 20


class Command(BaseCommand):
    help = (
        "Check a filled indicator-data template (.xlsx) as USER would upload it on the web, and print the "
        "preview: the reports it covers, the changes against the current values and every error with its "
        "sheet, row and column. Nothing is written to the reports unless --commit is given; with --commit a "
        "file without errors is applied in the same pass, in one transaction. The upload itself is kept, as "
        "on the web. Exits with status 1 when the file has errors (or is refused), 0 otherwise."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The filled template (.xlsx).")
        parser.add_argument(
            "--user",
            required=True,
            help="Username of the person the upload is made as: a grantee for their own organisation's "
            "projects, or the grant's program officer on the grantee's behalf.",
        )
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Apply the figures to the reports' drafts when the file has no errors (default: dry run).",
        )
        parser.add_argument(
            "--project",
            type=int,
            help="Country project ID the file must be for (as the report's page checks); refused otherwise.",
        )
        parser.add_argument(
            "--period", type=int, help="With --project: the reporting period ID the file must be for."
        )
        parser.add_argument(
            "--changes",
            type=int,
            default=SHOW_CHANGES,
            help=f"How many changes to list (default {SHOW_CHANGES}; the counts are always complete).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        project, period = self._expected(user, options["project"], options["period"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"Cannot read {path}: {error.strerror or error}. Check the path and that the file is readable."
            ) from None
        try:
            upload = upload_receive(
                actor=user,
                name=path.name,
                data=data,
                expected_project=project,
                expected_period=period,
                apply=options["commit"],
                background=False,
            )
        except ValidationError as error:
            # The preflight refused the bytes: nothing was stored.
            raise CommandError(f"{path.name}: {' '.join(error.messages)} Nothing was written.") from None
        if upload.status == UploadStatus.INVALID and upload.period_id is None:
            # Refused as a whole (not a template this user may fill): the same words as on the web.
            raise CommandError(f"{path.name}: {upload.message} Nothing was written (upload {upload.pk}).")
        self._print_preview(upload, options["changes"])
        self.stdout.write(f"\n{upload.message}")
        if upload.status == UploadStatus.INVALID:
            raise CommandError(
                f"Upload {upload.pk} has {upload.error_count:,} error{'s' if upload.error_count != 1 else ''}; "
                "nothing was written. Correct the file and run the command again.",
                returncode=1,
            )
        if upload.status == UploadStatus.APPLIED:
            self.stdout.write(f"Upload {upload.pk} applied.")
        elif options["commit"]:
            self.stdout.write(f"Upload {upload.pk}: nothing applied.")
        else:
            self.stdout.write(
                f"Upload {upload.pk} checked; this was a dry run and nothing was written. "
                "Run again with --commit to apply it."
            )

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                f"There is no active user named “{username}”. Give the --user's exact username."
            )
        return user

    def _expected(
        self, user: User, project_id: int | None, period_id: int | None
    ) -> tuple[CountryProject | None, ReportingPeriod | None]:
        if project_id is None:
            if period_id is not None:
                raise CommandError("--period needs --project: give the country project the file must be for.")
            return None, None
        project = country_projects_visible_to(user).select_related("grant").filter(pk=project_id).first()
        if project is None or not can_upload_for_project(user, project):
            raise CommandError(
                f"{user.username} cannot upload data for a country project with ID {project_id}."
            )
        period = None
        if period_id is not None:
            period = (
                reporting_periods_visible_to(user).filter(pk=period_id, grant_id=project.grant_id).first()
            )
            if period is None:
                raise CommandError(
                    f"The project's grant has no reporting period with ID {period_id} that {user.username} can see."
                )
        return project, period

    def _print_preview(self, upload: DataUpload, show: int) -> None:
        result = upload.result
        reports = result.get("reports", [])
        self.stdout.write(f"{upload.original_name}: {result['period']['label']}")
        names = {report["project"]: report["name"] for report in reports}
        for report in reports:
            self.stdout.write(
                f"  {report['name']} ({report['status']}, version {report['version']}): "
                f"{report['changes']:,} change{'s' if report['changes'] != 1 else ''}, "
                f"{report['errors']:,} error{'s' if report['errors'] != 1 else ''}"
            )
        for note in result.get("notes", []):
            self.stdout.write(f"Note: {note}")
        self._problems("Errors", upload.error_count, result.get("errors", []))
        self._problems("Warnings", upload.warning_count, result.get("warnings", []))
        changes = result.get("changes", [])
        if changes and show > 0:
            listed = min(show, len(changes))
            kept = "" if listed == upload.change_count else f"; the first {listed:,} listed"
            self.stdout.write(f"\nChanges ({upload.change_count:,}{kept}):")
            for change in changes[:show]:
                prefix = f"{names[change['project']]}, " if len(reports) > 1 else ""
                self.stdout.write(f"  {prefix}{change['what']}: {change['before']} -> {change['after']}")

    def _problems(self, title: str, count: int, problems: list[dict[str, Any]]) -> None:
        if not count:
            return
        kept = "" if len(problems) == count else f"; the first {len(problems):,} listed"
        self.stdout.write(f"\n{title} ({count:,}{kept}):")
        for problem in problems:
            where = Location(problem["sheet"], problem["row"], problem["column"])
            self.stdout.write(f"  {where}: {problem['message']}")
