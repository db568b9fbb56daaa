"""Forms for grants, modifications and country projects. They check shape and types; grants.services applies
the rules (periods, budgets, lifecycle) and its errors are shown next to the fields they concern."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin, DateInput
from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    Modification,
    Organisation,
    TargetGroup,
    Theme,
    User,
)

MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01"}
# Mirrors grants.services.FIGURES, which enforces it: what only a modification changes once a grant is active.
FIGURES = ("obligated_amount", "end_date")
LOCKED_HELP = "Changes only through a modification once the grant is out of the pipeline."
LOCKED_ERROR = "Once a grant is active this changes only through a modification."


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class GrantForm(BootstrapMixin, forms.ModelForm):
    program_officer = OfficerChoiceField(
        queryset=User.objects.filter(role=User.Role.PROGRAM_OFFICER, is_active=True).order_by("last_name"),
        label="Program officer",
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Grant
        fields = (
            "award_number",
            "title",
            "grantee",
            "assistance_listing",
            "program_officer",
            "start_date",
            "end_date",
            "obligated_amount",
            "reporting_frequency",
            "themes",
            "summary",
        )
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "obligated_amount": forms.NumberInput(attrs=MONEY_ATTRS),
        }
        labels = {
            "assistance_listing": "Assistance listing",
            "start_date": "Start date",
            "end_date": "End date",
        }
        help_texts = {"award_number": "For example IL-24943-13-75-K."}
        error_messages = {
            "obligated_amount": {"invalid": "Enter an amount in US dollars, such as 2500000.00."}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = Organisation.objects.order_by("name")
        self.locked: tuple[str, ...] = ()
        if self.instance.pk and self.instance.status != GrantStatus.PIPELINE:
            # Once the award is active its money and end date change only through numbered modifications.
            self.locked = FIGURES
            for name in self.locked:
                self.fields[name].disabled = True
                self.fields[name].help_text = LOCKED_HELP
        self._style_widgets()
        self.fields["themes"].widget.attrs["class"] = "form-check-input"

    def clean_obligated_amount(self) -> Decimal | None:
        amount = self.cleaned_data.get("obligated_amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError("The obligated amount cannot be negative.")
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The period of performance cannot end before it starts.")
        for name in self.locked:
            # A browser never sends a disabled field; a value that differs was typed around the form.
            if self._posted_differs(name):
                self.add_error(name, LOCKED_ERROR)
        return data

    def _posted_differs(self, name: str) -> bool:
        raw = self.data.get(self.add_prefix(name))
        if raw in (None, ""):
            return False
        try:
            posted = self.fields[name].to_python(raw)
        except forms.ValidationError:
            return True
        return posted != getattr(self.instance, name)

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "themes"}
        if self.instance.pk:
            for name, field in self.fields.items():
                if field.disabled:
                    data.pop(name, None)
        return data


class GrantTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=GrantStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


class ModificationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Modification
        fields = ("kind", "effective_date", "amount_change", "new_end_date", "reason")
        widgets = {
            "effective_date": DateInput(),
            "new_end_date": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "amount_change": forms.NumberInput(attrs=MONEY_ATTRS),
        }
        help_texts = {
            "amount_change": "Positive adds funds, negative de-obligates (scope change only). 0 for no change.",
            "new_end_date": "Only when the period of performance changes.",
        }
        error_messages = {"amount_change": {"invalid": "Enter an amount in US dollars, such as 250000.00."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount_change"].required = False
        self._style_widgets()

    def clean_amount_change(self) -> Decimal:
        return self.cleaned_data.get("amount_change") or Decimal("0")

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if not reason:
            raise forms.ValidationError("Say why the grant is being modified.")
        return reason

    def _post_clean(self) -> None:
        # The figures before and after, the number and the grant's rules are the service's to check.
        pass


RELATED = ("implementing_partners", "target_groups")


class CountryProjectForm(BootstrapMixin, forms.ModelForm):
    implementing_partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = CountryProject
        fields = (
            "country",
            "title",
            "budget",
            "start_date",
            "end_date",
            "target_regions",
            "target_groups",
            "implementing_partners",
        )
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "budget": forms.NumberInput(attrs=MONEY_ATTRS),
        }
        error_messages = {"budget": {"invalid": "Enter an amount in US dollars, such as 1200000.00."}}

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grant = grant
        self._style_widgets()
        for name in RELATED:
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["country"].widget.attrs["class"] = "form-select"

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        # The database allows one project per grant and country; say so next to the field, not at the top.
        taken = self.grant.country_projects.filter(country=country).exclude(pk=self.instance.pk)
        if country and taken.exists():
            raise forms.ValidationError("This grant already has a project in that country.")
        return country

    def clean_budget(self) -> Decimal | None:
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError("The budget cannot be negative.")
        return budget

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The project cannot end before it starts.")
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name not in RELATED}

    def related_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RELATED}
