"""The cells of the data-entry and review pages rendered in Python.

Those pages show one cell per disaggregation option and indicator (a typical report has a hundred or more);
``{% include "indicators/_entry_cell.html" %}`` once per cell made template rendering nearly half of the
entry page's CPU. ``entry_cell`` writes the same HTML, byte for byte, as that template, and
``review_cell_row`` the same as indicators/review_cell_row.html. The templates stay as the reference
tests/indicators/test_entry_cell_render.py compares them with: change each together with its template.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from indicators.selectors.entry import EntryCell, EntryIndicator

register = template.Library()

_MISSING = "—"
_NARROW_HIDDEN = " d-none d-md-table-cell"


def _text(value: Any) -> str:
    """A value as ``{{ value }}`` prints it: escaped unless already safe ("" for None, as a missing input)."""
    return "" if value is None else conditional_escape(value)


def _input(cell: EntryCell, index: int) -> Any:
    # ``cell.inputs.0`` in the template: nothing (printed as "") when the view put no input there.
    return cell.inputs[index] if index < len(cell.inputs) else None


def _label(field: Any, text: str) -> str:
    auto_id = _text(field.auto_id) if field is not None else ""
    return f'<label class="visually-hidden" for="{auto_id}">{text}</label>{_text(field)}'


# The odd newlines and spaces below are those the templates' tag lines leave, kept so the HTML is identical.


def _editing(cell: EntryCell, entry: EntryIndicator) -> str:
    name = f"{_text(entry.spec.code)} {_text(cell.label)}"
    if entry.is_percentage:
        return (
            '\n    \n      <div class="input-group input-group-sm">\n        \n        '
            f"{_label(_input(cell, 0), f'{name} numerator')}"
            '\n        <span class="input-group-text">/</span>\n        '
            f"{_label(_input(cell, 1), f'{name} denominator')}"
            "\n        \n      </div>\n    \n  "
        )
    return f"\n    \n      {_label(_input(cell, 0), name)}\n    \n  "


def _readonly(cell: EntryCell, entry: EntryIndicator) -> str:
    stored = cell.stored
    if stored is not None and stored.nothing_to_report:
        shown = "nothing to report"
    elif entry.is_percentage:
        numerator = _text(stored.numerator_text) if stored is not None else ""
        denominator = _text(stored.denominator_text) if stored is not None else ""
        shown = f"{numerator or _MISSING} / {denominator or _MISSING}"
    else:
        shown = (_text(stored.value_text) if stored is not None else "") or _MISSING
    return f'\n    <span class="figure-readonly">{shown}</span>\n  '


def _references(cell: EntryCell, entry: EntryIndicator) -> str:
    if not (cell.previous or cell.target):
        return ""
    parts = ['<div class="cell-ref">']
    if cell.previous:
        parts.append(f'<span title="Previous period">prev {_text(cell.previous)}</span>')
    if cell.previous and cell.target:
        parts.append(" · ")
    if cell.target:
        percent = "%" if entry.is_percentage else ""
        parts.append(f'<span title="Target for this period">target {_text(cell.target)}{percent}</span>')
    parts.append("</div>")
    return "".join(parts)


def render_entry_cell(cell: EntryCell, entry: EntryIndicator, editing: bool) -> SafeString:
    """One cell as indicators/_entry_cell.html renders it: its inputs when ``editing`` (else its stored
    figures), the previous period's value and the target, and its errors and warnings."""
    has_error = " has-error" if cell.errors else ""
    body = _editing(cell, entry) if editing else _readonly(cell, entry)
    errors = "".join(f'<div class="invalid-feedback d-block">{_text(m)}</div>' for m in cell.errors)
    warnings = "".join(f'<div class="small text-warning-emphasis">{_text(m)}</div>' for m in cell.warnings)
    # Every piece above is fixed markup or escaped (or a form's rendered widget, safe by construction).
    return mark_safe(
        f'\n<div class="entry-cell{has_error}" data-testid="cell-{_text(cell.anchor)}">\n  {body}\n  '
        f"{_references(cell, entry)}\n  {errors}\n  {warnings}\n</div>\n"
    )


@register.simple_tag
def entry_cell(cell: EntryCell, entry: EntryIndicator, editing: bool) -> SafeString:
    """``{% entry_cell cell entry editing %}``: see render_entry_cell."""
    return render_entry_cell(cell, entry, editing)


def render_review_row(cell: EntryCell, entry: EntryIndicator, is_total: bool) -> SafeString:
    """One row of an indicator's review table as indicators/review_cell_row.html renders it: the reported
    figures with their errors and warnings, the target (and the original when revised), earlier values."""
    stored = cell.stored
    if not stored:
        reported = f'<span class="text-secondary">{_MISSING}</span>'
    elif stored.nothing_to_report:
        reported = '<span class="text-secondary fst-italic">nothing to report</span>'
    elif entry.is_percentage:
        reported = (
            f"{_text(stored.numerator_text) or _MISSING} / {_text(stored.denominator_text) or _MISSING}"
        )
    else:
        reported = _text(stored.value_text) or _MISSING
    errors = "".join(
        f'<div class="small text-danger text-start review-issue">{_text(m)}</div>' for m in cell.errors
    )
    warnings = "".join(
        f'<div class="small text-warning-emphasis text-start review-issue">{_text(m)}</div>'
        for m in cell.warnings
    )
    target = _text(cell.target) or _MISSING
    if cell.target and entry.is_percentage:
        target += "%"
    if cell.original_target:
        target += f'<div class="small text-secondary">originally {_text(cell.original_target)}</div>'
    # The latest earlier period always shows; the others only from medium screens up.
    history = "".join(
        f'<td class="num text-secondary{_NARROW_HIDDEN if i else ""}">{_text(text) or _MISSING}</td>'
        for i, text in enumerate(cell.history)
    )
    row_class = ' class="review-total"' if is_total else ""
    head_class = " fw-semibold" if is_total else ""
    testid = f"reported-{_text(entry.spec.code)}-{_text(cell.key) or 'total'}"
    # Every piece above is fixed markup or escaped.
    return mark_safe(
        f'\n<tr{row_class}>\n  <th scope="row" class="fw-normal{head_class}">{_text(cell.label)}</th>\n  '
        f'<td class="num" data-testid="{testid}">{reported}{errors}{warnings}</td>\n  '
        f'<td class="num">{target}</td>\n  {history}\n</tr>\n'
    )


@register.simple_tag
def review_cell_row(cell: EntryCell, entry: EntryIndicator, is_total: bool) -> SafeString:
    """``{% review_cell_row cell entry is_total %}``: see render_review_row."""
    return render_review_row(cell, entry, is_total)
