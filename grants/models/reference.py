from __future__ import annotations

from django.db import models


class ReferenceItem(models.Model):
    """A short coded list that administrators maintain in the admin."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Theme(ReferenceItem):
    """Migrant workers' rights, child labour, education, livelihoods, ..."""


class TargetGroup(ReferenceItem):
    """Migrant children, adolescents of working age, migrant households, returnees, host communities."""
