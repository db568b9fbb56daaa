"""What the indicators services share: history attribution and the change-warning threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from grants.models import User


def _attribute(instance: Any, actor: User) -> None:
    # simple_history takes the user from the request; services also run from commands and tasks.
    instance._history_user = actor


def change_threshold() -> Decimal:
    """The share of change from the previous period above which a value needs an explanation."""
    return settings.INDICATOR_CHANGE_WARNING_SHARE
