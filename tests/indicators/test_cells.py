"""Cell keys: one canonical string per disaggregation cell, and back."""

import pytest

from indicators.cells import TOTAL, cell_keys, cell_label, field_name, make_key, parse_field_name, parse_key


def test_keys_are_sorted_by_category_whatever_the_input_order():
    assert make_key({"sex": "female", "age": "12-14"}) == "age=12-14;sex=female"
    assert make_key({"age": "12-14", "sex": "female"}) == "age=12-14;sex=female"
    assert make_key({}) == TOTAL == ""


@pytest.mark.parametrize("key", ["", "sex=male", "age=18-plus;migration=host;sex=female"])
def test_parse_is_the_inverse_of_make(key):
    assert make_key(parse_key(key)) == key


@pytest.mark.parametrize(
    "key",
    ["sex", "sex=", "=male", "sex=male;", "sex=male;sex=female", "sex=male;age=5-11", "sex=ma le", "a=b=c"],
)
def test_malformed_keys_are_refused(key):
    with pytest.raises(ValueError):
        parse_key(key)


@pytest.mark.parametrize("selection", [{"se;x": "male"}, {"sex": "ma=le"}, {"sex": ""}])
def test_codes_with_separators_cannot_make_a_key(selection):
    with pytest.raises(ValueError):
        make_key(selection)


def test_cells_are_the_total_then_the_cross_product_in_display_order():
    keys = cell_keys([("sex", ["female", "male"]), ("age", ["5-11", "12-14"])])
    assert keys == [
        "",
        "age=5-11;sex=female",
        "age=12-14;sex=female",
        "age=5-11;sex=male",
        "age=12-14;sex=male",
    ]
    assert cell_keys([]) == [""]
    assert len(cell_keys([("sex", ["f", "m"]), ("age", list("abcd")), ("migration", list("xyz"))])) == 1 + 24


def test_labels_use_option_names():
    names = {("sex", "female"): "Female", ("age", "12-14"): "12-14"}
    assert cell_label("age=12-14;sex=female", names) == "12-14, Female"
    assert cell_label("", names) == "Total"


@pytest.mark.parametrize(("pk", "key", "part"), [(12, "", "value"), (3, "age=5-11;sex=male", "numerator")])
def test_field_names_round_trip(pk, key, part):
    assert parse_field_name(field_name(pk, key, part)) == (pk, key, part)
    assert field_name(12, "", "value") == "value-12-total"


@pytest.mark.parametrize("name", ["value-x-total", "bogus-1-total", "value-1-", "value-1-sex"])
def test_bad_field_names_are_refused(name):
    with pytest.raises(ValueError):
        parse_field_name(name)
