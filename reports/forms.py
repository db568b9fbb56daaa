"""The report builder's form: type, scope (only what the user may see), formats, and an optional name to save
the choices under."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from grants.access import country_projects_visible_to, grants_visible_to
from grants.countries import country_name
from grants.forms.common import BootstrapMixin
from grants.models import Grant, Theme, User
from indicators.models import Indicator
from portfolio.widgets import FastSelectMultiple, FlatChoicesMixin
from reports.registry import PDF, XLSX, report_types_for
from reports.scope import ReportScope, ScopeProblem

FORMAT_CHOICES = [(XLSX, "Excel (.xlsx)"), (PDF, "PDF")]


# Options read as columns and labelled as the models' __str__ labels them (see FlatModelChoiceIterator):
# a manager's grant list alone is several hundred options.
class GrantsField(FlatChoicesMixin, forms.ModelMultipleChoiceField):
    choice_columns = ("award_number", "title")

    def label_from_row(self, award_number: str, title: str) -> str:
        return f"{award_number} {title}"


class ThemesField(FlatChoicesMixin, forms.ModelMultipleChoiceField):
    choice_columns = ("name",)

    def label_from_row(self, name: str) -> str:
        return name


class IndicatorsField(FlatChoicesMixin, forms.ModelMultipleChoiceField):
    choice_columns = ("code", "name")

    def label_from_row(self, code: str, name: str) -> str:
        return f"{code} {name}"


class ReportBuilderForm(BootstrapMixin, forms.Form):
    report_type = forms.ChoiceField(
        label="Report",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose a report type."},
    )
    grants = GrantsField(
        queryset=Grant.objects.none(),
        required=False,
        help_text="None chosen: every grant you can see.",
        widget=FastSelectMultiple(attrs={"size": 6}),
    )
    countries = forms.MultipleChoiceField(
        required=False,
        help_text="None chosen: every country.",
        widget=FastSelectMultiple(attrs={"size": 6}),
    )
    themes = ThemesField(
        queryset=Theme.objects.all(), required=False, widget=FastSelectMultiple(attrs={"size": 4})
    )
    indicators = IndicatorsField(
        queryset=Indicator.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        required=False,
        help_text="None chosen: every indicator.",
        widget=FastSelectMultiple(attrs={"size": 6}),
    )
    period_from = forms.DateField(
        label="Periods starting from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label="Periods starting until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="On the cover; the report's name if empty."
    )
    formats = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES,
        initial=[XLSX, PDF],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose Excel, PDF or both."},
    )
    save_as = forms.CharField(
        label="Save these choices as",
        max_length=200,
        required=False,
        help_text="Optional: a name to run the same report again next period.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["report_type"].choices = [(t.code, t.title) for t in report_types_for(user)]
        self.fields["grants"].queryset = grants_visible_to(user).order_by("award_number")
        self.fields["countries"].choices = _countries(country_projects_visible_to(user))
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            self._scope = self._build_scope(data)
        except ScopeProblem as problem:  # the scope's own rules (a reversed range), next to their field
            self.add_error(problem.field or None, problem.message)
        return data

    def scope(self) -> ReportScope:
        """The chosen scope (after is_valid())."""
        return self._scope

    @staticmethod
    def _build_scope(data: dict[str, Any]) -> ReportScope:
        return ReportScope(
            grant_ids=tuple(g.pk for g in data.get("grants") or ()),
            countries=tuple(data.get("countries") or ()),
            theme_ids=tuple(t.pk for t in data.get("themes") or ()),
            indicator_codes=tuple(i.code for i in data.get("indicators") or ()),
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            title=data.get("title", "").strip(),
        )

    @classmethod
    def initial_from(cls, report_type: str, scope: ReportScope, formats: list[str]) -> dict[str, Any]:
        """The form's initial values for a saved definition."""
        return {
            "report_type": report_type,
            "grants": list(scope.grant_ids),
            "countries": list(scope.countries),
            "themes": list(scope.theme_ids),
            "indicators": list(scope.indicator_codes),
            "period_from": scope.period_from,
            "period_to": scope.period_to,
            "title": scope.title,
            "formats": formats,
        }


def _countries(projects: QuerySet) -> list[tuple[str, str]]:
    codes = sorted(set(projects.values_list("country", flat=True)))
    return sorted(((code, country_name(code)) for code in codes), key=lambda pair: pair[1])
