"""Validation of a submission's figures, on plain data: every bad-input case of the issue, and its message."""

from decimal import Decimal as D

import pytest

from indicators.calculations import Value
from indicators.validation import (
    CategorySpec,
    CellInput,
    IndicatorSpec,
    RuleSpec,
    parse_number,
    validate_submission,
)

SEX = CategorySpec("sex", "Sex", True, (("female", "Female"), ("male", "Male")))
AGE = CategorySpec("age", "Age band", True, (("5-11", "5-11"), ("12-14", "12-14")))
MIGRATION = CategorySpec("migration", "Migration status", False, (("migrant", "Migrant"), ("host", "Host")))
REACHED = IndicatorSpec(1, "E1", "Children reached", "count", "sum", (SEX,))
ENROLLED = IndicatorSpec(2, "E2", "Children enrolled", "count", "latest", (SEX, MIGRATION))
ATTENDING = IndicatorSpec(3, "E3", "Children attending", "percentage", "ratio", (SEX,))
MONEY = IndicatorSpec(4, "L5", "Seed capital", "money", "sum")
GRID = IndicatorSpec(5, "E9", "Children by sex and age", "count", "sum", (SEX, AGE))
F, M = "sex=female", "sex=male"


def messages(result, pk, cell="", part=None, warnings=False):
    issues = result.warnings if warnings else result.errors
    return [
        i.message
        for i in issues
        if i.project_indicator_id == pk and i.cell_key == cell and part in (None, i.part)
    ]


def check(entries, specs=(REACHED,), **kwargs):
    kwargs.setdefault("expenditure", "0")
    return validate_submission(specs, {k: CellInput(**v) for k, v in entries.items()}, **kwargs)


@pytest.mark.parametrize(
    ("raw", "number", "error"),
    [
        ("12", D(12), None),
        (" 12.50 ", D("12.50"), None),
        (".5", D("0.5"), None),
        (12, D(12), None),
        (D("3.25"), D("3.25"), None),
        (0.1, D("0.1"), None),
        ("", None, None),
        (None, None, None),
        ("   ", None, None),
        ("abc", None, "Enter a number, such as 120 or 12.5."),
        ("12a", None, "Enter a number, such as 120 or 12.5."),
        ("1e3", None, "Enter a number, such as 120 or 12.5."),
        ("NaN", None, "Enter a number, such as 120 or 12.5."),
        (float("inf"), None, "Enter a number, such as 120 or 12.5."),
        (True, None, "Enter a number, such as 120 or 12.5."),
        ([1], None, "Enter a number, such as 120 or 12.5."),
        ("1,500", None, "Use digits only, with a point for decimals (1500 or 12.5, not 1,500 or 12,5)."),
    ],
)
def test_parse_number(raw, number, error):
    assert parse_number(raw) == (number, error)


@pytest.mark.parametrize(
    ("value", "message", "stored"),
    [
        ("abc", "Enter a number, such as 120 or 12.5.", None),
        ("-3", "A count cannot be negative.", D(-3)),
        ("12.5", "A count is a whole number: enter 12 or 13, not 12.5.", D("12.5")),
        ("12.345", "A count is a whole number: enter 12 or 13, not 12.345.", None),
        ("1" * 17, "This number is too large.", None),
    ],
)
def test_bad_counts_are_refused_with_a_message_at_the_cell(value, message, stored):
    result = check({(1, ""): {"value": value}})
    assert messages(result, 1, "", "value") == [message]
    assert result.numbers[(1, "")].value == stored


def test_money_allows_cents_but_not_fractions_of_a_cent():
    result = check({(4, ""): {"value": "1500.25"}}, specs=(MONEY,))
    assert result.is_valid and result.numbers[(4, "")].value == D("1500.25")
    result = check({(4, ""): {"value": "1500.255"}}, specs=(MONEY,))
    assert messages(result, 4) == ["Use at most 2 decimal places (cents)."]
    assert result.numbers[(4, "")].value is None
    assert messages(check({(4, ""): {"value": "-1"}}, specs=(MONEY,)), 4) == [
        "The amount cannot be negative."
    ]


