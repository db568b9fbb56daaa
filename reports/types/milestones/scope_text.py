"""What a report covers, in words: the lines under the title on the cover and at the top of the preview."""

from __future__ import annotations

from collections.abc import Iterable

from reports.scope import ReportScope

LISTED = 8  # beyond this many, a list of award numbers or countries is given as a count


def _listed(label: str, names: Iterable[str], noun: str) -> str:
    names = sorted(set(names))
    if len(names) <= LISTED:
        return f"{label}: {', '.join(names)}."
    return f"{label}: {len(names)} {noun}."


def scope_lines(
    scope: ReportScope, award_numbers: Iterable[str], countries: Iterable[str], *, dates: str = ""
) -> tuple[str, ...]:
    """``award_numbers`` and ``countries`` are those the report found in scope; ``dates`` says how the
    scope's period range applies to this report type (empty when no range was chosen)."""
    award_numbers, countries = list(award_numbers), list(countries)
    lines = []
    if award_numbers:
        lines.append(_listed("Grants", award_numbers, "grants"))
    if countries:
        lines.append(_listed("Countries", countries, "countries"))
    if scope.theme_ids:
        lines.append(f"Limited to grants under {len(scope.theme_ids)} selected theme(s).")
    if dates:
        lines.append(dates)
    lines.append(f"Figures as of {scope.today():%d %B %Y}.")
    return tuple(lines)


def range_text(scope: ReportScope, what: str) -> str:
    """``what`` due/reported "from ... to ..." in words, or "" when the scope has no period range."""
    if scope.period_from and scope.period_to:
        return f"{what} from {scope.period_from:%d %B %Y} to {scope.period_to:%d %B %Y}."
    if scope.period_from:
        return f"{what} from {scope.period_from:%d %B %Y} on."
    if scope.period_to:
        return f"{what} up to {scope.period_to:%d %B %Y}."
    return ""
