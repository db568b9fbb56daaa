"""Checks on a submission's figures. Pure functions over plain data: no ORM, no request.

Services describe the project's indicators, the cells entered, the previous period's approved values and the
officer's cross-indicator rules as the dataclasses below; ``validate_submission`` returns every error and warning
keyed by (project indicator id, cell key), each with the part of the cell to blame and a message a person can
act on, plus the numbers that may be stored (see ``ValidationResult.numbers``).

Rules (the outcome indicators issue, item 6):
- each figure is a number; non-negative; counts, numerators and denominators are whole; money has cents at most;
- a percentage has both numerator and denominator, a denominator above zero, and numerator <= denominator;
- "nothing to report" is a stated value and excludes figures in the same cell;
- where all of an indicator's categories are complete, the cells add up to the total; otherwise they add up
  to at most the total (people outside every option are in no cell);
- declared cross-indicator rules between totals (e.g. children enrolled <= children reached);
- a *warning*, not an error, when a total moves more than ``change_threshold`` (a share) from the previous
  period; when submitting, the warning needs an explanation;
- when submitting (``complete=True``), every total is stated (a value or "nothing to report") and, where a total
  has figures, every disaggregation cell too.
Change warnings apply to totals only: disaggregated cells hold small numbers where large swings are routine,
and they are tied to the total by the sum check.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError

from indicators.calculations import Aggregation, Value, cells_total_gap, change_share
from indicators.cells import TOTAL, cell_keys, cell_label, field_name

COUNT, PERCENTAGE, MONEY = "count", "percentage", "money"
CENT = Decimal("0.01")
# The stored columns hold 16 digits before the point.
LIMIT = Decimal(10) ** 16
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
NOT_A_NUMBER = "Enter a number, such as 120 or 12.5."
OPERATORS = {"lte": ("at most", "<="), "gte": ("at least", ">="), "eq": ("equal to", "=")}

CellRef = tuple[int, str]


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    complete: bool
    options: tuple[tuple[str, str], ...]  # (code, name) in display order


@dataclass(frozen=True)
class IndicatorSpec:
    """What validation needs to know about one project indicator."""

    id: int
    code: str
    name: str
    measure_type: str
    aggregation: str
    categories: tuple[CategorySpec, ...] = ()

    # Cached: uploads and validation ask for them once per cell, and the cross product is not free.
    # (cached_property writes the instance's __dict__ directly, so it works on a frozen dataclass.)
    @cached_property
    def cell_keys(self) -> list[str]:
        return cell_keys([(c.code, [code for code, _ in c.options]) for c in self.categories])

    @cached_property
    def cell_key_set(self) -> frozenset[str]:
        return frozenset(self.cell_keys)

    @property
    def all_complete(self) -> bool:
        return all(c.complete for c in self.categories)

    @cached_property
    def _option_names(self) -> dict[tuple[str, str], str]:
        return {(c.code, code): name for c in self.categories for code, name in c.options}

    def label(self, cell_key: str) -> str:
        return cell_label(cell_key, self._option_names)


@dataclass(frozen=True)
class CellInput:
    """What was typed into one cell. Figures may be text (a form), int/Decimal/float (a spreadsheet) or None."""

    value: object = None
    numerator: object = None
    denominator: object = None
    nothing_to_report: bool = False
    comment: str = ""
    explanation: str = ""

    @classmethod
    def coerce(cls, raw: CellInput | Mapping[str, object]) -> CellInput:
        if isinstance(raw, CellInput):
            return raw
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"Unknown cell parts: {sorted(unknown)}")
        return cls(**raw)  # type: ignore[arg-type]

    @property
    def figures(self) -> tuple[object, object, object]:
        return (self.value, self.numerator, self.denominator)

    @cached_property
    def is_blank(self) -> bool:
        """Nothing typed at all: the cell is missing (and a stored one is removed). Cached: asked by
        validation, by the upload's comparison and by its writer for every cell."""
        return (
            all(_blank(f) for f in self.figures)
            and not self.nothing_to_report
            and not str(self.comment).strip()
            and not str(self.explanation).strip()
        )


@dataclass(frozen=True)
class RuleSpec:
    left_id: int
    operator: str  # lte, gte, eq
    right_id: int