@pytest.mark.parametrize(
    ("numerator", "denominator", "part", "message"),
    [
        ("12", "10", "numerator", "The numerator (12) cannot be larger than the denominator (10)."),
        ("12", "", "denominator", "Enter the denominator too: a percentage needs both."),
        ("", "10", "numerator", "Enter the numerator too: a percentage needs both."),
        (
            "0",
            "0",
            "denominator",
            "The denominator cannot be 0; tick “nothing to report” if no one was counted.",
        ),
        ("-1", "10", "numerator", "The numerator cannot be negative."),
        ("2.5", "10", "numerator", "The numerator is a whole number: enter 2 or 3, not 2.5."),
    ],
)
def test_bad_percentages_are_refused(numerator, denominator, part, message):
    result = check({(3, ""): {"numerator": numerator, "denominator": denominator}}, specs=(ATTENDING,))
    assert message in messages(result, 3, "", part)


def test_a_percentage_is_not_a_single_value_and_a_count_has_no_denominator():
    result = check(
        {(3, ""): {"value": "80"}, (1, ""): {"denominator": "5", "value": "5"}}, specs=(ATTENDING, REACHED)
    )
    assert messages(result, 3, "", "value") == [
        "This indicator is reported as a numerator and a denominator."
    ]
    assert messages(result, 1, "", "denominator") == [
        "This indicator is reported as a single value, not a numerator and denominator."
    ]


def test_nothing_to_report_excludes_a_figure():
    result = check({(1, ""): {"value": "4", "nothing_to_report": True}})
    assert messages(result, 1) == [
        "“Nothing to report” is ticked and a figure is entered: keep one or the other."
    ]
    assert check({(1, ""): {"nothing_to_report": True}}, complete=True).is_valid


def test_complete_cells_must_add_up_to_the_total():
    result = check({(1, ""): {"value": "10"}, (1, F): {"value": "4"}, (1, M): {"value": "5"}})
    assert messages(result, 1, "", "value") == [
        "The groups' figures add up to 9, but the total is 10: every sex group must be counted."
    ]
    assert check({(1, ""): {"value": "10"}, (1, F): {"value": "4"}, (1, M): {"value": "6"}}).is_valid


def test_cells_above_the_total_are_an_error_even_while_some_are_still_missing():
    result = check({(1, ""): {"value": "10"}, (1, F): {"value": "11"}})
    assert messages(result, 1, "") == ["The groups' figures add up to 11, more than the total of 10."]
    # Below the total with a cell still empty: nothing to say yet in a draft.
    assert check({(1, ""): {"value": "10"}, (1, F): {"value": "4"}}).is_valid


def test_incomplete_categories_may_add_up_to_less_but_not_more():
    cells = {
        (2, f"migration={m};sex={s}"): {"value": "2"} for m in ("migrant", "host") for s in ("female", "male")
    }
    assert check({(2, ""): {"value": "10"}, **cells}, specs=(ENROLLED,), complete=True).is_valid
    result = check({(2, ""): {"value": "7"}, **cells}, specs=(ENROLLED,))
    assert messages(result, 2, "") == ["The groups' figures add up to 8, more than the total of 7."]


def test_percentage_cells_add_up_by_numerator_and_denominator():
    entries = {
        (3, ""): {"numerator": "10", "denominator": "20"},
        (3, F): {"numerator": "5", "denominator": "8"},
        (3, M): {"numerator": "5", "denominator": "10"},
    }
    result = check(entries, specs=(ATTENDING,))
    assert messages(result, 3, "", "denominator") == [
        "The groups' denominators add up to 18, but the total is 20: every sex group must be counted."
    ]
    assert messages(result, 3, "", "numerator") == []


def test_cross_product_cells_add_up_to_the_total():
    cells = {(5, f"age={a};sex={s}"): {"value": "1"} for a in ("5-11", "12-14") for s in ("female", "male")}
    assert check({(5, ""): {"value": "4"}, **cells}, specs=(GRID,), complete=True).is_valid
    result = check({(5, ""): {"value": "5"}, **cells}, specs=(GRID,))
    assert messages(result, 5, "") == [
        "The groups' figures add up to 4, but the total is 5: every sex, age band group must be counted."
    ]


def test_submitting_needs_every_total_and_every_cell_under_a_figure():
    result = check(
        {(1, ""): {"value": "10"}, (1, F): {"value": "10"}},
        specs=(REACHED, MONEY),
        complete=True,
        expenditure=None,
    )
    assert messages(result, 1, M) == ["Enter a figure for Male (0 if none), or tick “nothing to report”."]
    assert messages(result, 4, "") == ["Enter a figure, or tick “nothing to report”."]
    assert [i.message for i in result.errors if i.part == "cumulative_expenditure"] == [
        "Enter the cumulative expenditure to date."
    ]
    # A draft is allowed to be incomplete.
    assert check({(1, ""): {"value": "10"}}, specs=(REACHED, MONEY)).is_valid


