"""Forms of the results framework screens: results, adopting and editing indicators, cross-indicator rules,
and the targets grid. Figures are text fields: indicators.services parses them and says what is wrong (a
fraction in a count, a percent above 100) in the words every screen uses."""

from __future__ import annotations

from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin, DateInput
from grants.models import CountryProject, Modification
from indicators.models import PARENT_LEVEL, NodeLevel, Operator, ProjectIndicator, ResultNode
from indicators.selectors.framework import TargetsGrid, adoptable_indicators, plain
from indicators.services.framework import TargetEntry


def _figure(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ResultNode) -> str:
        return f"{obj.get_level_display()} {obj.code}: {obj.statement[:70]}"


class ResultNodeForm(BootstrapMixin, forms.Form):
    """A goal, outcome or output. On edit the level is fixed (what hangs on a result depends on it), and the
    parent choices are the project's results one level up; on create they are its goals and outcomes, and the
    service says when the chosen parent is at the wrong level."""

    level = forms.ChoiceField(label="Level", choices=NodeLevel.choices)
    parent = NodeChoiceField(
        label="Under", queryset=ResultNode.objects.none(), required=False, empty_label="— none (a goal) —"
    )
    code = forms.CharField(label="Code", max_length=20, help_text='As in the project document: "1", "1.1".')
    statement = forms.CharField(label="Statement", widget=forms.Textarea(attrs={"rows": 3}))
    sort_order = forms.IntegerField(
        label="Order", min_value=0, max_value=32767, initial=0, help_text="Lower numbers come first."
    )

    def __init__(
        self, *args: Any, project: CountryProject, node: ResultNode | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        nodes = ResultNode.objects.filter(country_project=project)
        if node is None:
            self.fields["parent"].queryset = nodes.exclude(level=NodeLevel.OUTPUT)
        else:
            del self.fields["level"]
            parent_level = PARENT_LEVEL[NodeLevel(node.level)]
            if parent_level is None:
                del self.fields["parent"]
            else:
                self.fields["parent"].queryset = nodes.filter(level=parent_level)
                self.fields["parent"].empty_label = None
        self._style_widgets()


class _BaselineFields(BootstrapMixin, forms.Form):
    result_node = NodeChoiceField(
        label="Result it measures",
        queryset=ResultNode.objects.none(),
        required=False,
        empty_label="— none (Other indicators) —",
    )
    baseline_value = _figure("Baseline value", "For counts and money.")
    baseline_numerator = _figure("Baseline numerator", "For percentages: e.g. children attending.")
    baseline_denominator = _figure("Baseline denominator", "For percentages: e.g. children enrolled.")
    baseline_date = forms.DateField(label="Baseline date", required=False, widget=DateInput())
    baseline_source = forms.CharField(label="Baseline source", max_length=300, required=False)
    disaggregated_targets = forms.BooleanField(
        label="Targets per disaggregation cell",
        required=False,
        help_text="Set period targets for each cell (girls 12-14, ...), not only for the total.",
    )

    def __init__(self, *args: Any, project: CountryProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result_node"].queryset = ResultNode.objects.filter(country_project=project)
        self._style_widgets()

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "indicator"}


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name} ({obj.get_measure_type_display().split(' (')[0].lower()}, {obj.unit})"


class AdoptIndicatorForm(_BaselineFields):
    """Adopt a library indicator: only active ones this project does not use yet are offered."""

    indicator = IndicatorChoiceField(label="Indicator", queryset=None, empty_label="— choose an indicator —")
    lop_target = _figure(
        "Life-of-project target",
        "A whole number for counts, a percent (0-100) for percentages. Later changes are revisions with a reason.",
    )
    field_order = ("indicator", "result_node")

    def __init__(self, *args: Any, project: CountryProject, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["indicator"].queryset = adoptable_indicators(project)


class ProjectIndicatorForm(_BaselineFields):
    """Baseline, place in the framework and target granularity. The LOP target changes on the targets page,
    as a revision; a percentage's baseline is a numerator and a denominator, anything else's a value."""

    def __init__(self, *args: Any, project_indicator: ProjectIndicator, **kwargs: Any) -> None:
        pi = project_indicator
        kwargs.setdefault(
            "initial",
            {
                "result_node": pi.result_node_id,
                "baseline_value": plain(pi.baseline_value),
                "baseline_numerator": plain(pi.baseline_numerator),
                "baseline_denominator": plain(pi.baseline_denominator),
                "baseline_date": pi.baseline_date,
                "baseline_source": pi.baseline_source,
                "disaggregated_targets": pi.disaggregated_targets,
            },
        )
        super().__init__(*args, project=pi.country_project, **kwargs)
        unused = (
            ("baseline_value",)
            if pi.indicator.is_percentage
            else ("baseline_numerator", "baseline_denominator")
        )
        for name in unused:
            del self.fields[name]


class ProjectIndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProjectIndicator) -> str:
        return f"{obj.indicator.code} {obj.indicator.name}"


