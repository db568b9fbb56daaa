"""Forms for milestones and their evidence. They check shape and types; grants.services applies the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin, DateInput
from grants.models import Milestone, MilestoneStatus
from grants.validators import ALLOWED_EXTENSIONS_TEXT

# The file chooser offers the accepted types first; the server checks the content whatever the browser sends.
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS_TEXT.split(", "))
# A milestone can be logged as already under way or done; "delayed" and "cancelled" need a reason, which is
# given through a status change on the milestone's page.
INITIAL_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.COMPLETED)


class MilestoneForm(BootstrapMixin, forms.ModelForm):
    """The plan of a milestone: what, what kind, when, notes. Status changes go through their own form."""

    class Meta:
        model = Milestone
        fields = ("title", "category", "due_date", "notes")
        widgets = {
            "due_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class MilestoneCreateForm(MilestoneForm):
    """Log a milestone, optionally as already in progress or completed and with its evidence, in one go."""

    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in INITIAL_STATUSES],
        initial=MilestoneStatus.PLANNED,
    )
    completed_on = forms.DateField(
        label="Completed on",
        required=False,
        widget=DateInput(),
        help_text="For a completed milestone; today if left empty.",
    )
    evidence_file = forms.FileField(
        label="Evidence file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=f"Optional. Accepted types: {ALLOWED_EXTENSIONS_TEXT}.",
        error_messages={"empty": "The file is empty."},
    )
    evidence_description = forms.CharField(label="Evidence description", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("completed_on") and data.get("status") != MilestoneStatus.COMPLETED:
            self.add_error("completed_on", "Only a completed milestone has a completion date.")
        if data.get("evidence_description") and not data.get("evidence_file"):
            self.add_error("evidence_file", "Choose the file this description is for.")
        return data


class MilestoneTransitionForm(forms.Form):
    """One status change. Which changes are allowed, and which need a note, is the service's business."""

    to_status = forms.ChoiceField(choices=MilestoneStatus.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    completed_on = forms.DateField(required=False, widget=DateInput())

    def error_text(self) -> str:
        """All errors as one sentence, for a flash message."""
        return " ".join(
            f"{self.fields[name].label or name.replace('_', ' ').capitalize()}: {' '.join(errors)}"
            if name in self.fields
            else " ".join(errors)
            for name, errors in self.errors.items()
        )


class EvidenceForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=f"Accepted types: {ALLOWED_EXTENSIONS_TEXT}.",
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()
