"""Every write with rules or history in the indicators app.

As in grants.services: keyword-only, atomic, ``full_clean()``, a history row, ``ValidationError`` keyed by the
field to blame (cell errors by ``indicators.cells.field_name``). Callers check permissions first
(``indicators.access``); these functions enforce the domain rules: which status allows what, stale saves,
locked data, closed periods.

Drafts keep everything typed. ``submission_save_draft`` stores each cell's text as typed and its numbers where
the text is a number that fits, then returns the validation result instead of raising for figure errors; only
problems that make the whole save meaningless (a stale version, a locked report, a closed period, a cell that
does not belong to this project) raise, and then nothing is written. ``submission_submit`` re-checks the stored
text with ``complete=True`` and refuses while any error remains.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from grants.models import CountryProject, Grant, Modification, User
from grants.services import store_checked_file
from indicators.calculations import Value
from indicators.cells import TOTAL
from indicators.models import (
    SUBMISSION_TRANSITIONS,
    ActualValue,
    CrossIndicatorRule,
    Indicator,
    MeasureType,
    PeriodStatus,
    ProjectIndicator,
    ReportingPeriod,
    ReportingPeriodChange,
    ResultNode,
    ReviewComment,
    RevisionKind,
    Submission,
    SubmissionEvidence,
    SubmissionStatus,
    SubmissionTransition,
    Target,
    TargetRevision,
)
from indicators.periods import fiscal_periods
from indicators.validation import (
    CellInput,
    CellRef,
    IndicatorSpec,
    Issue,
    RuleSpec,
    ValidationResult,
    parse_number,
    validate_submission,
)

# Submission fields a draft save may change besides the figures.
NARRATIVE = ("achievements", "challenges", "next_steps")
TEXT_MAX = 40  # ActualValue.*_text and Submission.expenditure_text
_UNSET: Any = object()


def _attribute(instance: Any, actor: User) -> None:
    # simple_history takes the user from the request; services also run from commands and tasks.
    instance._history_user = actor


def change_threshold() -> Decimal:
    """The share of change from the previous period above which a value needs an explanation."""
    return settings.INDICATOR_CHANGE_WARNING_SHARE


# --- reporting periods --------------------------------------------------------------------------------------


@dataclass
class PeriodGeneration:
    created: list[ReportingPeriod] = field(default_factory=list)
    updated: list[ReportingPeriod] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Periods no longer in the grant's calendar but kept because reports or targets refer to them.
    kept: list[ReportingPeriod] = field(default_factory=list)


@transaction.atomic
def reporting_periods_generate(*, grant: Grant, actor: User) -> PeriodGeneration:
    """Bring a grant's periods in line with its dates and frequency (after creation, an extension, ...).

    Periods are matched by start date. A matched period whose end moved (the last, partial period of an
    extended grant) gets its new dates and a note in its trail; periods that no longer fit are removed unless a
    report or a target refers to them, in which case they are kept and listed in ``kept``.
    """
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    specs = fiscal_periods(grant.start_date, grant.end_date, grant.reporting_frequency)
    existing = {
        p.start_date: p
        for p in grant.reporting_periods.annotate(
            n_submissions=Count("submissions", distinct=True), n_targets=Count("targets", distinct=True)
        )
    }
    outcome = PeriodGeneration()
    for spec in specs:
        period = existing.pop(spec.start, None)
        if period is None:
            period = ReportingPeriod(
                grant=grant, label=spec.label, start_date=spec.start, end_date=spec.end, due_date=spec.due
            )
            period.full_clean()
            period.save()
            ReportingPeriodChange.objects.create(
                period=period, from_status="", to_status=period.status, actor=actor, note="Generated"
            )
            outcome.created.append(period)
        elif (period.label, period.end_date, period.due_date) != (spec.label, spec.end, spec.due):
            note = (
                f"Dates changed with the grant's period of performance: was {period.start_date:%d %b %Y} to "
                f"{period.end_date:%d %b %Y}, now to {spec.end:%d %b %Y}."
            )
            period.label, period.end_date, period.due_date = spec.label, spec.end, spec.due
            period.full_clean()
            period.save(update_fields=["label", "end_date", "due_date"])
            ReportingPeriodChange.objects.create(
                period=period, from_status=period.status, to_status=period.status, actor=actor, note=note
            )
            outcome.updated.append(period)
    for period in existing.values():
        if period.n_submissions or period.n_targets:
            outcome.kept.append(period)
        else:
            outcome.removed.append(period.label)
            period.delete()
    return outcome


@transaction.atomic
def reporting_period_set_status(
    *, period: ReportingPeriod, status: str, actor: User, note: str = ""
) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if status not in PeriodStatus.values:
        raise ValidationError({"status": f"“{status}” is not a period status."})
    if status == period.status:
        raise ValidationError({"status": f"The period is already {period.get_status_display().lower()}."})
    from_status = period.status
    period.status = status
    period.full_clean()
    period.save(update_fields=["status"])
    ReportingPeriodChange.objects.create(
        period=period, from_status=from_status, to_status=status, actor=actor, note=note.strip()
    )
    return period


# --- results framework and targets --------------------------------------------------------------------------


@transaction.atomic
def result_node_create(
    *,
    country_project: CountryProject,
    level: str,
    code: str,
    statement: str,
    actor: User,
    parent: ResultNode | None = None,
    sort_order: int = 0,
) -> ResultNode:
    node = ResultNode(
        country_project=country_project,
        parent=parent,
        level=level,
        code=code.strip(),
        statement=statement.strip(),
        sort_order=sort_order,
    )
    node.full_clean()
    node.save()
    return node


def _check_figure_for(indicator: Indicator, raw: object, name: str, *, is_target: bool) -> Decimal | None:
    """A baseline or target figure: a non-negative number; whole for counts; cents at most for money;
    a percent of at most 100 for percentage targets."""
    number, error = parse_number(raw)
    if error:
        raise ValidationError({name: error})
    if number is None:
        return None
    if number < 0:
        raise ValidationError({name: "A target or baseline cannot be negative."})
    if indicator.measure_type == MeasureType.COUNT and number != number.to_integral_value():
        raise ValidationError({name: "This indicator counts whole numbers."})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({name: "Use at most 2 decimal places."})
    if is_target and indicator.is_percentage and number > 100:
        raise ValidationError({name: "A percentage target is at most 100."})
    return number


@transaction.atomic
def project_indicator_create(
    *, country_project: CountryProject, indicator: Indicator, actor: User, **fields: Any
) -> ProjectIndicator:
    """Adopt a library indicator in a country project, with its baseline and life-of-project target."""
    if not indicator.is_active:
        raise ValidationError({"indicator": "This indicator is no longer in use; choose another."})
    for name in ("baseline_value", "baseline_numerator", "baseline_denominator", "lop_target"):
        if name in fields:
            fields[name] = _check_figure_for(indicator, fields[name], name, is_target=name == "lop_target")
    project_indicator = ProjectIndicator(country_project=country_project, indicator=indicator, **fields)
    project_indicator.original_lop_target = project_indicator.lop_target
    project_indicator.full_clean()
    _attribute(project_indicator, actor)
    project_indicator.save()
    return project_indicator


@transaction.atomic
def project_indicator_update(
    *, project_indicator: ProjectIndicator, actor: User, **fields: Any
) -> ProjectIndicator:
    """Baseline, place in the results framework, target granularity. Targets change through target_revise."""
    forbidden = {"lop_target", "original_lop_target", "indicator", "country_project"} & set(fields)
    if forbidden:
        raise TypeError(f"project_indicator_update() cannot change {sorted(forbidden)}; use target_revise().")
    project_indicator = ProjectIndicator.objects.select_for_update().get(pk=project_indicator.pk)
    for name, value in fields.items():
        if name.startswith("baseline_") and name != "baseline_date" and name != "baseline_source":
            value = _check_figure_for(project_indicator.indicator, value, name, is_target=False)
        setattr(project_indicator, name, value)
    project_indicator.full_clean()
    _attribute(project_indicator, actor)
    project_indicator.save()
    return project_indicator


def _check_target_place(project_indicator: ProjectIndicator, period: ReportingPeriod, cell_key: str) -> None:
    if period.grant_id != project_indicator.country_project.grant_id:
        raise ValidationError({"period": "That reporting period belongs to another grant."})
    if cell_key not in project_indicator.cell_keys:
        raise ValidationError({"cell_key": "This indicator has no such disaggregation cell."})
    if cell_key != TOTAL and not project_indicator.disaggregated_targets:
        raise ValidationError(
            {
                "cell_key": "Targets for this indicator are set for the total only; switch on disaggregated targets first."
            }
        )


@transaction.atomic
def target_set(
    *,
    project_indicator: ProjectIndicator,
    period: ReportingPeriod,
    value: object,
    actor: User,
    cell_key: str = TOTAL,
) -> Target:
    """Set a period target the first time. An existing target changes only through target_revise."""
    project_indicator = (
        ProjectIndicator.objects.with_library().select_related("country_project").get(pk=project_indicator.pk)
    )
    _check_target_place(project_indicator, period, cell_key)
    number = _check_figure_for(project_indicator.indicator, value, "value", is_target=True)
    if number is None:
        raise ValidationError({"value": "Enter the target."})
    target = Target(
        project_indicator=project_indicator,
        period=period,
        cell_key=cell_key,
        value=number,
        original_value=number,
    )
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_revise(
    *,
    new_value: object,
    reason: str,
    actor: User,
    target: Target | None = None,
    project_indicator: ProjectIndicator | None = None,
    modification: Modification | None = None,
) -> TargetRevision:
    """Change a period target (``target``) or the life-of-project target (``project_indicator``).

    The current figure changes; the original agreed figure and a revision row with the previous value, the
    reason and the grant modification behind it (if any) are kept, so reports can show original and revised.
    """
    if (target is None) == (project_indicator is None):
        raise TypeError("target_revise() revises either a target or a project indicator's LOP target.")
    if target is not None:
        target = Target.objects.select_for_update().get(pk=target.pk)
        project_indicator = ProjectIndicator.objects.select_related("indicator", "country_project").get(
            pk=target.project_indicator_id
        )
        previous, kind = target.value, RevisionKind.PERIOD
    else:
        project_indicator = (
            ProjectIndicator.objects.select_for_update()
            .select_related("indicator", "country_project")
            .get(pk=project_indicator.pk)
        )
        previous, kind = project_indicator.lop_target, RevisionKind.LIFE_OF_PROJECT
    number = _check_figure_for(project_indicator.indicator, new_value, "new_value", is_target=True)
    errors: dict[str, str] = {}
    if number is None:
        errors["new_value"] = "Enter the revised target."
    elif number == previous:
        errors["new_value"] = "The revised target is the same as the current one."
    if not reason.strip():
        errors["reason"] = "Say why the target changes; the reason stays on record."
    if modification is not None and modification.grant_id != project_indicator.country_project.grant_id:
        errors["modification"] = "That modification belongs to another grant."
    if errors:
        raise ValidationError(errors)
    if target is not None:
        target.value = number
        target.full_clean()
        target.save(update_fields=["value"])
    else:
        project_indicator.lop_target = number
        if project_indicator.original_lop_target is None:
            project_indicator.original_lop_target = number
        project_indicator.full_clean()
        _attribute(project_indicator, actor)
        project_indicator.save(update_fields=["lop_target", "original_lop_target"])
    revision = TargetRevision(
        project_indicator=project_indicator,
        target=target,
        kind=kind,
        previous_value=previous,
        new_value=number,
        reason=reason.strip(),
        modification=modification,
        actor=actor,
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def cross_indicator_rule_create(
    *,
    country_project: CountryProject,
    left: ProjectIndicator,
    operator: str,
    right: ProjectIndicator,
    actor: User,
) -> CrossIndicatorRule:
    rule = CrossIndicatorRule(
        country_project=country_project, left=left, operator=operator, right=right, created_by=actor
    )
    rule.full_clean()
    rule.save()
    return rule


# --- submissions --------------------------------------------------------------------------------------------


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


def _check_editable(submission: Submission) -> None:
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
    return {
        (pk, key): Value(value=v, numerator=n, denominator=d, nothing_to_report=ntr)
        for pk, key, v, n, d, ntr in before.values.values_list(
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


def _stored_entries(submission: Submission) -> dict[CellRef, CellInput]:
    return {
        (row.project_indicator_id, row.cell_key): CellInput(
            value=row.value_text,
            numerator=row.numerator_text,
            denominator=row.denominator_text,
            nothing_to_report=row.nothing_to_report,
            comment=row.comment,
            explanation=row.explanation,
        )
        for row in submission.values.all()
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
    specs: dict[int, IndicatorSpec] | None = None,
) -> ValidationResult:
    specs = _specs(submission.country_project) if specs is None else specs
    return validate_submission(
        specs.values(),
        entries,
        previous=_previous_values(submission),
        rules=_rules(submission.country_project),
        change_threshold=change_threshold(),
        complete=complete,
        expenditure=submission.expenditure_text,
    )


def submission_validate(*, submission: Submission, complete: bool = True) -> ValidationResult:
    """The issues of a stored submission, as the review and data-entry screens show them."""
    return _validate(submission, _stored_entries(submission), complete=complete)


@transaction.atomic
def submission_get_or_create_draft(
    *,
    country_project: CountryProject,
    period: ReportingPeriod,
    actor: User,
    today: datetime.date | None = None,
) -> Submission:
    """The report of a country project for a period, started as a draft if there is none yet."""
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
    _check_editable(submission)
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
    result = _validate(submission, entries, complete=False, specs=specs)
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
        unique_fields=["submission", "project_indicator", "cell_key"],
        update_fields=[
            "value",
            "numerator",
            "denominator",
            "value_text",
            "numerator_text",
            "denominator_text",
            "nothing_to_report",
            "comment",
            "explanation",
        ],
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
    *, submission: Submission, actor: User, expected_version: int | None = None, comment: str = ""
) -> Submission:
    """Send the report for review. Refused while any figure has an error or a warning lacks its explanation."""
    submission = _lock(submission)
    _check_version(submission, expected_version, actor)
    _check_transition(submission, SubmissionStatus.SUBMITTED)
    _check_editable(submission)
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
    _check_editable(submission)
    return store_checked_file(
        SubmissionEvidence(submission=submission),
        actor=actor,
        name=name,
        stream=stream,
        size=size,
        description=description,
    )
