"""A grantee's report for one country project and one reporting period, and its review trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.models import CountryProject
from grants.models.files import StoredFile, random_stored_name
from indicators.models.framework import FIGURE, ProjectIndicator
from indicators.models.reporting import ReportingPeriod
from indicators.querysets import SubmissionQuerySet


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"


# The workflow. Draft and returned submissions are the grantee's to edit; submitted and approved ones are
# locked. A returned submission stays "returned" while the grantee corrects it, so both sides can see it is
# back with the grantee, and goes straight to "submitted" again. Reopening approved data is the officer's
# explicit, recorded correction path.
SUBMISSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SubmissionStatus.DRAFT: (SubmissionStatus.SUBMITTED,),
    SubmissionStatus.SUBMITTED: (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED),
    SubmissionStatus.RETURNED: (SubmissionStatus.SUBMITTED,),
    SubmissionStatus.APPROVED: (SubmissionStatus.DRAFT,),
}
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class Submission(models.Model):
    country_project = models.ForeignKey(CountryProject, on_delete=models.PROTECT, related_name="submissions")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    # Incremented by every save and transition; a save that read an older version is refused (two editors).
    version = models.PositiveIntegerField(default=1)
    cumulative_expenditure = models.DecimalField(
        "cumulative federal expenditure to date (USD)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    # What was typed, kept even when it is not a valid amount (a draft keeps everything typed).
    expenditure_text = models.CharField(max_length=40, blank=True)
    achievements = models.TextField(blank=True)
    challenges = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["country_project", "period__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_project", "period"],
                name="submission_unique_per_project_and_period",
                violation_error_message="This country project already has a report for that period.",
            ),
            models.CheckConstraint(
                condition=Q(cumulative_expenditure__isnull=True) | Q(cumulative_expenditure__gte=0),
                name="submission_expenditure_not_negative",
                violation_error_message="Expenditure cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.country_project} {self.period.label}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_locked(self) -> bool:
        return not self.is_editable

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return SUBMISSION_TRANSITIONS[self.status]


# What a cell holds besides its key (submission, project indicator, cell): what saving a cell writes.
CELL_FIELDS = (
    "value",
    "numerator",
    "denominator",
    "value_text",
    "numerator_text",
    "denominator_text",
    "nothing_to_report",
    "comment",
    "explanation",
)
CELL_KEY_FIELDS = ("submission", "project_indicator", "cell_key")


class ActualValue(models.Model):
    """One reported cell. ``*_text`` keep exactly what was typed; the numbers are set when the text is a
    number that fits (so a draft keeps "12,5" or "abc" to show back, while sums never see them)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    project_indicator = models.ForeignKey(ProjectIndicator, on_delete=models.CASCADE, related_name="actuals")
    cell_key = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(**FIGURE, null=True, blank=True)
    numerator = models.DecimalField(**FIGURE, null=True, blank=True)
    denominator = models.DecimalField(**FIGURE, null=True, blank=True)
    value_text = models.CharField(max_length=40, blank=True)
    numerator_text = models.CharField(max_length=40, blank=True)
    denominator_text = models.CharField(max_length=40, blank=True)
    nothing_to_report = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    explanation = models.TextField(
        blank=True, help_text="Why the value moved so far from the previous period."
    )

    class Meta:
        ordering = ["submission", "project_indicator", "cell_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "project_indicator", "cell_key"], name="actual_value_unique_cell"
            )
        ]
        indexes = [models.Index(fields=["project_indicator", "cell_key"])]

    def __str__(self) -> str:
        return f"{self.project_indicator} {self.cell_key or 'total'}"


class SubmissionTransition(models.Model):
    """Who moved a submission from which status to which, when and why. ``snapshot`` keeps the values as
    they were submitted, so a returned-and-corrected report still shows what was first sent."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=SubmissionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status or '-'} -> {self.to_status}"


class ReviewComment(models.Model):
    """A comment on a submission as a whole, or on one indicator's cell."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    project_indicator = models.ForeignKey(
        ProjectIndicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cell_key = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project_indicator__isnull=False) | Q(cell_key=""),
                name="review_comment_cell_needs_indicator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.submission}"


def submission_evidence_path(instance: SubmissionEvidence, filename: str) -> str:
    return random_stored_name("submission-evidence", instance.submission_id, filename)


class SubmissionEvidence(StoredFile):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=submission_evidence_path, max_length=300)

    class Meta(StoredFile.Meta):
        verbose_name_plural = "submission evidence"
