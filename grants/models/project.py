from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from grants.models.files import StoredFile, random_stored_name
from grants.models.grant import MONEY, Grant
from grants.models.people import Organisation
from grants.models.reference import TargetGroup
from grants.querysets import CountryProjectQuerySet, MilestoneQuerySet


class CountryProject(models.Model):
    """The part of a grant carried out in one country."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="country_projects")
    country = CountryField()
    title = models.CharField(max_length=300)
    implementing_partners = models.ManyToManyField(Organisation, related_name="partner_projects", blank=True)
    budget = models.DecimalField("budget (USD)", **MONEY, validators=[MinValueValidator(0)])
    target_regions = models.CharField(
        max_length=500, blank=True, help_text="Regions, departments or provinces, separated by commas."
    )
    target_groups = models.ManyToManyField(TargetGroup, related_name="country_projects", blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[implementing_partners, target_groups])
    objects = CountryProjectQuerySet.as_manager()

    class Meta:
        ordering = ["grant", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "country"],
                name="one_country_project_per_grant_and_country",
                violation_error_message="This grant already has a project in that country.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="country_project_end_not_before_start",
                violation_error_message="The project cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="country_project_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant.award_number} {self.country.name}"

    def get_absolute_url(self) -> str:
        return reverse("grants:project_detail", kwargs={"pk": self.pk})

    @property
    def region_list(self) -> list[str]:
        return [r.strip() for r in self.target_regions.split(",") if r.strip()]


class MilestoneCategory(models.TextChoices):
    WORK_PLAN = "work_plan", "Work plan"
    BASELINE = "baseline", "Baseline study"
    CMEP = "cmep", "Comprehensive monitoring and evaluation plan (CMEP)"
    TECHNICAL_REPORT = "tpr", "Technical progress report"
    FINANCIAL_REPORT = "financial", "Financial report"
    MIDTERM_EVALUATION = "midterm", "Midterm evaluation"
    FINAL_EVALUATION = "final_eval", "Final evaluation"
    ACTIVITY = "activity", "Work-plan activity"
    SITE_VISIT = "site_visit", "Site visit"
    OTHER = "other", "Other"


# The standard deliverables every cooperative agreement requires.
DELIVERABLE_CATEGORIES = frozenset(
    {
        MilestoneCategory.WORK_PLAN,
        MilestoneCategory.BASELINE,
        MilestoneCategory.CMEP,
        MilestoneCategory.TECHNICAL_REPORT,
        MilestoneCategory.FINANCIAL_REPORT,
        MilestoneCategory.MIDTERM_EVALUATION,
        MilestoneCategory.FINAL_EVALUATION,
    }
)


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DELAYED = "delayed", "Delayed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_MILESTONE_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DELAYED)

MILESTONE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    MilestoneStatus.PLANNED: (
        MilestoneStatus.IN_PROGRESS,
        MilestoneStatus.DELAYED,
        MilestoneStatus.COMPLETED,
        MilestoneStatus.CANCELLED,
    ),
    MilestoneStatus.IN_PROGRESS: (
        MilestoneStatus.DELAYED,
        MilestoneStatus.COMPLETED,
        MilestoneStatus.CANCELLED,
    ),
    MilestoneStatus.DELAYED: (
        MilestoneStatus.IN_PROGRESS,
        MilestoneStatus.COMPLETED,
        MilestoneStatus.CANCELLED,
    ),
    # Reopening a completed or cancelled milestone is allowed, and recorded like any other change.
    MilestoneStatus.COMPLETED: (MilestoneStatus.IN_PROGRESS,),
    MilestoneStatus.CANCELLED: (MilestoneStatus.PLANNED,),
}


class Milestone(models.Model):
    country_project = models.ForeignKey(CountryProject, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=300)
    category = models.CharField(
        max_length=12, choices=MilestoneCategory.choices, default=MilestoneCategory.ACTIVITY
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_on__isnull=False))
                | (~Q(status="completed") & Q(completed_on__isnull=True)),
                name="milestone_completed_on_iff_completed",
                violation_error_message="A completion date goes with the completed status, and only with it.",
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("grants:milestone_detail", kwargs={"pk": self.pk})

    @property
    def is_deliverable(self) -> bool:
        return self.category in DELIVERABLE_CATEGORIES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MILESTONE_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return MILESTONE_TRANSITIONS[self.status]


class MilestoneStatusChange(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=MilestoneStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=MilestoneStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.from_status or '-'} -> {self.to_status}"


def evidence_path(instance: MilestoneEvidence, filename: str) -> str:
    return random_stored_name("evidence", instance.milestone_id, filename)


class MilestoneEvidence(StoredFile):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)

    class Meta(StoredFile.Meta):
        verbose_name_plural = "milestone evidence"

    def get_absolute_url(self) -> str:
        return reverse("grants:evidence_download", kwargs={"pk": self.pk})
