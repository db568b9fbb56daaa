"""Submissions: drafts that keep everything typed, the review workflow, comments and evidence."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grants.models import CountryProject, User
from grants.services import store_checked_file
from indicators.calculations import Value
from indicators.cells import TOTAL
from indicators.models import (
    CELL_FIELDS,
    CELL_KEY_FIELDS,
    SUBMISSION_TRANSITIONS,
    ActualValue,
    CrossIndicatorRule,
    ProjectIndicator,
    ReportingPeriod,
    ReviewComment,
    Submission,
    SubmissionEvidence,
    SubmissionStatus,
    SubmissionTransition,
)
from indicators.services.common import _attribute, change_threshold
from indicators.services.periods import entry_lock_reason
from indicators.validation import (
    CellInput,
    CellRef,
    IndicatorSpec,
    Issue,
    RuleSpec,
    ValidationResult,
    validate_submission,
)

# Submission fields a draft save may change besides the figures.
NARRATIVE = ("achievements", "challenges", "next_steps")
TEXT_MAX = 40  # ActualValue.*_text and Submission.expenditure_text
_UNSET: Any = object()


class SubmissionInvalid(ValidationError):
    """Submitting was refused; ``result`` holds every issue keyed by cell, for the data-entry screen."""

    def __init__(self, result: ValidationResult, summary: str) -> None:
        super().__init__(result.as_error(summary).error_dict)
        self.result = result


@dataclass(frozen=True)
class DraftSave:
    submission: Submission
    result: ValidationResult


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("country_project__grant", "period", "updated_by")
        .get(pk=submission.pk)
    )


def _check_version(submission: Submission, expected_version: int | None, actor: User) -> None:
    if expected_version is None or expected_version == submission.version:
        return
    at = f"{timezone.localtime(submission.updated_at):%H:%M}"
    who = (
        "You saved this report in another window"
        if submission.updated_by_id == actor.pk
        else f"Someone else ({submission.updated_by}) saved this report"
    )
    raise ValidationError(
        f"{who} at {at}, after you opened it. Your changes were not saved: reload to see the current "
        "version, then enter yours again.",
        code="stale",
    )


def _check_editable(submission: Submission, actor: User, today: datetime.date | None = None) -> None:
    """Refuse changes to a report that is locked: approved or submitted, its period closed, or (for grantee
    users) its period's entry window over while the report was never submitted (see entry_lock_reason)."""
    if submission.status == SubmissionStatus.APPROVED:
        raise ValidationError(
            "This report is approved and locked. To correct it, ask the program officer to reopen it.",
            code="locked",
        )
    if submission.status == SubmissionStatus.SUBMITTED:
        raise ValidationError(
            "This report has been submitted and is locked while it is reviewed.", code="locked"
        )
    if not submission.period.is_open:
        raise ValidationError(
            f"The period {submission.period.label} is closed; ask the program officer to reopen it.",
            code="period_closed",
        )
    reason = entry_lock_reason(
        period=submission.period, user=actor, today=today or timezone.localdate(), submission=submission
    )
    if reason:
        raise ValidationError(reason, code="period_locked")


def _specs(country_project: CountryProject) -> dict[int, IndicatorSpec]:
    project_indicators = ProjectIndicator.objects.with_library().filter(country_project=country_project)
    return {pi.pk: pi.spec() for pi in project_indicators}


def _previous_values(submission: Submission) -> dict[CellRef, Value]:
    """The figures of the same project's latest approved report for an earlier period."""
    before = (
        Submission.objects.approved()
        .filter(
            country_project_id=submission.country_project_id,
            period__start_date__lt=submission.period.start_date,
        )
        .order_by("-period__start_date")
        .first()
    )
    if before is None:
        return {}
    # Looked up by cell, so read unordered: ActualValue's default ordering would sort for nothing.
    return {
        (pk, key): Value(value=v, numerator=n, denominator=d, nothing_to_report=ntr)
        for pk, key, v, n, d, ntr in before.values.order_by().values_list(
            "project_indicator_id", "cell_key", "value", "numerator", "denominator", "nothing_to_report"
        )
    }


def _rules(country_project: CountryProject) -> list[RuleSpec]:
    return [
        RuleSpec(left_id=left, operator=operator, right_id=right)
        for left, operator, right in CrossIndicatorRule.objects.filter(
            country_project=country_project
        ).values_list("left_id", "operator", "right_id")
    ]