@dataclass(frozen=True)
class Issue:
    project_indicator_id: int | None  # None: about the submission as a whole
    cell_key: str
    part: str  # value, numerator, denominator, nothing_to_report, explanation, or a submission field
    message: str

    @property
    def key(self) -> str:
        if self.project_indicator_id is None:
            return self.part
        return field_name(self.project_indicator_id, self.cell_key, self.part)


@dataclass
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # The figures that may be stored for each cell: numbers that parsed and fit the columns, None otherwise.
    numbers: dict[CellRef, Value] = field(default_factory=dict)
    expenditure: Decimal | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def errors_by_cell(self) -> dict[CellRef, list[Issue]]:
        return _by_cell(self.errors)

    def warnings_by_cell(self) -> dict[CellRef, list[Issue]]:
        return _by_cell(self.warnings)

    def as_error(self, summary: str) -> ValidationError:
        """A ValidationError keyed by form field name (see cells.field_name), with ``summary`` on top."""
        messages: dict[str, list[str]] = defaultdict(list)
        messages["__all__"].append(summary)
        for issue in self.errors:
            messages[issue.key].append(issue.message)
        return ValidationError(dict(messages))


def _by_cell(issues: Iterable[Issue]) -> dict[CellRef, list[Issue]]:
    grouped: dict[CellRef, list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.project_indicator_id is not None:
            grouped[(issue.project_indicator_id, issue.cell_key)].append(issue)
    return dict(grouped)


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_number(raw: object) -> tuple[Decimal | None, str | None]:
    """(number, None) for a number; (None, None) for blank; (None, message) for anything else.

    Commas are refused rather than guessed at: "1,500" is fifteen hundred in Guatemala City and one and a half
    in Bogotá.
    """
    if _blank(raw):
        return None, None
    if isinstance(raw, bool):
        return None, NOT_A_NUMBER
    if isinstance(raw, int):
        return Decimal(raw), None
    if isinstance(raw, float):
        # Spreadsheet cells arrive as floats; repr gives the shortest text that round-trips (0.1, not 0.1000...1).
        return (Decimal(repr(raw)), None) if math.isfinite(raw) else (None, NOT_A_NUMBER)
    if isinstance(raw, Decimal):
        return (raw, None) if raw.is_finite() else (None, NOT_A_NUMBER)
    if not isinstance(raw, str):
        return None, NOT_A_NUMBER
    text = raw.strip()
    if "," in text:
        return None, "Use digits only, with a point for decimals (1500 or 12.5, not 1,500 or 12,5)."
    if not _NUMBER.match(text):
        return None, NOT_A_NUMBER
    try:
        return Decimal(text), None
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None, NOT_A_NUMBER


def fits(number: Decimal) -> bool:
    """Whether a number can be stored as is: at most two decimals and 16 digits before the point."""
    return abs(number) < LIMIT and number == number.quantize(CENT)


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():,f}"


def _check_figure(
    raw: object, *, whole: bool, what: str
) -> tuple[Decimal | None, Decimal | None, str | None]:
    """(number for the rules, number to store, error) for one typed figure."""
    number, error = parse_number(raw)
    if number is None:
        return None, None, error
    storable = number if fits(number) else None
    if abs(number) >= LIMIT:
        return None, None, "This number is too large."
    if number < 0:
        return number, storable, f"{what} cannot be negative."
    if whole and number != number.to_integral_value():
        low = int(number)
        return number, storable, f"{what} is a whole number: enter {low} or {low + 1}, not {_fmt(number)}."
    if storable is None:
        return number, None, "Use at most 2 decimal places (cents)."
    return number, storable, None


def check_amount(raw: object) -> tuple[Decimal | None, str | None]:
    """A USD amount: (number to store, error)."""
    _, stored, error = _check_figure(raw, whole=False, what="The amount")
    return (stored if error is None else None), error


