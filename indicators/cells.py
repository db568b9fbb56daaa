"""Disaggregation cell keys: the one place that turns {category: option} into the stored string and back.

A cell key names one cell of an indicator's disaggregation table: ``"age=12-14;sex=female"`` is girls aged
12-14. Pairs are ``category_code=option_code``, joined by ``;`` and sorted by category code, so the same cell
always has the same key whatever order the categories were listed in. The empty string is the total.

Which cells an indicator has: the total plus the full cross product of its categories' options (sex x age band
gives 8 cells). No per-category margins are stored: every margin (all girls, all 12-14 year olds) is a sum of
cross-product cells, so storing it too would only add a second figure that could disagree with the first.
Codes are slugs (letters, digits, ``-`` and ``_``), so ``;`` and ``=`` never occur inside them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

TOTAL = ""
_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def make_key(selection: Mapping[str, str]) -> str:
    """{"sex": "female", "age": "12-14"} -> "age=12-14;sex=female"; {} -> "" (the total)."""
    for category, option in selection.items():
        if not _CODE.match(category) or not _CODE.match(option):
            raise ValueError(f"Not a category or option code: {category!r}={option!r}")
    return ";".join(f"{category}={selection[category]}" for category in sorted(selection))


def parse_key(key: str) -> dict[str, str]:
    """The inverse of make_key. Raises ValueError for anything make_key would not have produced."""
    if key == TOTAL:
        return {}
    selection: dict[str, str] = {}
    for pair in key.split(";"):
        category, sep, option = pair.partition("=")
        if not sep or not _CODE.match(category) or not _CODE.match(option) or category in selection:
            raise ValueError(f"Not a cell key: {key!r}")
        selection[category] = option
    if make_key(selection) != key:
        raise ValueError(f"Not a canonical cell key (categories must be sorted): {key!r}")
    return selection


def cell_keys(categories: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Every cell of an indicator: the total first, then the cross product of the categories' options.

    ``categories`` is [(category_code, [option_code, ...]), ...] in display order; the cells come out in that
    order (first category varying slowest), while each key itself is canonical.
    """
    keys = [TOTAL]
    if not categories:
        return keys
    codes = [code for code, _ in categories]
    for options in itertools.product(*(opts for _, opts in categories)):
        keys.append(make_key(dict(zip(codes, options, strict=True))))
    return keys


def cell_label(key: str, names: Mapping[tuple[str, str], str], *, total: str = "Total") -> str:
    """A readable label: "Female, 12-14". ``names`` maps (category_code, option_code) to the option's name."""
    if key == TOTAL:
        return total
    return ", ".join(names.get(pair, pair[1]) for pair in parse_key(key).items())


# Parts of a cell a user types into; also the suffix of form field names and error keys.
PARTS = ("value", "numerator", "denominator", "nothing_to_report", "comment", "explanation")


def field_name(project_indicator_id: int, cell_key: str, part: str = "value") -> str:
    """The form field name (and ValidationError key) of one part of one cell: "value-12-age=5-11;sex=male".

    Services key cell errors this way, so a data-entry form whose fields use these names gets each message
    next to its input from ``form.add_error(None, exc)``.
    """
    if part not in PARTS:
        raise ValueError(f"Not a cell part: {part!r}")
    return f"{part}-{project_indicator_id}-{cell_key or 'total'}"


def parse_field_name(name: str) -> tuple[int, str, str]:
    """The inverse of field_name: (project_indicator_id, cell_key, part). Raises ValueError otherwise."""
    part, _, rest = name.partition("-")
    pk, _, key = rest.partition("-")
    if part not in PARTS or not pk.isdigit() or not key:
        raise ValueError(f"Not a cell field name: {name!r}")
    cell_key = TOTAL if key == "total" else key
    parse_key(cell_key)
    return int(pk), cell_key, part