def _stored_entries(
    submission: Submission, rows: Iterable[ActualValue] | None = None
) -> dict[CellRef, CellInput]:
    """The report's stored cells as inputs; ``rows``: its stored values when the caller has read them already.
    Read unordered: the entries are looked up by cell, and the default ordering would sort for nothing."""
    return {
        (row.project_indicator_id, row.cell_key): CellInput(
            value=row.value_text,
            numerator=row.numerator_text,
            denominator=row.denominator_text,
            nothing_to_report=row.nothing_to_report,
            comment=row.comment,
            explanation=row.explanation,
        )
        for row in (submission.values.all().order_by() if rows is None else rows)
    }


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float):
        return repr(raw)[:TEXT_MAX]
    return str(raw).strip()[:TEXT_MAX]


def _validate(
    submission: Submission,
    entries: Mapping[CellRef, CellInput],
    *,
    complete: bool,
    specs: Iterable[IndicatorSpec] | None = None,
    previous: Mapping[CellRef, Value] | None = None,
) -> ValidationResult:
    specs = _specs(submission.country_project).values() if specs is None else specs
    return validate_submission(
        specs,
        entries,
        previous=_previous_values(submission) if previous is None else previous,
        rules=_rules(submission.country_project),
        change_threshold=change_threshold(),
        complete=complete,
        expenditure=submission.expenditure_text,
    )


def submission_validate(
    *,
    submission: Submission,
    complete: bool = True,
    specs: Iterable[IndicatorSpec] | None = None,
    stored: Iterable[ActualValue] | None = None,
    previous: Mapping[CellRef, Value] | None = None,
) -> ValidationResult:
    """The issues of a stored submission, as the review and data-entry screens show them.

    A screen that has read the report already (indicators.selectors.entry.entry_layout) passes what it read,
    so it is not read twice: ``specs``, every project indicator's spec; ``stored``, every value stored in the
    report; ``previous``, the figures of the project's latest approved report for an earlier period (empty
    when there is none). Each one left out is read here.
    """
    return _validate(
        submission,
        _stored_entries(submission, stored),
        complete=complete,
        specs=specs,
        previous=previous,
    )


@transaction.atomic
def submission_get_or_create_draft(
    *,
    country_project: CountryProject,
    period: ReportingPeriod,
    actor: User,
    today: datetime.date | None = None,
) -> Submission:
    """The report of a country project for a period, started as a draft if there is none yet.

    An existing report is returned whatever its state (reading it is always allowed); a new one is refused
    when the period is closed, has not begun, is outside the project's dates, or is locked for the actor
    (a grantee past the due date plus grace, unless reopened)."""
    existing = Submission.objects.filter(country_project=country_project, period=period).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    if period.grant_id != country_project.grant_id:
        raise ValidationError({"period": "That reporting period belongs to another grant."})
    if not period.is_open:
        raise ValidationError({"period": f"The period {period.label} is closed."})
    if not period.has_started(today):
        raise ValidationError(
            {
                "period": f"The period {period.label} starts on {period.start_date:%d %b %Y}; report on it once it has begun."
            }
        )
    if period.end_date < country_project.start_date or period.start_date > country_project.end_date:
        raise ValidationError({"period": "The country project does not run during this period."})
    reason = entry_lock_reason(period=period, user=actor, today=today)
    if reason:
        raise ValidationError({"period": reason})
    submission = Submission(
        country_project=country_project, period=period, created_by=actor, updated_by=actor
    )
    submission.full_clean()
    _attribute(submission, actor)
    submission.save()
    SubmissionTransition.objects.create(
        submission=submission,
        from_status="",
        to_status=SubmissionStatus.DRAFT,
        actor=actor,
        comment="Started",
    )
    return submission


