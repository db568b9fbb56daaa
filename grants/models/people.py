from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField


class Organisation(models.Model):
    """A grantee or implementing partner."""

    class Kind(models.TextChoices):
        NGO = "ngo", "NGO"
        UN_AGENCY = "un_agency", "UN agency"
        UNIVERSITY = "university", "University"
        GOVERNMENT = "government", "Government"
        PRIVATE = "private", "Private sector"

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NGO)
    headquarters_country = CountryField(blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class PortfolioUserManager(UserManager):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ):
        # Superusers made with `createsuperuser` are administrators, never grantees.
        extra.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person with one role; a grantee user belongs to exactly one organisation."""

    class Role(models.TextChoices):
        PROGRAM_OFFICER = "officer", "Program officer"
        GRANTEE = "grantee", "Grantee"
        MANAGER = "manager", "Manager"
        ADMIN = "admin", "Administrator"

    role = models.CharField(max_length=10, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="Required for grantee users, empty for the office's own staff.",
    )
    # Unread in-app notifications, kept exact by grants.notifications (incremented with the inserts, recounted
    # on mark-read) so that the navigation shows the badge without a query on every page.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    objects = PortfolioUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["officer", "grantee", "manager", "admin"]),
                name="user_role_known",
                violation_error_message="Choose a role.",
            ),
            models.CheckConstraint(
                condition=(Q(role="grantee") & Q(organisation__isnull=False))
                | (~Q(role="grantee") & Q(organisation__isnull=True)),
                name="user_grantee_has_exactly_one_organisation",
                violation_error_message="A grantee user belongs to one organisation; office staff to none.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_grantee(self) -> bool:
        return self.role == self.Role.GRANTEE

    @property
    def is_program_officer(self) -> bool:
        return self.role == self.Role.PROGRAM_OFFICER

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    def get_absolute_url(self) -> str:
        return reverse("dashboard")