def _check_cell(spec: IndicatorSpec, cell_key: str, entry: CellInput, result: ValidationResult) -> Value:
    """Type and range checks on one cell; records issues and storable numbers, returns the figures to use."""
    ref = (spec.id, cell_key)

    def error(part: str, message: str) -> None:
        result.errors.append(Issue(spec.id, cell_key, part, message))

    numbers: dict[str, Decimal | None] = {}
    stored: dict[str, Decimal | None] = {}
    percentage = spec.measure_type == PERCENTAGE
    used = ("numerator", "denominator") if percentage else ("value",)
    names = {"value": "The value", "numerator": "The numerator", "denominator": "The denominator"}
    for part in ("value", "numerator", "denominator"):
        raw = getattr(entry, part)
        if part not in used:
            if not _blank(raw):
                error(
                    part,
                    "This indicator is reported as a numerator and a denominator."
                    if percentage
                    else "This indicator is reported as a single value, not a numerator and denominator.",
                )
            continue
        whole = percentage or spec.measure_type == COUNT
        what = names[part] if percentage else ("A count" if whole else "The amount")
        numbers[part], stored[part], message = _check_figure(raw, whole=whole, what=what)
        if message:
            error(part, message)
    result.numbers[ref] = Value(
        value=stored.get("value"),
        numerator=stored.get("numerator"),
        denominator=stored.get("denominator"),
        nothing_to_report=entry.nothing_to_report,
    )
    typed = any(not _blank(getattr(entry, part)) for part in used)
    if entry.nothing_to_report and typed:
        error(used[0], "“Nothing to report” is ticked and a figure is entered: keep one or the other.")
    if percentage:
        num, den = numbers.get("numerator"), numbers.get("denominator")
        if _blank(entry.numerator) != _blank(entry.denominator):
            missing = "numerator" if _blank(entry.numerator) else "denominator"
            error(missing, f"Enter the {missing} too: a percentage needs both.")
        if den is not None and den == 0:
            error(
                "denominator", "The denominator cannot be 0; tick “nothing to report” if no one was counted."
            )
        elif num is not None and den is not None and 0 <= den < num:
            error(
                "numerator",
                f"The numerator ({_fmt(num)}) cannot be larger than the denominator ({_fmt(den)}).",
            )
    return Value(
        value=numbers.get("value"),
        numerator=numbers.get("numerator"),
        denominator=numbers.get("denominator"),
        nothing_to_report=entry.nothing_to_report,
    )


def _check_sums(
    spec: IndicatorSpec, values: dict[str, Value], result: ValidationResult, complete: bool
) -> None:
    total = values.get(TOTAL)
    cells = [key for key in spec.cell_keys if key != TOTAL]
    if not cells or total is None or total.is_missing:
        return
    stated = {key: values[key] for key in cells if key in values and not values[key].is_missing}
    if total.nothing_to_report:
        for key, value in stated.items():
            if not value.nothing_to_report:
                result.errors.append(
                    Issue(
                        spec.id,
                        key,
                        "value" if spec.measure_type != PERCENTAGE else "numerator",
                        "The total says “nothing to report”, but this group has a figure.",
                    )
                )
        return
    if complete:
        for key in cells:
            if key not in stated:
                result.errors.append(
                    Issue(
                        spec.id,
                        key,
                        "value" if spec.measure_type != PERCENTAGE else "numerator",
                        f"Enter a figure for {spec.label(key)} (0 if none), or tick “nothing to report”.",
                    )
                )
    all_stated = len(stated) == len(cells)
    parts = ("numerator", "denominator") if spec.measure_type == PERCENTAGE else ("value",)
    for part in parts:
        total_part = getattr(total, part)
        # A group marked "nothing to report" counts as zero under a total that has figures.
        cell_parts = [Decimal(0) if v.nothing_to_report else getattr(v, part) for v in stated.values()]
        if any(p is None for p in cell_parts):
            continue  # a cell's figure is itself wrong; that cell already has its message
        gap = cells_total_gap(total_part, cell_parts)
        if gap is None:
            continue
        cell_sum = total_part - gap
        label = "" if part == "value" else f" {part}s"
        if gap < 0:
            result.errors.append(
                Issue(
                    spec.id,
                    TOTAL,
                    part,
                    f"The groups' {label.strip() or 'figures'} add up to {_fmt(cell_sum)}, more than the total "
                    f"of {_fmt(total_part)}.",
                )
            )
        elif gap > 0 and spec.all_complete and all_stated:
            result.errors.append(
                Issue(
                    spec.id,
                    TOTAL,
                    part,
                    f"The groups' {label.strip() or 'figures'} add up to {_fmt(cell_sum)}, but the total is "
                    f"{_fmt(total_part)}: every {', '.join(c.name.lower() for c in spec.categories)} "
                    "group must be counted.",
                )
            )


