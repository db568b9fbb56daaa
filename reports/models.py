"""Report definitions (saved choices, rerun each period), runs (each generation) and their files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def report_file_path(instance: ReportFile, filename: str) -> str:
    # A random name: the download name is built from the run, never from anything a user typed.
    return f"reports/{instance.run_id}/{uuid.uuid4().hex}.{instance.format}"


class ReportDefinition(models.Model):
    """A report set up once and rerun: its type, scope (ReportScope as JSON) and formats, under a name."""

    name = models.CharField(max_length=200)
    report_type = models.CharField(max_length=40)
    scope = models.JSONField(default=dict)
    formats = models.JSONField(default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_definitions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="report_definition_unique_name_per_owner",
                violation_error_message="You already have a saved report with that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """One generation of a report: who asked, with what parameters, how it went, and its files."""

    report_type = models.CharField(max_length=40)
    definition = models.ForeignKey(
        ReportDefinition, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    scope = models.JSONField(default=dict)
    formats = models.JSONField(default=list)
    # The country projects the scope resolved to when the run was built: its files go only to people who may
    # see every one of them (reports.access).
    project_ids = models.JSONField(default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the run failed, for the person who asked for it.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.report_type} run {self.pk}"

    @property
    def is_busy(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ReportFile(models.Model):
    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=8)
    file = models.FileField(upload_to=report_file_path, max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "format"]
        constraints = [models.UniqueConstraint(fields=["run", "format"], name="report_file_unique_format")]

    def __str__(self) -> str:
        return f"{self.run} {self.format}"
