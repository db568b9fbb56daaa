"""Every write with rules or history in the grants app.

Each function is keyword-only, atomic, validates with ``full_clean()`` and raises ``ValidationError`` (keyed by
field where a field is to blame, so a form can show it next to that field), writes its history row and returns
the object. Callers check permissions first (``grants.access``); these functions enforce the domain rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Sum

from grants.models import (
    GRANT_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    CountryProject,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    MilestoneStatusChange,
    Modification,
    ModificationKind,
    Organisation,
    TargetGroup,
    Theme,
    User,
)
from grants.models.files import StoredFile
from grants.validators import check_evidence_file

# Statuses whose change needs a reason on record.
NOTE_REQUIRED = {GrantStatus.SUSPENDED, GrantStatus.TERMINATED}
GRANT_FIELDS = (
    "award_number",
    "title",
    "grantee",
    "assistance_listing",
    "program_officer",
    "start_date",
    "end_date",
    "obligated_amount",
    "summary",
    "reporting_frequency",
)
# While a grant is in the pipeline its figures are still being negotiated and may be edited directly;
# afterwards the obligated amount and the end date change only through modifications.
FIGURES = ("obligated_amount", "end_date")


def _attribute(instance: Any, actor: User) -> None:
    # simple_history takes the user from the request; services also run from commands and tasks.
    instance._history_user = actor


def _article(label: str) -> str:
    """'An active', 'A closed': the status label with its article, for messages."""
    word = label.lower()
    return f"{'An' if word[:1] in 'aeiou' else 'A'} {word}"


def _check_officer(officer: User | None) -> None:
    if officer is not None and not officer.is_program_officer:
        raise ValidationError({"program_officer": "Choose a user whose role is program officer."})


# --- grants -------------------------------------------------------------------------------------------------


@transaction.atomic
def grant_create(*, actor: User, themes: Iterable[Theme] = (), **fields: Any) -> Grant:
    unknown = set(fields) - set(GRANT_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"grant_create() got unexpected fields: {sorted(unknown)}")
    grant = Grant(**fields)
    grant.original_obligated_amount = grant.obligated_amount
    grant.original_end_date = grant.end_date
    _check_officer(fields.get("program_officer"))
    grant.full_clean()
    _attribute(grant, actor)
    grant.save()
    grant.themes.set(themes)
    GrantStatusChange.objects.create(
        grant=grant, from_status="", to_status=grant.status, actor=actor, note="Created"
    )
    return grant


@transaction.atomic
def grant_update(*, grant: Grant, actor: User, themes: Iterable[Theme] | None = None, **fields: Any) -> Grant:
    unknown = set(fields) - set(GRANT_FIELDS)
    if unknown:
        raise TypeError(f"grant_update() got unexpected fields: {sorted(unknown)}")
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.status != GrantStatus.PIPELINE:
        errors = {
            name: "Once a grant is active this changes only through a modification."
            for name in FIGURES
            if name in fields and fields[name] != getattr(grant, name)
        }
        if errors:
            raise ValidationError(errors)
    for name, value in fields.items():
        setattr(grant, name, value)
    if grant.status == GrantStatus.PIPELINE:
        grant.original_obligated_amount = grant.obligated_amount
        grant.original_end_date = grant.end_date
    _check_officer(fields.get("program_officer"))
    grant.full_clean()
    _check_projects_inside(grant, grant.start_date, grant.end_date, field="end_date")
    _attribute(grant, actor)
    grant.save()
    if themes is not None:
        grant.themes.set(themes)
    return grant


@transaction.atomic
def grant_transition(*, grant: Grant, to_status: str, actor: User, note: str = "") -> Grant:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if to_status not in GrantStatus.values:
        raise ValidationError({"to_status": f"“{to_status}” is not a grant status."})
    if to_status not in GRANT_TRANSITIONS[grant.status]:
        raise ValidationError(
            {
                "to_status": f"{_article(grant.get_status_display())} grant cannot become "
                f"{GrantStatus(to_status).label.lower()}."
            }
        )
    note = note.strip()
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationError({"note": f"Say why the grant is being {GrantStatus(to_status).label.lower()}."})
    from_status = grant.status
    grant.status = to_status
    _attribute(grant, actor)
    grant.save(update_fields=["status", "updated_at"])
    GrantStatusChange.objects.create(
        grant=grant, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    return grant


# --- modifications ------------------------------------------------------------------------------------------


@transaction.atomic
def modification_apply(
    *,
    grant: Grant,
    actor: User,
    kind: str,
    effective_date: datetime.date,
    reason: str,
    amount_change: Decimal = Decimal("0"),
    new_end_date: datetime.date | None = None,
) -> Modification:
    """Record a numbered modification and apply it to the grant; the figures before and after are kept."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    amount_change = amount_change or Decimal("0")
    errors: dict[str, str] = {}
    if grant.status == GrantStatus.CLOSED:
        raise ValidationError("A closed grant cannot be modified.")
    if kind == ModificationKind.INCREMENTAL_FUNDING and amount_change <= 0:
        errors["amount_change"] = "Incremental funding adds money: enter a positive amount."
    if (
        kind in (ModificationKind.NO_COST_EXTENSION, ModificationKind.BUDGET_REALIGNMENT)
        and amount_change != 0
    ):
        errors["amount_change"] = (
            f"A {ModificationKind(kind).label.lower()} does not change the obligated amount."
        )
    if kind == ModificationKind.NO_COST_EXTENSION and (
        new_end_date is None or new_end_date <= grant.end_date
    ):
        errors["new_end_date"] = f"A no-cost extension needs a new end date after {grant.end_date:%d %b %Y}."
    if kind == ModificationKind.BUDGET_REALIGNMENT and new_end_date not in (None, grant.end_date):
        errors["new_end_date"] = "A budget realignment does not change the end date."
    if effective_date and effective_date < grant.start_date:
        errors["effective_date"] = (
            f"The grant starts on {grant.start_date:%d %b %Y}; a modification cannot take effect before."
        )
    obligated_after = grant.obligated_amount + amount_change
    if obligated_after < 0:
        errors["amount_change"] = (
            f"This would make the obligated amount negative (now {grant.obligated_amount:,.2f} USD)."
        )
    end_after = new_end_date or grant.end_date
    if end_after < grant.start_date:
        errors["new_end_date"] = "The new end date is before the grant starts."
    if errors:
        raise ValidationError(errors)
    _check_projects_inside(grant, grant.start_date, end_after, field="new_end_date")
    number = (grant.modifications.aggregate(n=Max("number"))["n"] or 0) + 1
    modification = Modification(
        grant=grant,
        number=number,
        kind=kind,
        effective_date=effective_date,
        amount_change=amount_change,
        new_end_date=new_end_date,
        reason=reason.strip(),
        obligated_before=grant.obligated_amount,
        obligated_after=obligated_after,
        end_date_before=grant.end_date,
        end_date_after=end_after,
        created_by=actor,
    )
    modification.full_clean()
    _attribute(modification, actor)
    modification.save()
    grant.obligated_amount = obligated_after
    grant.end_date = end_after
    grant.full_clean()
    _attribute(grant, actor)
    grant.save(update_fields=["obligated_amount", "end_date", "updated_at"])
    return modification