@transaction.atomic
def submission_save_draft(
    *,
    submission: Submission,
    expected_version: int,
    actor: User,
    values: Mapping[tuple[int, str], CellInput | Mapping[str, object]] | None = None,
    expenditure: object = _UNSET,
    today: datetime.date | None = None,
    **narrative: str,
) -> DraftSave:
    """Save what was typed, valid or not, and return the validation result.

    ``values`` maps (project indicator id, cell key) to a cell's input; cells not mentioned keep their stored
    figures, and a cell whose input is entirely blank is removed (missing). ``expenditure`` and the narrative
    fields (achievements, challenges, next_steps) change only when given.
    """
    unknown = set(narrative) - set(NARRATIVE)
    if unknown:
        raise TypeError(f"submission_save_draft() got unexpected fields: {sorted(unknown)}")
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    _check_editable(submission, actor, today)
    specs = _specs(submission.country_project)
    incoming: dict[CellRef, CellInput] = {}
    for (pk, cell_key), raw in (values or {}).items():
        spec = specs.get(pk)
        if spec is None or cell_key not in spec.cell_keys:
            # A form built for this report cannot send these: a stale page or a forged request.
            raise ValidationError(
                "These figures are for an indicator or group this project does not report on; reload the page.",
                code="unknown_cell",
            )
        incoming[(pk, cell_key)] = CellInput.coerce(raw)
    if expenditure is not _UNSET:
        submission.expenditure_text = _text(expenditure)
    for name, text in narrative.items():
        setattr(submission, name, text.strip())
    entries = {**_stored_entries(submission), **incoming}
    result = _validate(submission, entries, complete=False, specs=specs.values())
    _write_cells(submission, incoming, result)
    submission.cumulative_expenditure = result.expenditure
    submission.version += 1
    submission.updated_by = actor
    submission.full_clean()
    _attribute(submission, actor)
    submission.save()
    return DraftSave(submission=submission, result=result)


def _write_cells(
    submission: Submission, incoming: Mapping[CellRef, CellInput], result: ValidationResult
) -> None:
    blank = Q(pk__in=[])
    rows = []
    for (pk, cell_key), entry in incoming.items():
        if entry.is_blank:
            blank |= Q(project_indicator_id=pk, cell_key=cell_key)
            continue
        numbers = result.numbers[(pk, cell_key)]
        rows.append(
            ActualValue(
                submission=submission,
                project_indicator_id=pk,
                cell_key=cell_key,
                value=numbers.value,
                numerator=numbers.numerator,
                denominator=numbers.denominator,
                value_text=_text(entry.value),
                numerator_text=_text(entry.numerator),
                denominator_text=_text(entry.denominator),
                nothing_to_report=entry.nothing_to_report,
                comment=str(entry.comment).strip(),
                explanation=str(entry.explanation).strip(),
            )
        )
    submission.values.filter(blank).delete()
    ActualValue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=CELL_KEY_FIELDS,
        update_fields=CELL_FIELDS,
    )


_VERBS = {
    SubmissionStatus.SUBMITTED: "submitted",
    SubmissionStatus.APPROVED: "approved",
    SubmissionStatus.RETURNED: "returned",
    SubmissionStatus.DRAFT: "reopened",
}


def _check_transition(submission: Submission, to_status: str) -> None:
    if to_status not in SUBMISSION_TRANSITIONS[submission.status]:
        current = submission.get_status_display().lower()
        article = "An" if current[0] in "aeiou" else "A"
        raise ValidationError(
            f"{article} {current} report cannot be {_VERBS[SubmissionStatus(to_status)]}.", code="transition"
        )


def _transition(
    submission: Submission, to_status: str, actor: User, comment: str, snapshot: dict | None = None
) -> Submission:
    _check_transition(submission, to_status)
    from_status = submission.status
    submission.status = to_status
    submission.version += 1
    submission.updated_by = actor
    if to_status == SubmissionStatus.SUBMITTED:
        submission.submitted_at = timezone.now()
    submission.full_clean()
    _attribute(submission, actor)
    submission.save()
    SubmissionTransition.objects.create(
        submission=submission,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        comment=comment.strip(),
        snapshot=snapshot,
    )
    return submission


def _snapshot(submission: Submission) -> dict:
    """The figures as submitted, kept on the transition so later corrections never erase them."""

    def text(number: Decimal | None) -> str | None:
        return None if number is None else str(number)

    rows = submission.values.select_related("project_indicator__indicator").order_by(
        "project_indicator_id", "cell_key"
    )
    return {
        "cumulative_expenditure": text(submission.cumulative_expenditure),
        "values": [
            {
                "project_indicator": row.project_indicator_id,
                "indicator": row.project_indicator.indicator.code,
                "cell": row.cell_key,
                "value": text(row.value),
                "numerator": text(row.numerator),
                "denominator": text(row.denominator),
                "nothing_to_report": row.nothing_to_report,
            }
            for row in rows
        ],
    }


