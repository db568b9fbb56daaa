from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from grants.models.people import Organisation
from grants.models.reference import Theme
from grants.querysets import GrantQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class GrantStatus(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    TERMINATED = "terminated", "Terminated"
    CLOSEOUT = "closeout", "Closeout"
    CLOSED = "closed", "Closed"


# The award lifecycle. A terminated award still goes through closeout before it is closed.
GRANT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    GrantStatus.PIPELINE: (GrantStatus.ACTIVE,),
    GrantStatus.ACTIVE: (GrantStatus.CLOSEOUT, GrantStatus.SUSPENDED, GrantStatus.TERMINATED),
    GrantStatus.SUSPENDED: (GrantStatus.ACTIVE, GrantStatus.TERMINATED),
    GrantStatus.TERMINATED: (GrantStatus.CLOSEOUT,),
    GrantStatus.CLOSEOUT: (GrantStatus.CLOSED,),
    GrantStatus.CLOSED: (),
}

# Verbs shown on the buttons that trigger a transition.
GRANT_TRANSITION_VERBS: dict[str, str] = {
    GrantStatus.ACTIVE: "Activate",
    GrantStatus.SUSPENDED: "Suspend",
    GrantStatus.TERMINATED: "Terminate",
    GrantStatus.CLOSEOUT: "Start closeout",
    GrantStatus.CLOSED: "Close",
}


class ReportingFrequency(models.TextChoices):
    SEMIANNUAL = "semiannual", "Semi-annual (US fiscal half-years)"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Grant(models.Model):
    """A cooperative agreement. Amount and end date are current; the original figures are kept beside them."""

    award_number = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]{3,39}$",
                "Use capital letters, digits and hyphens, for example IL-24943-13-75-K.",
            )
        ],
        error_messages={"unique": "Another grant already has this award number."},
    )
    title = models.CharField(max_length=300)
    grantee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grants")
    assistance_listing = models.CharField(
        "assistance listing number",
        max_length=6,
        default="17.401",
        validators=[RegexValidator(r"^\d{2}\.\d{3}$", "An assistance listing number looks like 17.401.")],
    )
    program_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="officer_grants",
        limit_choices_to={"role": "officer"},
    )
    start_date = models.DateField("start of period of performance")
    end_date = models.DateField("end of period of performance")
    original_end_date = models.DateField(editable=False)
    obligated_amount = models.DecimalField(
        "obligated amount (USD)", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    original_obligated_amount = models.DecimalField(**MONEY, editable=False)
    themes = models.ManyToManyField(Theme, related_name="grants", blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=GrantStatus.choices, default=GrantStatus.PIPELINE)
    reporting_frequency = models.CharField(
        max_length=12, choices=ReportingFrequency.choices, default=ReportingFrequency.SEMIANNUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])
    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["award_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="grant_end_not_before_start",
                violation_error_message="The period of performance cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(obligated_amount__gte=0) & Q(original_obligated_amount__gte=0),
                name="grant_amounts_not_negative",
                violation_error_message="The obligated amount cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status", "end_date"])]

    def __str__(self) -> str:
        return f"{self.award_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("grants:grant_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return GRANT_TRANSITIONS[self.status]

    @property
    def funding_change(self) -> Decimal:
        return self.obligated_amount - self.original_obligated_amount

    @property
    def is_extended(self) -> bool:
        return self.end_date != self.original_end_date


class GrantStatusChange(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=GrantStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=GrantStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.grant.award_number}: {self.from_status or '-'} -> {self.to_status}"


class ModificationKind(models.TextChoices):
    INCREMENTAL_FUNDING = "funding", "Incremental funding"
    NO_COST_EXTENSION = "extension", "No-cost extension"
    BUDGET_REALIGNMENT = "realignment", "Budget realignment"
    SCOPE_CHANGE = "scope", "Scope change"


class Modification(models.Model):
    """A numbered change to a grant, with the grant's figures before and after it was applied."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="modifications")
    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=12, choices=ModificationKind.choices)
    effective_date = models.DateField()
    amount_change = models.DecimalField("change in obligated amount (USD)", **MONEY, default=Decimal("0"))
    new_end_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    obligated_before = models.DecimalField(**MONEY, editable=False)
    obligated_after = models.DecimalField(**MONEY, editable=False)
    end_date_before = models.DateField(editable=False)
    end_date_after = models.DateField(editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="modification_number_unique_per_grant"),
            models.CheckConstraint(
                condition=Q(obligated_after__gte=0),
                name="modification_keeps_obligation_non_negative",
                violation_error_message="This modification would make the obligated amount negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant.award_number} mod {self.number}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("grants:grant_detail", kwargs={"pk": self.grant_id}) + "#modifications"
