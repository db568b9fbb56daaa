"""Reads for the indicators screens, one module per screen family. Each shapes its queries up front and
returns plain lists or dataclasses."""

from indicators.selectors.entry import (
    OTHER,
    EntryCell,
    EntryGroup,
    EntryIndicator,
    PeriodRow,
    ProjectReporting,
    project_reporting,
    submission_entry,
    submission_timeline,
)

__all__ = [
    "OTHER",
    "EntryCell",
    "EntryGroup",
    "EntryIndicator",
    "PeriodRow",
    "ProjectReporting",
    "project_reporting",
    "submission_entry",
    "submission_timeline",
]
