"""Forms of a grant's reporting periods: opening or closing one period, with a note for the record."""

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