def _scalar(spec: IndicatorSpec, value: Value | None) -> Decimal | None:
    if value is None or value.is_missing or value.nothing_to_report:
        return None
    return value.scalar(Aggregation(spec.aggregation))


def validate_submission(
    specs: Iterable[IndicatorSpec],
    entries: Mapping[CellRef, CellInput],
    *,
    previous: Mapping[CellRef, Value] | None = None,
    rules: Iterable[RuleSpec] = (),
    change_threshold: Decimal = Decimal("0.5"),
    complete: bool = False,
    expenditure: object = None,
) -> ValidationResult:
    """Check every entered cell. ``complete=True`` is the check before submitting: missing figures are errors
    and every warning needs an explanation. Entries for unknown indicators or cells raise ValueError: that is
    a programming or tampering error, not a typing one."""
    result = ValidationResult()
    specs_by_id = {spec.id: spec for spec in specs}
    previous = previous or {}
    checked: dict[int, dict[str, Value]] = {pk: {} for pk in specs_by_id}
    for (pk, cell_key), entry in entries.items():
        spec = specs_by_id.get(pk)
        if spec is None or cell_key not in spec.cell_key_set:
            raise ValueError(f"No cell {cell_key!r} for project indicator {pk}.")
        if not entry.is_blank:
            checked[pk][cell_key] = _check_cell(spec, cell_key, entry, result)
    for pk, spec in specs_by_id.items():
        values = checked[pk]
        total = values.get(TOTAL)
        if complete and (total is None or total.is_missing):
            part = "numerator" if spec.measure_type == PERCENTAGE else "value"
            result.errors.append(Issue(pk, TOTAL, part, "Enter a figure, or tick “nothing to report”."))
        _check_sums(spec, values, result, complete)
        _check_change(
            spec,
            total,
            previous.get((pk, TOTAL)),
            entries.get((pk, TOTAL)),
            result,
            change_threshold,
            complete,
        )
    for rule in rules:
        _check_rule(rule, specs_by_id, checked, result)
    amount, error = check_amount(expenditure)
    result.expenditure = amount
    if error:
        result.errors.append(Issue(None, "", "cumulative_expenditure", error))
    elif complete and amount is None:
        result.errors.append(
            Issue(None, "", "cumulative_expenditure", "Enter the cumulative expenditure to date.")
        )
    return result


def _check_change(
    spec: IndicatorSpec,
    total: Value | None,
    before: Value | None,
    entry: CellInput | None,
    result: ValidationResult,
    threshold: Decimal,
    complete: bool,
) -> None:
    now, then = _scalar(spec, total), _scalar(spec, before)
    share = change_share(then, now)
    if share is None or share <= threshold:
        return
    unit = "%" if spec.measure_type == PERCENTAGE else ""
    way = "up" if now > then else "down"
    message = (
        f"This is {way} {_fmt((share * 100).quantize(Decimal('1')))}% on the previous period "
        f"({_fmt(then)}{unit} to {_fmt(now)}{unit}); explain why."
    )
    result.warnings.append(Issue(spec.id, TOTAL, "explanation", message))
    if complete and (entry is None or not str(entry.explanation).strip()):
        result.errors.append(Issue(spec.id, TOTAL, "explanation", "Explain the change before submitting."))


def _check_rule(
    rule: RuleSpec,
    specs: Mapping[int, IndicatorSpec],
    checked: Mapping[int, dict[str, Value]],
    result: ValidationResult,
) -> None:
    left, right = specs.get(rule.left_id), specs.get(rule.right_id)
    if left is None or right is None:
        return
    # "Nothing to report" is skipped: for a stock it means no new measurement, not zero.
    a, b = _scalar(left, checked[left.id].get(TOTAL)), _scalar(right, checked[right.id].get(TOTAL))
    if a is None or b is None:
        return
    holds = {"lte": a <= b, "gte": a >= b, "eq": a == b}[rule.operator]
    if holds:
        return
    words = OPERATORS[rule.operator][0]
    unit = "%" if left.measure_type == PERCENTAGE else ""
    part = "numerator" if left.measure_type == PERCENTAGE else "value"
    result.errors.append(
        Issue(
            left.id,
            TOTAL,
            part,
            f"{left.code} ({_fmt(a)}{unit}) must be {words} {right.code} {right.name.lower()} ({_fmt(b)}{unit}).",
        )
    )
