"""Forms of the indicators screens. They collect what was typed; indicators.services validates and stores it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin
from indicators.cells import TOTAL, field_name
from indicators.models import ActualValue, Submission
from indicators.validation import CellInput, CellRef, IndicatorSpec

NARRATIVE_FIELDS = ("achievements", "challenges", "next_steps")


def _figure_field(label: str) -> forms.CharField:
    # Text, not DecimalField: a draft keeps whatever was typed ("12,5", "abc") and the service explains it.
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "form-control form-control-sm figure"}
        ),
    )


class SubmissionEntryForm(BootstrapMixin, forms.Form):
    """Every cell of a report, named as indicators.cells.field_name so service errors land at the cell."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    cumulative_expenditure = forms.CharField(
        label="Cumulative federal expenditure to date (USD)", required=False, max_length=40
    )
    achievements = forms.CharField(
        label="Achievements", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    challenges = forms.CharField(label="Challenges", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        submission: Submission,
        specs: list[IndicatorSpec],
        values: Iterable[ActualValue] | None = None,
        **kwargs: Any,
    ) -> None:
        """``values``: the report's stored values when the caller has read them already (the entry layout has),
        to save reading them again; by default the form reads them."""
        if "initial" not in kwargs:
            kwargs["initial"] = self._initial(submission, values)
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            parts = ("numerator", "denominator") if spec.measure_type == "percentage" else ("value",)
            for key in spec.cell_keys:
                for part in parts:
                    self.fields[field_name(spec.id, key, part)] = _figure_field(
                        f"{spec.code} {spec.label(key)} {part}"
                    )
            self.fields[field_name(spec.id, TOTAL, "nothing_to_report")] = forms.BooleanField(
                label="Nothing to report", required=False
            )
            self.fields[field_name(spec.id, TOTAL, "comment")] = forms.CharField(
                label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields[field_name(spec.id, TOTAL, "explanation")] = forms.CharField(
                label="Explanation of the change", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self._style_widgets()

    @staticmethod
    def _initial(submission: Submission, values: Iterable[ActualValue] | None) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": submission.version,
            "cumulative_expenditure": submission.expenditure_text,
            **{name: getattr(submission, name) for name in NARRATIVE_FIELDS},
        }
        for row in submission.values.all().order_by() if values is None else values:
            pk, key = row.project_indicator_id, row.cell_key
            initial[field_name(pk, key, "value")] = row.value_text
            initial[field_name(pk, key, "numerator")] = row.numerator_text
            initial[field_name(pk, key, "denominator")] = row.denominator_text
            if key == TOTAL:
                initial[field_name(pk, key, "nothing_to_report")] = row.nothing_to_report
                initial[field_name(pk, key, "comment")] = row.comment
                initial[field_name(pk, key, "explanation")] = row.explanation
        return initial

    def cell_inputs(self) -> dict[CellRef, CellInput]:
        """Every cell's input, blank ones included (a blank cell clears what was stored)."""
        data = self.cleaned_data
        inputs: dict[CellRef, CellInput] = {}
        for spec in self.specs:
            for key in spec.cell_keys:
                extra = (
                    {
                        part: data.get(field_name(spec.id, key, part)) or ""
                        for part in ("comment", "explanation")
                    }
                    if key == TOTAL
                    else {}
                )
                inputs[(spec.id, key)] = CellInput(
                    value=data.get(field_name(spec.id, key, "value"), ""),
                    numerator=data.get(field_name(spec.id, key, "numerator"), ""),
                    denominator=data.get(field_name(spec.id, key, "denominator"), ""),
                    nothing_to_report=key == TOTAL
                    and bool(data.get(field_name(spec.id, key, "nothing_to_report"))),
                    **extra,
                )
        return inputs

    def narrative(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in NARRATIVE_FIELDS}
