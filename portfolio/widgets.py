"""Select widgets that write their options in Python.

Django renders a select through one template per option (``select_option.html``, which includes
``attrs.html``): the performance filter bar's 786 options cost about 40 ms a page that way. These widgets
produce the same HTML, byte for byte, from the same ``get_context`` (so ``optgroups``, ``create_option`` and
the ``selected`` and ``multiple`` attributes behave as Django's), only without the template engine.
``tests/portfolio/test_widgets.py`` holds them to Django's own output.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

# The templates whose output the Python below reproduces; a subclass naming others renders through them.
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"

# What the form renderer's templates see: autoescape on, localisation and time zone per settings.
_CONTEXT = Context()


def _text(value: Any) -> str:
    """``{{ value }}``: localised, then escaped unless already safe."""
    if type(value) is str:
        # The common case, and the cheap one: a plain string is only escaped (as django.utils.html.escape).
        return html.escape(value)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe; anything else is escaped."""
    if type(value) is str:
        return html.escape(value)
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def attrs_html(attrs: dict[str, Any]) -> str:
    """``attrs.html``: ``False`` leaves an attribute out, ``True`` writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def select_html(widget: dict[str, Any]) -> SafeString:
    """``select.html`` and its options from a widget context (``get_context(...)["widget"]``), stripped as
    the form renderer strips it."""
    parts = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            # Each option's template ends in a newline, kept inside the select.
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class PythonOptionsMixin:
    """Renders ``select.html`` in Python while the widget uses Django's own templates."""

    template_name: str
    option_template_name: str

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if self.template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE:
            return super().render(name, value, attrs, renderer)  # type: ignore[misc]
        context = self.get_context(name, value, attrs)  # type: ignore[attr-defined]
        return select_html(context["widget"])


class FastSelect(PythonOptionsMixin, forms.Select):
    pass


class FastSelectMultiple(PythonOptionsMixin, forms.SelectMultiple):
    pass


_FAST_CLASSES: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: FastSelect,
    forms.SelectMultiple: FastSelectMultiple,
}


def fast_select(widget: forms.Widget) -> forms.Widget:
    """The same widget (attributes, choices, required) as a fast select if it is a plain ``Select`` or
    ``SelectMultiple``; any other widget, subclasses included, is returned unchanged.

    For forms whose fields are built elsewhere (django-filter's): their widgets are class defaults, so this
    swaps the class of the form's own copy rather than naming a widget on every filter.
    """
    fast = _FAST_CLASSES.get(type(widget))
    if fast is not None:
        widget.__class__ = fast
    return widget


class FlatModelChoiceIterator(ModelChoiceIterator):
    """``ModelChoiceIterator`` over rows of columns rather than model instances: the same option values and
    labels, without building a model instance (about 15 µs each) for each of a few hundred options.

    The field names the columns with ``choice_columns`` and makes the label from them with
    ``label_from_row``; it must give what ``label_from_instance`` gives (the tests compare the two). Values are
    the plain key (``to_field_name`` or the pk): a widget reads them through ``str()``, as it reads Django's
    ``ModelChoiceIteratorValue``. django-filter's ``null_label`` choice, when set, follows the empty one.
    """

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        null_label = getattr(field, "null_label", None)
        if null_label is not None:
            yield (field.null_value, null_label)
        key = field.to_field_name or "pk"
        # A plain fetch, not .iterator(): on PostgreSQL that is a server-side cursor and two more round trips.
        for key_value, *columns in self.queryset.values_list(key, *field.choice_columns):
            yield (key_value, field.label_from_row(*columns))


class FlatChoicesMixin:
    """For a ``ModelChoiceField`` (or multiple) whose options come from ``choice_columns`` (see
    ``FlatModelChoiceIterator``). Validation still looks the chosen instances up as Django does."""

    iterator = FlatModelChoiceIterator
    choice_columns: tuple[str, ...] = ()

    def label_from_row(self, *columns: Any) -> str:
        raise NotImplementedError
