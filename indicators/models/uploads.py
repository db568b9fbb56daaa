"""Spreadsheet uploads of indicator data: the stored file, what it was checked against and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from grants.models import CountryProject
from grants.models.files import StoredFile, random_stored_name
from indicators.models.reporting import ReportingPeriod
from indicators.models.submissions import Submission


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    CHECKING = "checking", "Being checked"
    READY = "ready", "Checked: ready to apply"
    INVALID = "invalid", "Has errors"
    APPLYING = "applying", "Being applied"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Not applied"


# Statuses in which the worker (or the request) is still busy with the file.
UPLOAD_BUSY = (UploadStatus.QUEUED, UploadStatus.CHECKING, UploadStatus.APPLYING)


def data_upload_path(instance: DataUpload, filename: str) -> str:
    return random_stored_name("indicator-uploads", instance.uploaded_by_id, filename)


class DataUpload(StoredFile):
    """One uploaded workbook of indicator data. The file is kept as uploaded; ``result`` holds the preview
    (what would change, errors with sheet, row and column, warnings) as JSON, capped in length, with the
    full counts beside it.

    ``period`` and the reports are set only once the template is known to be one the uploader may fill, so an
    upload of another organisation's template records nothing about that organisation.
    """

    file = models.FileField(upload_to=data_upload_path, max_length=300)
    # A copy of a large file with its problems marked, made by the worker (marking 50,000 rows takes longer
    # than a request should); small files are marked when the copy is asked for.
    checked_file = models.FileField(upload_to=data_upload_path, max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.CHECKING)
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="uploads"
    )
    # The report whose page the file was uploaded from (its project and period): a template for another
    # report is refused. Empty for an upload from the reporting overview, which takes any template.
    expected_project = models.ForeignKey(
        CountryProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expected_period = models.ForeignKey(
        ReportingPeriod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submissions = models.ManyToManyField(Submission, through="UploadedReport", related_name="uploads")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    change_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="The outcome in a sentence, or why it failed.")
    result = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(StoredFile.Meta):
        indexes = [models.Index(fields=["sha256"])]

    @property
    def is_busy(self) -> bool:
        return self.status in UPLOAD_BUSY

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class UploadedReport(models.Model):
    """A report an applied upload changed, and how many of its cells: the upload in the report's history."""

    upload = models.ForeignKey(DataUpload, on_delete=models.CASCADE, related_name="reports")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploaded_reports")
    changed_cells = models.PositiveIntegerField(default=0)
    created_submission = models.BooleanField(default=False)

    class Meta:
        ordering = ["upload", "submission"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "submission"], name="uploaded_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.upload} -> {self.submission}"
