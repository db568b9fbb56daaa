"""The notification preferences form: per kind in-app and email, and the person's days before a due date."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from grants.forms.common import BootstrapMixin
from grants.models import NotificationKind, NotificationPreference
from portfolio.env import parse_days


class NotificationPreferenceForm(BootstrapMixin, forms.Form):
    days_before = forms.CharField(
        label="Remind me this many days before a due date",
        required=False,
        max_length=100,
        help_text="Whole days from 1 to 365, separated by commas, e.g. 14, 3. Leave empty for no reminders before a due date (you are still reminded on the day and after it).",
    )

    def __init__(self, *args: Any, preference: NotificationPreference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            for channel, where in (("in_app", "in the app"), ("email", "by email")):
                name = f"{kind}_{channel}"
                self.fields[name] = forms.BooleanField(
                    label=f"{label}: {where}", required=False, initial=getattr(preference, name)
                )
        self.fields["days_before"].initial = ", ".join(str(day) for day in preference.reminder_days_before)
        self.order_fields([*(f"{kind}_{c}" for kind in NotificationKind.values for c in ("in_app", "email"))])
        self._style_widgets()

    @property
    def office_default(self) -> str:
        return ", ".join(str(day) for day in settings.REMINDER_DAYS_BEFORE)

    def kind_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(label, in-app field, email field) per kind, for the preferences table."""
        return [
            (label, self[f"{kind}_in_app"], self[f"{kind}_email"]) for kind, label in NotificationKind.choices
        ]

    def clean_days_before(self) -> str:
        text = self.cleaned_data["days_before"]
        try:
            days = parse_days(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return ", ".join(str(day) for day in days)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "in_app": {kind: data[f"{kind}_in_app"] for kind in NotificationKind.values},
            "email": {kind: data[f"{kind}_email"] for kind in NotificationKind.values},
            "days_before": data["days_before"],
        }
