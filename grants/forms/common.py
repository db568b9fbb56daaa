"""Form pieces every screen of the grants app shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # ISO format is what <input type="date"> sends and expects back.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BootstrapMixin:
    """Gives every widget Bootstrap's class, so templates only lay fields out."""

    def _style_widgets(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def add_service_error(form: forms.BaseForm, exc: ValidationError, *, fallback: str | None = None) -> None:
    """Show a service's ValidationError on the form: keyed errors next to their field when the form has it,
    otherwise next to ``fallback`` (or at the top of the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(fallback, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else fallback, errors)
