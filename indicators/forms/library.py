"""Forms of the indicator library: an indicator's fields, and (de)activating it.

They check shape and types; ``indicators.services.library`` applies the rules (unique codes, what is fixed once
projects have reported values) and its errors are shown next to the fields they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin
from indicators.models import AggregationChoice, DisaggregationCategory, Indicator, MeasureType
from indicators.services.library import INDICATOR_FIELDS, LOCKED_MESSAGE, LOCKED_ONCE_REPORTED, RATIO_MESSAGE

LOCKED_HELP = "Fixed: projects have already reported values for this indicator."


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: DisaggregationCategory) -> str:
        # The options say more than the name ("Age band" alone does not say which bands).
        options = ", ".join(option.name for option in obj.options.all())
        return f"{obj.name} ({options})" if options else obj.name


class IndicatorForm(BootstrapMixin, forms.ModelForm):
    categories = CategoryChoiceField(
        queryset=DisaggregationCategory.objects.prefetch_related("options"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Disaggregations",
        help_text="The breakdowns every project reports for this indicator. None: only a total.",
    )

    class Meta:
        model = Indicator
        fields = (*INDICATOR_FIELDS, "categories")
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 5}),
            "name": forms.TextInput(),
        }
        labels = {
            "code": "Code",
            "unit": "Unit of measure",
            "measure_type": "Measure type",
            "aggregation": "How values combine over time",
            "data_source": "Data source",
            "collection_method": "Collection method",
        }
        help_texts = {
            "unit": "What is counted, such as children, households or USD.",
            "aggregation": "Counts of what happened in a period add up; stocks keep the latest value; "
            "percentages are recomputed from summed numerators and denominators.",
        }

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``locked``: projects have reported values, so what those values mean cannot change.
        self.locked: tuple[str, ...] = LOCKED_ONCE_REPORTED if locked else ()
        for name in self.locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = LOCKED_HELP
        self._style_widgets()
        self.fields["categories"].widget.attrs["class"] = "form-check-input"

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.locked:
            # A browser never sends a disabled field; a value that differs was sent around the form.
            if self._posted_differs(name):
                self.add_error(name, LOCKED_MESSAGE)
        measure, aggregation = data.get("measure_type"), data.get("aggregation")
        if (
            measure
            and aggregation
            and (measure == MeasureType.PERCENTAGE) != (aggregation == AggregationChoice.RATIO)
        ):
            # With the error at the field, the model's constraint (a form-wide error) is not checked again.
            self.add_error("aggregation", RATIO_MESSAGE)
        return data

    def _posted_differs(self, name: str) -> bool:
        key = self.add_prefix(name)
        if name == "categories":
            if key not in self.data:
                return False
            posted = {str(v) for v in self.data.getlist(key)}
            return posted != {str(c.pk) for c in self.instance.categories.all()}
        raw = self.data.get(key)
        return raw not in (None, "") and raw != getattr(self.instance, name)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values for indicators.services.library, without the fields that are fixed."""
        data = {name: self.cleaned_data[name] for name in (*INDICATOR_FIELDS, "categories")}
        for name in self.locked:
            data.pop(name, None)
        return data


class IndicatorActiveForm(forms.Form):
    """Deactivate (``is_active=0``) or reactivate (``is_active=1``) an indicator."""

    is_active = forms.TypedChoiceField(
        choices=(("1", "Active"), ("0", "Inactive")), coerce=lambda v: v == "1"
    )
