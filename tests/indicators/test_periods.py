"""The reporting-period generator, table-driven; each expected period worked out by hand."""

import datetime
import itertools

import pytest

from indicators.periods import fiscal_periods


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "end", "frequency", "expected"),
    [
        # A grant on fiscal boundaries: whole half-years only.
        (
            "2024-10-01",
            "2025-09-30",
            "semiannual",
            [
                ("FY2025 H1 (Oct 2024 - Mar 2025)", "2024-10-01", "2025-03-31", "2025-04-30", False),
                ("FY2025 H2 (Apr - Sep 2025)", "2025-04-01", "2025-09-30", "2025-10-30", False),
            ],
        ),
        # Partial first and last periods keep their fiscal name and say so.
        (
            "2024-01-15",
            "2025-11-30",
            "semiannual",
            [
                (
                    "FY2024 H1 (15 Jan 2024 - 31 Mar 2024, partial)",
                    "2024-01-15",
                    "2024-03-31",
                    "2024-04-30",
                    True,
                ),
                ("FY2024 H2 (Apr - Sep 2024)", "2024-04-01", "2024-09-30", "2024-10-30", False),
                ("FY2025 H1 (Oct 2024 - Mar 2025)", "2024-10-01", "2025-03-31", "2025-04-30", False),
                ("FY2025 H2 (Apr - Sep 2025)", "2025-04-01", "2025-09-30", "2025-10-30", False),
                (
                    "FY2026 H1 (1 Oct 2025 - 30 Nov 2025, partial)",
                    "2025-10-01",
                    "2025-11-30",
                    "2025-12-30",
                    True,
                ),
            ],
        ),
        # Quarters; the first quarter of the fiscal year spans the calendar year's end.
        (
            "2024-11-01",
            "2025-06-30",
            "quarterly",
            [
                (
                    "FY2025 Q1 (1 Nov 2024 - 31 Dec 2024, partial)",
                    "2024-11-01",
                    "2024-12-31",
                    "2025-01-30",
                    True,
                ),
                ("FY2025 Q2 (Jan - Mar 2025)", "2025-01-01", "2025-03-31", "2025-04-30", False),
                ("FY2025 Q3 (Apr - Jun 2025)", "2025-04-01", "2025-06-30", "2025-07-30", False),
            ],
        ),
        (
            "2024-07-01",
            "2024-12-31",
            "quarterly",
            [
                ("FY2024 Q4 (Jul - Sep 2024)", "2024-07-01", "2024-09-30", "2024-10-30", False),
                ("FY2025 Q1 (Oct - Dec 2024)", "2024-10-01", "2024-12-31", "2025-01-30", False),
            ],
        ),
        # Annual: fiscal years, clipped at both ends.
        (
            "2023-03-01",
            "2025-05-31",
            "annual",
            [
                (
                    "FY2023 (1 Mar 2023 - 30 Sep 2023, partial)",
                    "2023-03-01",
                    "2023-09-30",
                    "2023-10-30",
                    True,
                ),
                ("FY2024 (Oct 2023 - Sep 2024)", "2023-10-01", "2024-09-30", "2024-10-30", False),
                (
                    "FY2025 (1 Oct 2024 - 31 May 2025, partial)",
                    "2024-10-01",
                    "2025-05-31",
                    "2025-06-30",
                    True,
                ),
            ],
        ),
        # Leap years: a grant ending on 29 February; a period ending 31 January is due on 2 March in a leap year.
        (
            "2023-10-01",
            "2024-02-29",
            "semiannual",
            [
                (
                    "FY2024 H1 (1 Oct 2023 - 29 Feb 2024, partial)",
                    "2023-10-01",
                    "2024-02-29",
                    "2024-03-30",
                    True,
                )
            ],
        ),
        (
            "2024-01-01",
            "2024-01-31",
            "quarterly",
            [
                (
                    "FY2024 Q2 (1 Jan 2024 - 31 Jan 2024, partial)",
                    "2024-01-01",
                    "2024-01-31",
                    "2024-03-01",
                    True,
                )
            ],
        ),
        (
            "2025-01-01",
            "2025-01-31",
            "quarterly",
            [
                (
                    "FY2025 Q2 (1 Jan 2025 - 31 Jan 2025, partial)",
                    "2025-01-01",
                    "2025-01-31",
                    "2025-03-02",
                    True,
                )
            ],
        ),
        # A one-day grant is one partial period.
        (
            "2025-04-01",
            "2025-04-01",
            "semiannual",
            [
                (
                    "FY2025 H2 (1 Apr 2025 - 1 Apr 2025, partial)",
                    "2025-04-01",
                    "2025-04-01",
                    "2025-05-01",
                    True,
                )
            ],
        ),
    ],
)
def test_fiscal_periods(start, end, frequency, expected):
    periods = fiscal_periods(d(start), d(end), frequency)
    assert [(p.label, p.start, p.end, p.due, p.is_partial) for p in periods] == [
        (label, d(s), d(e), d(due), partial) for label, s, e, due, partial in expected
    ]


@pytest.mark.parametrize("frequency", ["semiannual", "quarterly", "annual"])
def test_periods_tile_the_grant_without_gaps_or_overlaps(frequency):
    start, end = d("2023-02-17"), d("2029-08-03")
    periods = fiscal_periods(start, end, frequency)
    assert periods[0].start == start and periods[-1].end == end
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + datetime.timedelta(days=1)
    months = {"semiannual": 6, "quarterly": 3, "annual": 12}[frequency]
    assert all(p.start.month in range(1, 13) for p in periods)
    assert all((p.start.month - 10) % months == 0 for p in periods[1:])


def test_due_after_days_is_configurable():
    (period,) = fiscal_periods(d("2024-10-01"), d("2025-03-31"), "semiannual", due_after_days=90)
    assert period.due == d("2025-06-29")


@pytest.mark.parametrize(
    ("start", "end", "frequency", "message"),
    [
        ("2025-01-01", "2024-12-31", "semiannual", "ends before it starts"),
        ("2024-01-01", "2024-12-31", "monthly", "Unknown reporting frequency"),
    ],
)
def test_bad_input_is_refused(start, end, frequency, message):
    with pytest.raises(ValueError, match=message):
        fiscal_periods(d(start), d(end), frequency)
