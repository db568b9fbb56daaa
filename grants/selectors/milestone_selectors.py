"""Reads for the milestone screens: the portfolio list, its export and one milestone's page.

Each selector shapes its queryset up front (every foreign key shown is joined, every collection fetched in
one query), so the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from grants.access import can_change_grant, get_milestone_for_user, milestones_visible_to
from grants.models import (
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    MilestoneStatusChange,
    User,
)
from portfolio.exports import Column

# Everything the list, the export and the detail page show about a milestone's grant and project.
_RELATED = (
    "country_project__grant__grantee",
    "country_project__grant__program_officer",
)

# The fields whose edits the history section lists, in the order they are shown.
_HISTORY_FIELDS = ("title", "category", "due_date", "status", "completed_on", "notes")


def milestone_list(*, user: User) -> QuerySet[Milestone]:
    """The milestones the user may see, with their project, grant, grantee and officer joined."""
    return milestones_visible_to(user).select_related(*_RELATED).order_by("due_date", "pk")


def days_overdue(milestone: Milestone, today: datetime.date) -> int:
    """Days past the due date for an open milestone; 0 when it is not late or no longer open."""
    if milestone.is_overdue(today):
        return (today - milestone.due_date).days
    return 0


# --- export -------------------------------------------------------------------------------------------------

EXPORT_COLUMNS: Sequence[Column] = (
    Column("Due date", "yyyy-mm-dd", 12),
    Column("Title", width=40),
    Column("Category", width=24),
    Column("Status", width=12),
    Column("Award number", width=20),
    Column("Grant title", width=40),
    Column("Country", width=18),
    Column("Grantee", width=30),
    Column("Program officer", width=22),
    Column("Completed on", "yyyy-mm-dd", 12),
    Column("Days overdue", "0", 10),
)


def milestone_export_rows(queryset: QuerySet[Milestone], today: datetime.date) -> Iterator[list[Any]]:
    """One row per milestone of an already scoped and filtered queryset, joined so it reads in one query."""
    for m in queryset.select_related(*_RELATED).iterator(chunk_size=2000):
        grant = m.country_project.grant
        yield [
            m.due_date,
            m.title,
            m.get_category_display(),
            m.get_status_display(),
            grant.award_number,
            grant.title,
            m.country_project.country.name,
            grant.grantee.name,
            str(grant.program_officer),
            m.completed_on,
            days_overdue(m, today),
        ]


# --- detail -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: str
    kind: str  # "created", "changed" or "deleted"
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Transition:
    to_status: str
    verb: str
    note_required: bool
    asks_date: bool


# Button words for each target status; reopening reads differently from moving forward.
_VERBS = {
    MilestoneStatus.PLANNED: "Reopen as planned",
    MilestoneStatus.IN_PROGRESS: "Mark in progress",
    MilestoneStatus.DELAYED: "Mark delayed",
    MilestoneStatus.COMPLETED: "Complete",
    MilestoneStatus.CANCELLED: "Cancel milestone",
}
# Mirrors grants.services.milestone_transition, which enforces it; here it only marks the field required.
_NOTE_REQUIRED = (MilestoneStatus.DELAYED, MilestoneStatus.CANCELLED)


@dataclass(frozen=True)
class MilestoneDetail:
    milestone: Milestone
    evidence: list[MilestoneEvidence]
    status_changes: list[MilestoneStatusChange]
    history: list[HistoryEntry]
    can_change: bool
    transitions: list[Transition]  # the statuses the milestone may move to


def milestone_detail(*, user: User, pk: int | str, write: bool = False) -> MilestoneDetail:
    """One milestone as its page shows it; 404 if the user may not see it, 403 if write and may not change it."""
    milestone = get_milestone_for_user(
        user,
        pk,
        write=write,
        queryset=Milestone.objects.select_related(*_RELATED, "created_by"),
    )
    evidence = list(milestone.evidence.select_related("uploaded_by"))
    status_changes = list(milestone.status_changes.select_related("actor"))
    records = list(milestone.history.select_related("history_user").order_by("history_date", "history_id"))
    return MilestoneDetail(
        milestone=milestone,
        evidence=evidence,
        status_changes=status_changes,
        history=_history_entries(records),
        can_change=can_change_grant(user, milestone.country_project.grant),
        transitions=[
            Transition(
                to_status=status,
                verb=(
                    "Reopen"
                    if status == MilestoneStatus.IN_PROGRESS and milestone.status == MilestoneStatus.COMPLETED
                    else _VERBS[status]
                ),
                note_required=status in _NOTE_REQUIRED,
                asks_date=status == MilestoneStatus.COMPLETED,
            )
            for status in milestone.allowed_transitions
        ],
    )


def _display(field_name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    field = Milestone._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    return str(value)


def _history_entries(records: Sequence[Any]) -> list[HistoryEntry]:
    """Newest first; each entry lists what changed against the record before it (oldest first in input)."""
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        changes: list[FieldChange] = []
        if previous is not None:
            for name in _HISTORY_FIELDS:
                old, new = getattr(previous, name), getattr(record, name)
                if old != new:
                    label = str(Milestone._meta.get_field(name).verbose_name).capitalize()
                    changes.append(FieldChange(label, _display(name, old), _display(name, new)))
        previous = record
        if kind == "changed" and not changes:
            continue  # a save that changed nothing shown here is noise on this page
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=str(record.history_user) if record.history_user else "system",
                kind=kind,
                changes=tuple(changes),
            )
        )
    entries.reverse()
    return entries
