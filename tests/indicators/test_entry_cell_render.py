"""The entry and review pages' cells, rendered in Python (indicators.templatetags.entry_cells), must be the
very HTML the reference templates indicators/_entry_cell.html and review_cell_row.html give: every kind of
cell, editing and read-only, with text that needs escaping; and the whole pages must be the pages the
template includes gave."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from indicators import services
from indicators.cells import TOTAL, field_name, make_key
from indicators.forms import SubmissionEntryForm
from indicators.models import ActualValue, ProjectIndicator, Submission
from indicators.selectors.entry import EntryCell, EntryIndicator
from indicators.templatetags.entry_cells import render_entry_cell, render_review_row
from indicators.validation import CategorySpec, IndicatorSpec
from indicators.views import entry_views, review_views
from tests.indicators.conftest import complete_values, fill

NASTY = """<b>"Tom" & 'Jerry'</b> > 5"""

COUNT = IndicatorSpec(
    id=7,
    code="E1<&>",
    name="Children reached",
    measure_type="count",
    aggregation="sum",
    categories=(CategorySpec(code="sex", name="Sex", complete=True, options=(("f", NASTY), ("m", "Male"))),),
)
PERCENT = IndicatorSpec(
    id=8,
    code="E3 \"pct\" 'q'",
    name="Attendance",
    measure_type="percentage",
    aggregation="sum",
    categories=(CategorySpec(code="sex", name="Sex", complete=False, options=(("f", "Girls & <women>"),)),),
)


def _stored_kinds(spec: IndicatorSpec, key: str) -> list[ActualValue | None]:
    """No stored value; nothing to report; typed figures (plain, needing escaping, blank)."""
    ids = {"project_indicator_id": spec.id, "cell_key": key}
    return [
        None,
        ActualValue(nothing_to_report=True, value_text="9", numerator_text="1", **ids),
        ActualValue(value_text="12.5", numerator_text="3", denominator_text="4", **ids),
        ActualValue(value_text=NASTY, numerator_text="<1>", denominator_text="&2", **ids),
        ActualValue(value_text="", numerator_text="", denominator_text="7", **ids),
        ActualValue(value_text="0", numerator_text="0", denominator_text="", **ids),
    ]


def _form(*, bound: bool) -> SubmissionEntryForm:
    """The real entry form over both specs; bound to typed text (escaped by the widgets) when ``bound``."""
    submission = Submission(version=3)
    if not bound:
        return SubmissionEntryForm(submission=submission, specs=[COUNT, PERCENT], values=[])
    data = {"version": "3"}
    for spec in (COUNT, PERCENT):
        for key in spec.cell_keys:
            for part in ("value", "numerator", "denominator"):
                data[field_name(spec.id, key, part)] = f'{part} "{NASTY}"'
    return SubmissionEntryForm(data, submission=submission, specs=[COUNT, PERCENT], values=[])


def _entry(spec: IndicatorSpec) -> EntryIndicator:
    return EntryIndicator(
        project_indicator=ProjectIndicator(pk=spec.id), spec=spec, column_labels=[], rows=[], total=None
    )


def _cells(spec: IndicatorSpec, form: SubmissionEntryForm) -> list[EntryCell]:
    """Every combination of stored value, previous, target, errors and warnings, for the total and a cell."""
    parts = ("numerator", "denominator") if spec.measure_type == "percentage" else ("value",)
    cells = []
    for key in (TOTAL, make_key({"sex": "f"})):
        inputs = [form[field_name(spec.id, key, part)] for part in parts]
        for stored, previous, target, errors, warnings in itertools.product(
            _stored_kinds(spec, key),
            ["", "12", "nothing to report", NASTY],
            ["", "80", "<9>"],
            [[], ["Enter a number."], [NASTY, "Second & last"]],
            [[], [f"This is up 50% {NASTY}"]],
        ):
            cells.append(
                EntryCell(
                    key=key,
                    label=spec.label(key),
                    previous=previous,
                    target=target,
                    stored=stored,
                    inputs=inputs,
                    anchor=inputs[0].auto_id,
                    errors=errors,
                    warnings=warnings,
                )
            )
    return cells


@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("spec", [COUNT, PERCENT], ids=["count", "percentage"])
@pytest.mark.parametrize("editing", [True, False], ids=["editing", "read-only"])
def test_python_cell_is_the_templates_cell(spec, editing, bound):
    reference = get_template("indicators/_entry_cell.html")
    tag = engines["django"].from_string("{% load entry_cells %}{% entry_cell cell entry editing %}")
    entry = _entry(spec)
    cells = _cells(spec, _form(bound=bound))
    assert len(cells) == 2 * 6 * 4 * 3 * 3 * 2
    for cell in cells:
        context = {"cell": cell, "entry": entry, "editing": editing}
        expected = reference.render(context)
        assert render_entry_cell(cell, entry, editing) == expected
        assert tag.render(context) == expected
    # The text that needs it came out escaped, and the form's widgets came out whole.
    assert "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt; &gt; 5" in expected
    assert "<b>" not in expected
    assert ("<input" in expected) is editing


def test_cell_without_inputs_renders_as_the_template_does():
    # The view always sets a cell's inputs; a cell without them still renders as the template would.
    reference = get_template("indicators/_entry_cell.html")
    for spec in (COUNT, PERCENT):
        cell = EntryCell(key=TOTAL, label="Total", previous="1", target="2")
        context = {"cell": cell, "entry": _entry(spec), "editing": True}
        assert render_entry_cell(cell, _entry(spec), True) == reference.render(context)


# --- the whole page -----------------------------------------------------------------------------------------

ENTRY_TAGS = {
    "{% load entry_cells %}\n": "",
    "{% entry_cell cell entry editing %}": '{% include "indicators/_entry_cell.html" %}',
    "{% entry_cell entry.total entry editing %}": (
        '{% with cell=entry.total %}{% include "indicators/_entry_cell.html" %}{% endwith %}'
    ),
}
REVIEW_TAGS = {
    "{% load entry_cells %}\n": "",
    "{% review_cell_row entry.total entry True %}": (
        '{% include "indicators/review_cell_row.html" with cell=entry.total is_total=True %}'
    ),
    "{% review_cell_row cell entry False %}": (
        '{% include "indicators/review_cell_row.html" with is_total=False %}'
    ),
}
# {% csrf_token %} masks the token afresh at every render.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _page_with_includes(request, template_name: str, tags: dict[str, str], context) -> str:
    """The page as it was rendered with the include per cell."""
    source = get_template(template_name).template.source
    for new, old in tags.items():
        assert new in source
        source = source.replace(new, old)
    return engines["django"].from_string(source).render(context, request)


def _same_page(response, render, tags: dict[str, str]) -> str:
    """Render the page the view rendered both ways, assert they are the same, and return it."""
    _, template_name, context = render.call_args.args
    new = render_to_string(template_name, context, response.wsgi_request)
    old = _page_with_includes(response.wsgi_request, template_name, tags, context)
    assert CSRF.sub("", new) == CSRF.sub("", old)
    return new


def _reports(world, framework, officer, grantee, draft) -> Submission:
    """An approved first report (the previous values), targets (one revised), and a second report with
    figures that need escaping, nothing to report, and changes that call for explanations (warnings)."""
    services.submission_submit(submission=fill(draft, framework, grantee), actor=grantee)
    services.submission_approve(submission=draft, actor=officer)
    targets = [
        services.target_set(project_indicator=pi, period=framework.second, value=value, actor=officer)
        for pi, value in [
            (framework.capital, Decimal(900)),
            (framework.attending, Decimal(60)),
            (framework.reached, Decimal(30)),
        ]
    ]
    services.target_revise(target=targets[1], new_value=Decimal(65), reason="Re-planned", actor=officer)
    second = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.second, actor=grantee
    )
    values = complete_values(framework, each=5)
    values[(framework.reached.pk, make_key({"sex": "female", "age": "5-11"}))] = {"value": NASTY}
    values[(framework.attending.pk, make_key({"sex": "female"}))] = {"numerator": "<3>", "denominator": "&"}
    values[(framework.capital.pk, TOTAL)] = {"nothing_to_report": True, "comment": NASTY}
    return fill(second, framework, grantee, valid=False, values=values)


def _all_cells(context) -> list[EntryCell]:
    return [
        cell
        for group in context["groups"]
        for entry in group.indicators
        for cell in (entry.total, *(cell for _, row in entry.rows for cell in row))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["grantee_a", "officer"])
def test_entry_page_is_the_page_the_include_gave(
    request, persona, client_for, world, framework, officer, draft
):
    grantee = request.getfixturevalue("grantee_a")
    second = _reports(world, framework, officer, grantee, draft)
    with mock.patch.object(entry_views, "render", wraps=entry_views.render) as render:
        response = client_for(request.getfixturevalue(persona)).get(
            reverse("indicators:submission_entry", args=[second.pk])
        )
    assert response.status_code == 200
    context = render.call_args.args[2]
    assert context["editing"] is (persona == "grantee_a")
    cells = _all_cells(context)
    assert any(c.errors for c in cells) and any(c.warnings for c in cells)
    assert any(c.previous for c in cells) and any(c.target for c in cells)
    page = _same_page(response, render, ENTRY_TAGS)
    assert page.count('class="entry-cell') == len(cells)


# --- the review page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [COUNT, PERCENT], ids=["count", "percentage"])
def test_python_review_row_is_the_templates_row(spec):
    reference = get_template("indicators/review_cell_row.html")
    tag = engines["django"].from_string("{% load entry_cells %}{% review_cell_row cell entry is_total %}")
    entry = _entry(spec)
    count = 0
    for key in (TOTAL, make_key({"sex": "f"})):
        for stored, target, original, history, errors, warnings, is_total in itertools.product(
            _stored_kinds(spec, key),
            ["", "80", "<9>"],
            ["", "75", NASTY],
            [[], [""], ["12", "", NASTY], ["", "nothing to report", "3 / 4"]],
            [[], ["Enter a number."], [NASTY, "Second & last"]],
            [[], [f"This is up 50% {NASTY}"]],
            [True, False],
        ):
            cell = EntryCell(
                key=key,
                label=spec.label(key),
                previous=history[0] if history else "",
                target=target,
                original_target=original,
                history=history,
                stored=stored,
                errors=errors,
                warnings=warnings,
            )
            context = {"cell": cell, "entry": entry, "is_total": is_total}
            expected = reference.render(context)
            assert render_review_row(cell, entry, is_total) == expected
            assert tag.render(context) == expected
            count += 1
    assert count == 2 * 6 * 3 * 3 * 4 * 3 * 2 * 2
    assert "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt; &gt; 5" in expected
    assert "<b>" not in expected


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "manager"])
def test_review_page_is_the_page_the_include_gave(
    request, persona, client_for, world, framework, officer, draft
):
    grantee = request.getfixturevalue("grantee_a")
    second = _reports(world, framework, officer, grantee, draft)
    with mock.patch.object(review_views, "render", wraps=review_views.render) as render:
        response = client_for(request.getfixturevalue(persona)).get(
            reverse("indicators:submission_review", args=[second.pk])
        )
    assert response.status_code == 200
    cells = _all_cells(render.call_args.args[2])
    assert any(c.errors for c in cells) and any(c.warnings for c in cells) and any(c.history for c in cells)
    assert any(c.target for c in cells) and any(c.original_target for c in cells)
    page = _same_page(response, render, REVIEW_TAGS)
    assert page.count('data-testid="reported-') == len(cells)
