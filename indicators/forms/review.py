"""Forms of the review side: the reviewer's actions on a report and the comment forms. They check shape;
indicators.services applies the workflow rules (a stale version, a transition not allowed, a cell that does
not exist) and its refusals are shown on these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from grants.forms.common import BootstrapMixin


class ReviewActionForm(BootstrapMixin, forms.Form):
    """Approve, return or reopen: the version the reviewer read, and a comment (required for return and
    reopen, with the message the service would give, so it shows at the field)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    required_message = ""
    comment_label = "Comment"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()
        self.fields["comment"].label = self.comment_label
        if self.required_message:
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = self.required_message

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if self.required_message and not comment:
            raise forms.ValidationError(self.required_message)
        return comment


class ApproveForm(ReviewActionForm):
    prefix = "approve"
    comment_label = "Comment for the grantee (optional)"


class ReturnForm(ReviewActionForm):
    prefix = "return"
    required_message = "Say what the grantee should correct."
    comment_label = "What should the grantee correct?"


class ReopenForm(ReviewActionForm):
    prefix = "reopen"
    required_message = "Say why the approved report is reopened."
    comment_label = "Why reopen the approved report?"


ACTION_FORMS: dict[str, type[ReviewActionForm]] = {
    "approve": ApproveForm,
    "return": ReturnForm,
    "reopen": ReopenForm,
}


class CommentForm(forms.Form):
    """A comment on the whole report (no indicator), on an indicator (its total), or on one of its cells.

    ``cell_key`` is free text on purpose: the service knows the indicator's cells and refuses others with
    a message the page shows at the cell selector.
    """

    project_indicator = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cell_key = forms.CharField(required=False, strip=False, max_length=200)
    text = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a comment."},
    )
    # Which page to show again: the reviewer's screen or the grantee's entry page.
    return_to = forms.ChoiceField(choices=[("review", "review"), ("entry", "entry")], required=False)
