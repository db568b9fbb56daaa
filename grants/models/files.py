from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def random_stored_name(folder: str, owner_id: int | None, filename: str) -> str:
    """A random stored name: the original name is kept in a field and never reaches the file system."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{owner_id}/{uuid.uuid4().hex}.{suffix}"


class StoredFile(models.Model):
    """An uploaded file checked by grants.validators; its ``file`` field is declared by each subclass."""

    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name