def test_a_total_with_nothing_to_report_cannot_have_figures_in_its_groups():
    result = check({(1, ""): {"nothing_to_report": True}, (1, F): {"value": "3"}})
    assert messages(result, 1, F) == ["The total says “nothing to report”, but this group has a figure."]


def test_cross_indicator_rule():
    specs = (REACHED, ENROLLED)
    rule = RuleSpec(left_id=2, operator="lte", right_id=1)
    result = check({(1, ""): {"value": "100"}, (2, ""): {"value": "120"}}, specs=specs, rules=[rule])
    assert messages(result, 2, "") == ["E2 (120) must be at most E1 children reached (100)."]
    assert check({(1, ""): {"value": "100"}, (2, ""): {"value": "100"}}, specs=specs, rules=[rule]).is_valid
    # Nothing to compare with: no message.
    assert check({(2, ""): {"value": "120"}}, specs=specs, rules=[rule]).is_valid
    eq = RuleSpec(left_id=2, operator="gte", right_id=1)
    assert messages(
        check({(1, ""): {"value": "5"}, (2, ""): {"value": "4"}}, specs=specs, rules=[eq]), 2
    ) == ["E2 (4) must be at least E1 children reached (5)."]


def test_a_large_change_from_the_previous_period_is_a_warning_that_needs_an_explanation_to_submit():
    previous = {(4, ""): Value(value=D(100))}
    entries = {(4, ""): {"value": "151"}}
    draft = check(entries, specs=(MONEY,), previous=previous, expenditure="0")
    assert draft.is_valid
    assert messages(draft, 4, warnings=True) == [
        "This is up 51% on the previous period (100 to 151); explain why."
    ]
    final = check(entries, specs=(MONEY,), previous=previous, expenditure="0", complete=True)
    assert messages(final, 4, "", "explanation") == ["Explain the change before submitting."]
    explained = {(4, ""): {"value": "151", "explanation": "Second savings cycle paid out."}}
    assert check(explained, specs=(MONEY,), previous=previous, expenditure="0", complete=True).is_valid
    # Within the threshold, or with a custom threshold: no warning.
    assert not check({(4, ""): {"value": "150"}}, specs=(MONEY,), previous=previous).warnings
    assert not check(entries, specs=(MONEY,), previous=previous, change_threshold=D("0.6")).warnings
    down = check({(4, ""): {"value": "40"}}, specs=(MONEY,), previous=previous)
    assert messages(down, 4, warnings=True) == [
        "This is down 60% on the previous period (100 to 40); explain why."
    ]


def test_percentage_change_compares_percentages():
    previous = {(3, ""): Value(numerator=D(40), denominator=D(100))}
    result = check({(3, ""): {"numerator": "7", "denominator": "10"}}, specs=(ATTENDING,), previous=previous)
    assert messages(result, 3, warnings=True) == [
        "This is up 75% on the previous period (40% to 70%); explain why."
    ]


def test_expenditure_is_checked():
    assert [i.message for i in check({}, expenditure="-5").errors] == ["The amount cannot be negative."]
    result = check({}, expenditure="12,000")
    assert result.errors[0].key == "cumulative_expenditure" and result.expenditure is None
    assert check({}, expenditure="12000.50").expenditure == D("12000.50")


def test_unknown_cells_are_a_programming_error_not_a_message():
    with pytest.raises(ValueError):
        check({(1, "sex=other"): {"value": "1"}})
    with pytest.raises(ValueError):
        check({(99, ""): {"value": "1"}})


def test_as_error_keys_messages_by_form_field():
    result = check({(1, ""): {"value": "-1"}}, expenditure="x")
    error = result.as_error("Fix these")
    assert error.message_dict == {
        "__all__": ["Fix these"],
        "value-1-total": ["A count cannot be negative."],
        "cumulative_expenditure": ["Enter a number, such as 120 or 12.5."],
    }


def test_cell_input_accepts_mappings_and_refuses_unknown_parts():
    assert CellInput.coerce({"value": "3"}) == CellInput(value="3")
    with pytest.raises(TypeError):
        CellInput.coerce({"valeu": "3"})
    assert CellInput(value=" ").is_blank and not CellInput(comment="x").is_blank