def _require_comment(comment: str, message: str) -> None:
    if not comment.strip():
        raise ValidationError({"comment": message})


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    actor: User,
    expected_version: int | None = None,
    comment: str = "",
    today: datetime.date | None = None,
) -> Submission:
    """Send the report for review. Refused while any figure has an error or a warning lacks its explanation."""
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    _check_transition(submission, SubmissionStatus.SUBMITTED)
    _check_editable(submission, actor, today)
    result = submission_validate(submission=submission, complete=True)
    if not submission.achievements.strip():
        result.errors.append(Issue(None, "", "achievements", "Describe the period's achievements."))
    if result.errors:
        count = len(result.errors)
        raise SubmissionInvalid(
            result,
            f"The report was not submitted: fix the {count} problem{'s' if count != 1 else ''} marked below.",
        )
    return _transition(submission, SubmissionStatus.SUBMITTED, actor, comment, snapshot=_snapshot(submission))


@transaction.atomic
def submission_approve(
    *, submission: Submission, actor: User, comment: str = "", expected_version: int | None = None
) -> Submission:
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    return _transition(submission, SubmissionStatus.APPROVED, actor, comment)


@transaction.atomic
def submission_return(
    *, submission: Submission, actor: User, comment: str, expected_version: int | None = None
) -> Submission:
    """Send the report back to the grantee; the comment says what to correct."""
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    _require_comment(comment, "Say what the grantee should correct.")
    return _transition(submission, SubmissionStatus.RETURNED, actor, comment)


@transaction.atomic
def submission_reopen(
    *, submission: Submission, actor: User, comment: str, expected_version: int | None = None
) -> Submission:
    """Unlock approved data for a correction; it goes back to draft and must be submitted and approved again."""
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    _require_comment(comment, "Say why the approved report is reopened.")
    return _transition(submission, SubmissionStatus.DRAFT, actor, comment)


@transaction.atomic
def review_comment_add(
    *,
    submission: Submission,
    actor: User,
    text: str,
    project_indicator: ProjectIndicator | None = None,
    cell_key: str = TOTAL,
) -> ReviewComment:
    """A comment on the report, or on one indicator's cell (the officer's question, the grantee's answer)."""
    if not text.strip():
        raise ValidationError({"text": "Write a comment."})
    if project_indicator is not None:
        if project_indicator.country_project_id != submission.country_project_id:
            raise ValidationError({"project_indicator": "That indicator is not part of this report."})
        project_indicator = ProjectIndicator.objects.with_library().get(pk=project_indicator.pk)
        if cell_key not in project_indicator.cell_keys:
            raise ValidationError({"cell_key": "This indicator has no such disaggregation cell."})
    elif cell_key != TOTAL:
        raise ValidationError({"cell_key": "A cell comment names its indicator."})
    comment = ReviewComment(
        submission=submission,
        project_indicator=project_indicator,
        cell_key=cell_key,
        author=actor,
        text=text.strip(),
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def submission_evidence_add(
    *, submission: Submission, actor: User, name: str, stream: IO[bytes], size: int, description: str = ""
) -> SubmissionEvidence:
    """Attach an evidence file to an editable report after checking its type, content and size."""
    submission = _lock(submission)
    _check_editable(submission, actor)
    return store_checked_file(
        SubmissionEvidence(submission=submission),
        actor=actor,
        name=name,
        stream=stream,
        size=size,
        description=description,
    )


def evidence_seen_by_reviewer(evidence: SubmissionEvidence, submission: Submission) -> bool:
    """A file attached before the report's latest submission has been in front of the reviewer."""
    return submission.submitted_at is not None and evidence.uploaded_at <= submission.submitted_at


@transaction.atomic
def submission_evidence_remove(*, evidence: SubmissionEvidence, actor: User) -> None:
    """Remove a file attached by mistake to an editable report.

    Only files attached since the report was last submitted: what a reviewer has seen stays with the report as
    part of its trail (a corrected file is attached beside it). The stored file is deleted once the row's
    deletion is committed, so a rollback never leaves a row without its file.
    """
    submission = _lock(evidence.submission)
    _check_editable(submission, actor)
    if evidence_seen_by_reviewer(evidence, submission):
        raise ValidationError(
            "This file was part of the report when it was submitted, so it stays with it; attach a corrected "
            "file beside it instead.",
            code="reviewed",
        )
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