# --- country projects ---------------------------------------------------------------------------------------


def _check_projects_inside(grant: Grant, start: datetime.date, end: datetime.date, *, field: str) -> None:
    """A grant's period cannot shrink so that one of its country projects falls outside it."""
    outside = grant.country_projects.exclude(start_date__gte=start, end_date__lte=end).first()
    if outside is not None:
        raise ValidationError(
            {
                field: f"The country project in {outside.country.name} runs {outside.start_date:%d %b %Y} "
                f"to {outside.end_date:%d %b %Y}, outside the new period."
            }
        )


def _check_project(project: CountryProject) -> None:
    grant = project.grant
    errors: dict[str, str] = {}
    period = f"{grant.start_date:%d %b %Y} to {grant.end_date:%d %b %Y}"
    if project.start_date and project.start_date < grant.start_date:
        errors["start_date"] = f"Starts before the grant's period of performance ({period})."
    if project.end_date and project.end_date > grant.end_date:
        errors["end_date"] = f"Ends after the grant's period of performance ({period})."
    if project.budget is not None:
        others = grant.country_projects.exclude(pk=project.pk).aggregate(total=Sum("budget"))[
            "total"
        ] or Decimal("0")
        if others + project.budget > grant.obligated_amount:
            room = max(grant.obligated_amount - others, Decimal("0"))
            errors["budget"] = (
                f"The grant's country budgets would total {others + project.budget:,.2f} USD, more than "
                f"the {grant.obligated_amount:,.2f} USD obligated; at most {room:,.2f} USD is left."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def country_project_create(
    *,
    grant: Grant,
    actor: User,
    implementing_partners: Iterable[Organisation] = (),
    target_groups: Iterable[TargetGroup] = (),
    **fields: Any,
) -> CountryProject:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    project = CountryProject(grant=grant, **fields)
    project.full_clean()
    _check_project(project)
    _attribute(project, actor)
    project.save()
    project.implementing_partners.set(implementing_partners)
    project.target_groups.set(target_groups)
    return project


@transaction.atomic
def country_project_update(
    *,
    project: CountryProject,
    actor: User,
    implementing_partners: Iterable[Organisation] | None = None,
    target_groups: Iterable[TargetGroup] | None = None,
    **fields: Any,
) -> CountryProject:
    Grant.objects.select_for_update().get(pk=project.grant_id)
    project = CountryProject.objects.select_related("grant").get(pk=project.pk)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    _check_project(project)
    _attribute(project, actor)
    project.save()
    if implementing_partners is not None:
        project.implementing_partners.set(implementing_partners)
    if target_groups is not None:
        project.target_groups.set(target_groups)
    return project


# --- milestones ---------------------------------------------------------------------------------------------


def _check_milestone(milestone: Milestone) -> None:
    project = milestone.country_project
    if milestone.due_date and milestone.due_date < project.start_date:
        raise ValidationError(
            {
                "due_date": f"The country project starts on {project.start_date:%d %b %Y}; a milestone cannot be due before."
            }
        )


@transaction.atomic
def milestone_create(*, country_project: CountryProject, actor: User, **fields: Any) -> Milestone:
    status = fields.pop("status", MilestoneStatus.PLANNED)
    completed_on = fields.pop("completed_on", None)
    milestone = Milestone(country_project=country_project, created_by=actor, **fields)
    milestone.full_clean()
    _check_milestone(milestone)
    _attribute(milestone, actor)
    milestone.save()
    MilestoneStatusChange.objects.create(
        milestone=milestone, from_status="", to_status=MilestoneStatus.PLANNED, actor=actor, note="Logged"
    )
    if status != MilestoneStatus.PLANNED:
        milestone = milestone_transition(
            milestone=milestone, to_status=status, actor=actor, completed_on=completed_on
        )
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: User, **fields: Any) -> Milestone:
    """Edit a milestone's plan (title, category, due date, notes). Its status changes through a transition."""
    forbidden = {"status", "completed_on", "country_project"} & set(fields)
    if forbidden:
        raise TypeError(f"milestone_update() cannot change {sorted(forbidden)}; use milestone_transition().")
    milestone = Milestone.objects.select_for_update().select_related("country_project").get(pk=milestone.pk)
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    _check_milestone(milestone)
    _attribute(milestone, actor)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_transition(
    *,
    milestone: Milestone,
    to_status: str,
    actor: User,
    note: str = "",
    completed_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Milestone:
    milestone = Milestone.objects.select_for_update().select_related("country_project").get(pk=milestone.pk)
    today = today or datetime.date.today()
    if to_status not in MilestoneStatus.values:
        raise ValidationError({"to_status": f"“{to_status}” is not a milestone status."})
    if to_status not in MILESTONE_TRANSITIONS[milestone.status]:
        raise ValidationError(
            {
                "to_status": f"{_article(milestone.get_status_display())} milestone cannot be marked "
                f"{MilestoneStatus(to_status).label.lower()}."
            }
        )
    if to_status == MilestoneStatus.COMPLETED:
        completed_on = completed_on or today
        if completed_on > today:
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})
        if completed_on < milestone.country_project.start_date:
            raise ValidationError(
                {"completed_on": "The completion date is before the country project started."}
            )
    else:
        completed_on = None
    if to_status in (MilestoneStatus.DELAYED, MilestoneStatus.CANCELLED) and not note.strip():
        raise ValidationError(
            {"note": f"Say why the milestone is {MilestoneStatus(to_status).label.lower()}."}
        )
    from_status = milestone.status
    milestone.status = to_status
    milestone.completed_on = completed_on
    if note.strip():
        stamp = f"[{today:%d %b %Y}, {actor}] {note.strip()}"
        milestone.notes = f"{milestone.notes}\n{stamp}".strip()
    milestone.full_clean()
    _attribute(milestone, actor)
    milestone.save(update_fields=["status", "completed_on", "notes"])
    MilestoneStatusChange.objects.create(
        milestone=milestone, from_status=from_status, to_status=to_status, actor=actor, note=note.strip()
    )
    return milestone


def store_checked_file(
    record: StoredFile, *, actor: User, name: str, stream: IO[bytes], size: int, description: str = ""
) -> StoredFile:
    """Check an upload (type, content, size), fill ``record``'s file fields and save it with its file.

    Nothing is stored when the check fails; the file is removed again when the row cannot be saved.
    """
    checked = check_evidence_file(name, stream, size, settings.EVIDENCE_MAX_BYTES)
    record.original_name = name[-255:]
    record.content_type = checked.content_type
    record.size = checked.size
    record.sha256 = checked.sha256
    record.description = description.strip()
    record.uploaded_by = actor
    record.file.save(name, File(stream), save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
    return record


@transaction.atomic
def evidence_add(
    *, milestone: Milestone, actor: User, name: str, stream: IO[bytes], size: int, description: str = ""
) -> MilestoneEvidence:
    """Store an evidence file for a milestone after checking its type, content and size."""
    return store_checked_file(
        MilestoneEvidence(milestone=milestone),
        actor=actor,
        name=name,
        stream=stream,
        size=size,
        description=description,
    )
