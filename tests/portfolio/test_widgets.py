"""The fast selects write exactly what Django's own Select and SelectMultiple write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe

from grants.models import Organisation
from portfolio.widgets import FastSelect, FastSelectMultiple, fast_select
from tests.factories import OrganisationFactory

CHOICES: list[Any] = [
    ("", "Any status"),
    ("draft", "Draft"),
    ("a&b", 'Quotes " and <tags>'),
    (3, 1234),
    ("money", Decimal("1234.50")),
    ("day", datetime.date(2025, 6, 4)),
    ("safe", mark_safe("<b>bold</b>")),
    (
        "Grouped",
        [("g1", "First in group"), ("g2", "Second <in> group")],
    ),
    ("Empty group", []),
]


class DisablingDjangoSelect(forms.Select):
    """Django has no disabled choices; a subclass adds them through ``create_option``, which stays honoured."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if option["value"] == "draft":
            option["attrs"]["disabled"] = True
        return option


class DisablingSelect(FastSelect, DisablingDjangoSelect):
    pass


@pytest.mark.parametrize("value", [None, "", "draft", "a&b", 3, "g2", "missing"])
@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"class": "form-select form-select-sm", "id": "id_status"},
        {"required": True, "disabled": False, "data-x": 'a "b" <c>', "aria-describedby": "help"},
    ],
)
def test_fast_select_renders_what_django_select_renders(value: Any, attrs: dict[str, Any]) -> None:
    django_html = forms.Select(attrs={"title": "t"}, choices=CHOICES).render("status", value, attrs=attrs)
    fast_html = FastSelect(attrs={"title": "t"}, choices=CHOICES).render("status", value, attrs=attrs)
    assert fast_html == django_html


@pytest.mark.parametrize("value", [None, [], ["draft"], ["draft", "g1", "g2"], [3, "missing"]])
def test_fast_select_multiple_renders_what_django_select_multiple_renders(value: Any) -> None:
    django_html = forms.SelectMultiple(choices=CHOICES).render("kinds", value, attrs={"id": "id_kinds"})
    fast_html = FastSelectMultiple(choices=CHOICES).render("kinds", value, attrs={"id": "id_kinds"})
    assert '<select name="kinds" id="id_kinds" multiple>' in fast_html
    assert fast_html == django_html


def test_fast_select_keeps_disabled_options_from_a_subclass() -> None:
    django_html = DisablingDjangoSelect(choices=CHOICES).render("status", "draft")
    fast_html = DisablingSelect(choices=CHOICES).render("status", "draft")
    assert '<option value="draft" selected disabled>Draft</option>' in fast_html
    assert fast_html == django_html


@pytest.mark.django_db
def test_fast_select_renders_model_choices_as_django_does() -> None:
    OrganisationFactory.create_batch(3)
    field = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), empty_label="Any grantee")
    first = Organisation.objects.order_by("name").first()
    assert first is not None
    django_html = field.widget.render("grantee", first.pk, attrs={"id": "id_grantee"})
    field.widget = fast_select(field.widget)
    field.widget.choices = field.choices
    assert isinstance(field.widget, FastSelect)
    assert field.widget.render("grantee", first.pk, attrs={"id": "id_grantee"}) == django_html


def test_fast_select_swaps_only_plain_selects() -> None:
    select = forms.Select(attrs={"class": "form-select"}, choices=[("a", "A")])
    assert type(fast_select(select)) is FastSelect
    assert select.attrs == {"class": "form-select"}
    assert list(select.choices) == [("a", "A")]
    assert type(fast_select(forms.SelectMultiple())) is FastSelectMultiple
    radio = forms.RadioSelect()
    assert fast_select(radio) is radio and type(radio) is forms.RadioSelect
    text = forms.TextInput()
    assert type(fast_select(text)) is forms.TextInput


def test_fast_select_with_its_own_template_renders_through_it() -> None:
    class Custom(FastSelect):
        option_template_name = "django/forms/widgets/select_option.html"
        template_name = "django/forms/widgets/select.html"

    assert Custom(choices=CHOICES).render("s", "g1") == forms.Select(choices=CHOICES).render("s", "g1")


@pytest.mark.django_db
def test_flat_choice_fields_offer_what_model_choice_fields_offer(officer: Any, manager: Any) -> None:
    from grants.filters.common import (
        AwardNumberChoiceField,
        GranteeChoiceField,
        GranteeChoiceFilter,
        OfficerChoiceField,
        OfficerChoiceFilter,
    )
    from grants.models import Grant, User
    from reports.forms import ReportBuilderForm
    from tests.factories import GrantFactory, UserFactory

    OrganisationFactory(name="No acronym <&>", acronym="")
    OrganisationFactory(name="With", acronym="W&")
    UserFactory(username="nameless", first_name="", last_name="")
    UserFactory(username="half", first_name="Only", last_name="")
    GrantFactory(program_officer=officer, title="A <b>title</b>")
    GrantFactory(program_officer=officer)

    def options(field: forms.ModelChoiceField) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in field.choices]

    def stock(field: forms.ModelChoiceField) -> list[tuple[str, str]]:
        empty = [("", str(field.empty_label))] if field.empty_label is not None else []
        key = field.to_field_name or "pk"
        return empty + [(str(getattr(obj, key)), field.label_from_instance(obj)) for obj in field.queryset]

    users, organisations, grants = (
        User.objects.order_by("pk"),
        Organisation.objects.order_by("pk"),
        Grant.objects,
    )
    flat_fields: list[forms.ModelChoiceField] = [
        OfficerChoiceField(users, empty_label="Any"),
        GranteeChoiceField(organisations),
        AwardNumberChoiceField(grants, empty_label=None),
        OfficerChoiceFilter(queryset=users, null_label="None").field,
        GranteeChoiceFilter(queryset=organisations).field,
        *ReportBuilderForm(user=manager).fields.values(),
    ]
    checked = 0
    for field in flat_fields:
        if not isinstance(field, forms.ModelChoiceField):
            continue
        expected = stock(field)
        if getattr(field, "null_label", None) is not None:
            expected.insert(1, (field.null_value, field.null_label))
        assert options(field) == expected
        checked += 1
    assert checked == 8  # five above, and the builder's grants, themes and indicators
    # Labels as the models' own __str__ writes them.
    officers = dict(options(flat_fields[0])).values()
    assert "nameless" in officers and "Only" in officers
    assert {"No acronym <&>", "With (W&)"} <= set(dict(options(flat_fields[1])).values())
    assert len(options(flat_fields[2])) == 2