class CrossIndicatorRuleForm(BootstrapMixin, forms.Form):
    left = ProjectIndicatorChoiceField(label="Total of", queryset=None)
    operator = forms.ChoiceField(label="Must be", choices=Operator.choices)
    right = ProjectIndicatorChoiceField(label="The total of", queryset=None)

    def __init__(self, *args: Any, project: CountryProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicators = ProjectIndicator.objects.filter(country_project=project).select_related("indicator")
        self.fields["left"].queryset = indicators
        self.fields["right"].queryset = indicators
        self._style_widgets()


def _modification_choices(modifications: list[Modification]) -> list[tuple[str, str]]:
    return [("", "— none —")] + [
        (
            str(m.pk),
            f"Modification {m.number}: {m.get_kind_display()} (effective {m.effective_date:%d %b %Y})",
        )
        for m in modifications
    ]


class _RevisionFields(BootstrapMixin, forms.Form):
    """The reason and the grant modification behind a revision. Choices come from the page's grid (no query)."""

    reason = forms.CharField(
        label="Reason for the revision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when a set target changes; it stays on record with the change.",
    )
    modification = forms.ChoiceField(label="Grant modification behind it", required=False)

    def __init__(self, *args: Any, grid: TargetsGrid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.fields["modification"].choices = _modification_choices(grid.modifications)
        self._style_widgets()

    def clean_modification(self) -> Modification | None:
        chosen = self.cleaned_data["modification"]
        by_pk = {str(m.pk): m for m in self.grid.modifications}
        return by_pk[chosen] if chosen else None


def target_field_name(period_pk: int, cell_key: str) -> str:
    return f"target-{period_pk}-{cell_key or 'total'}"


class TargetsForm(_RevisionFields):
    """Every cell of the targets grid, prefilled with its current target. Blank cells without a target stay
    unset; a changed figure is a revision and needs the reason."""

    def __init__(self, *args: Any, grid: TargetsGrid, **kwargs: Any) -> None:
        super().__init__(*args, grid=grid, **kwargs)
        labels = dict(grid.columns)
        for row in grid.rows:
            for cell in row.cells:
                field = _figure(f"{row.period.label}, {labels[cell.key]}")
                field.widget.attrs.update(
                    {
                        "class": "form-control form-control-sm text-end w-auto ms-auto",
                        "size": 8,
                        "aria-label": field.label,
                    }
                )
                field.initial = plain(cell.target.value) if cell.target else ""
                self.fields[target_field_name(row.period.pk, cell.key)] = field

    def entries(self) -> list[TargetEntry]:
        return [
            TargetEntry(
                period=cell.period,
                cell_key=cell.key,
                raw=self.cleaned_data[name],
                key=name,
            )
            for row in self.grid.rows
            for cell in row.cells
            for name in [target_field_name(row.period.pk, cell.key)]
        ]


class LopTargetForm(_RevisionFields):
    """Set or revise the life-of-project target; either way the reason stays on record."""

    new_value = _figure("New life-of-project target")
    field_order = ("new_value", "reason", "modification")

    def __init__(self, *args: Any, grid: TargetsGrid, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "lop")
        super().__init__(*args, grid=grid, **kwargs)
        # Distinct labels: the page has the grid's reason and modification fields too.
        self.fields["reason"].label = "Why the life-of-project target changes"
        self.fields["reason"].help_text = "Required; it stays on record with the change."
        self.fields["modification"].label = "Grant modification behind the LOP change"
