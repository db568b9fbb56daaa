"""Forms of a grant's reporting periods: opening or closing one period, or reopening it for late entry,
with a note for the record."""

from __future__ import annotations

from typing import Any

from django import forms

from grants.models import Grant
from indicators.models import PeriodStatus, ReportingPeriod

NOT_THIS_GRANT = "That period is not one of this grant's reporting periods."


class PeriodStatusForm(forms.Form):
    """``period`` is limited to the grant's own periods: an id from another grant is refused here."""

    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        error_messages={"invalid_choice": NOT_THIS_GRANT, "required": "Choose a period."},
    )
    status = forms.ChoiceField(
        choices=PeriodStatus.choices, error_messages={"invalid_choice": "Choose open or closed."}
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = grant.reporting_periods.all()


class PeriodReopenForm(forms.Form):
    """Reopen one of the grant's periods for late entry until a day, or (action "relock") withdraw that.

    The form only reads the input; the rules on the day (not past, within a year, later than the calendar's
    own last day of entry) are the service's, so a command or a test gets the same answers.
    """

    REOPEN, RELOCK = "reopen", "relock"

    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        error_messages={"invalid_choice": NOT_THIS_GRANT, "required": "Choose a period."},
    )
    action = forms.ChoiceField(
        choices=[(REOPEN, "Reopen for late entry"), (RELOCK, "Re-lock for grantees")],
        initial=REOPEN,
        error_messages={"invalid_choice": "Choose to reopen or to re-lock the period."},
    )
    until = forms.DateField(
        required=False,
        label="Open for late entry until",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day of late entry as a date, such as 2025-06-10."},
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = grant.reporting_periods.all()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == self.REOPEN and not cleaned.get("until") and "until" not in self.errors:
            self.add_error("until", "Choose the last day of late entry.")
        return cleaned
