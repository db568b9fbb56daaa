"""The indicator demo: frameworks, targets with revisions, periods and submissions in every state,
written through indicators.services."""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants import demo as grants_demo
from grants.models import CountryProject, Grant, User
from grants.models.grant import GrantStatus
from indicators import services
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    DataUpload,
    Indicator,
    MeasureType,
    NodeLevel,
    Operator,
    PeriodStatus,
    ProjectIndicator,
    ReportingPeriod,
    ResultNode,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    Target,
    UploadStatus,
)
from indicators.selectors.uploads import template_data
from indicators.services import periods as services_periods
from indicators.services.periods import grace_days
from indicators.services.uploads import upload_receive
from indicators.validation import CellInput, IndicatorSpec
from indicators.workbook.layout import REPORT, REPORT_SHEET
from indicators.workbook.writer import write_template

# Grants far enough along to have adopted indicators (pipeline grants have not agreed a framework yet).
REPORTING_STATUSES = (
    GrantStatus.ACTIVE,
    GrantStatus.SUSPENDED,
    GrantStatus.CLOSEOUT,
    GrantStatus.CLOSED,
    GrantStatus.TERMINATED,
)

# (indicator code, result node code, per-cell period targets). Every project takes the first six; later
# projects add one to four more, so frameworks have 6-10 indicators.
CORE = [
    ("E1", "1.1", True),
    ("E2", "1", False),
    ("E3", "1", False),
    ("E4", "1.2", False),
    ("L1", "2.1", False),
    ("L5", "2.1", False),
]
EXTRA = [("L3", "2.1", False), ("P1", "1.2", True), ("L2", "2", False), ("S1", "1.2", False)]
# Scale data adopts the whole seeded library (16 indicators, 84 cells per report): a large project.
SCALE_CODES = ("E1", "E2", "E3", "E4", "E5", "L1", "L2", "L3", "L4", "L5", "P1", "P2", "P3", "P4", "S1", "S2")

FRAMEWORK = [
    (
        NodeLevel.GOAL,
        "G",
        None,
        "Migrant children are protected from child labour and their families earn a decent living.",
    ),
    (NodeLevel.OUTCOME, "1", "G", "Migrant children at risk of child labour are in school and learning."),
    (NodeLevel.OUTPUT, "1.1", "1", "Children receive education and vocational services."),
    (NodeLevel.OUTPUT, "1.2", "1", "Adolescents and migrant workers gain skills and know their rights."),
    (NodeLevel.OUTCOME, "2", "G", "Households of participating children have sustainable livelihoods."),
    (NodeLevel.OUTPUT, "2.1", "2", "Households receive livelihood services and productive support."),
]

ACHIEVEMENTS = [
    "Enrolled {n} more children through the back-to-school campaign with local education offices.",
    "Remedial classes ran in all target schools; attendance registers were verified at each visit.",
    "Savings groups held their first share-out; seed capital reached the households selected at baseline.",
    "Labour inspectors completed the second training cycle; two referral agreements were signed.",
]
CHALLENGES = [
    "Seasonal migration to the harvest took families away for six weeks and interrupted attendance.",
    "Heavy rains closed roads to two districts; monitoring visits were postponed by a month.",
    "Delays in the government's approval of the curriculum pushed back the teacher training.",
    "Staff turnover in the partner organisation slowed data entry in the participant database.",
]
NEXT_STEPS = [
    "Start the follow-up survey and extend remedial classes to the new host-community schools.",
    "Hold the mid-term review workshop with the ministry and update the work plan.",
    "Scale the savings groups to the returnee settlements and train new facilitators.",
    "Finalise the referral protocol with the labour inspectorate.",
]


@dataclass
class IndicatorDemoResult:
    projects: int = 0
    periods: int = 0
    project_indicators: int = 0
    targets: int = 0
    revisions: int = 0
    submissions: int = 0
    values: int = 0
    uploads: int = 0


def demo_projects() -> QuerySet[CountryProject]:
    return CountryProject.objects.filter(
        grant__in=grants_demo.demo_grants(), grant__status__in=REPORTING_STATUSES
    ).select_related("grant", "grant__program_officer", "grant__grantee")


def is_loaded() -> bool:
    return ProjectIndicator.objects.filter(country_project__grant__in=grants_demo.demo_grants()).exists()


def delete_for_grants(grants: QuerySet[Grant]) -> None:
    """Everything this module creates under ``grants``, in an order that respects the PROTECT references."""
    for upload in DataUpload.objects.filter(period__grant__in=grants):
        upload.file.delete(save=False)
        upload.delete()
    Submission.objects.filter(country_project__grant__in=grants).delete()
    ProjectIndicator.objects.filter(country_project__grant__in=grants).delete()
    for level in (NodeLevel.OUTPUT, NodeLevel.OUTCOME, NodeLevel.GOAL):
        ResultNode.objects.filter(country_project__grant__in=grants, level=level).delete()
    ReportingPeriod.objects.filter(grant__in=grants).delete()


@transaction.atomic
def delete_indicator_demo() -> None:
    delete_for_grants(grants_demo.demo_grants())


# --- realistic figures ----------------------------------------------------------------------------------------


# (target as a share of what will be achieved, percentage points above the achieved rate), and their weights.
AMBITION = (
    *[(Decimal("1.1"), 5)] * 5,
    (Decimal("1.35"), 20),  # behind
    (Decimal("0.85"), -10),  # ahead
)


class Figures:
    """Per-cell figures that grow steadily from period to period (under the change-warning share), add up where
    the categories are complete, and never break numerator <= denominator."""

    def __init__(self, spec: IndicatorSpec, rng: random.Random, scale: int) -> None:
        self.spec = spec
        self.cells = [key for key in spec.cell_keys if key != TOTAL]
        self.base = {key: rng.randint(scale // 4, scale) for key in self.cells} or {TOTAL: scale}
        # Incomplete categories (migration status) leave some people in no group: the total is larger.
        self.unclassified = 0 if spec.all_complete else rng.randint(1, max(2, scale // 3))
        self.rate = Decimal(rng.randint(55, 75)) / 100
        # How ambitious the agreed targets are: most projects land within the on-track band, some fall behind
        # and a few do better than planned, so the performance pages show every status.
        self.ambition = rng.choice(AMBITION)

    def cells_for(self, k: int) -> dict[str, CellInput]:
        growth = Decimal(100 + 8 * k) / 100
        if self.spec.measure_type == MeasureType.PERCENTAGE:
            share = min(self.rate + Decimal(k) / 50, Decimal("0.95"))
            parts = {key: int(b * growth) for key, b in self.base.items()}
            numer = {key: int(d * share) for key, d in parts.items()}
            out = {
                key: CellInput(numerator=numer[key], denominator=parts[key]) for key in parts if key != TOTAL
            }
            out[TOTAL] = CellInput(numerator=sum(numer.values()), denominator=sum(parts.values()))
            return out
        if self.spec.measure_type == MeasureType.MONEY:
            amount = (Decimal(self.base[TOTAL]) * 137 * growth).quantize(Decimal("0.01"))
            return {TOTAL: CellInput(value=amount)}
        values = {key: int(b * growth) for key, b in self.base.items()}
        out = {key: CellInput(value=v) for key, v in values.items() if key != TOTAL}
        out[TOTAL] = CellInput(value=sum(values.values()) + int(self.unclassified * growth))
        return out


def target_figure(figures: Figures, k: int, cell: str = TOTAL) -> Decimal:
    """A period target around what will be achieved: a little above for most, well above for projects that fall
    behind, below for the few that do better than planned."""
    entry = figures.cells_for(k)[cell]
    factor, points = figures.ambition
    if figures.spec.measure_type == MeasureType.PERCENTAGE:
        percent = Decimal(entry.numerator) * 100 / Decimal(entry.denominator) + points
        return min(Decimal(100), max(Decimal(0), percent.quantize(1)))
    value = Decimal(entry.value) * factor
    return (
        value.quantize(Decimal("0.01"))
        if figures.spec.measure_type == MeasureType.MONEY
        else value.quantize(1)
    )


# --- the demo ---------------------------------------------------------------------------------------------------


def _grantee_user(grant: Grant) -> User:
    """Who types the reports: a grantee user of the organisation, else (no demo login there) the officer."""
    user = User.objects.filter(organisation=grant.grantee, role=User.Role.GRANTEE).order_by("pk").first()
    return user or grant.program_officer or User.objects.filter(is_superuser=True).order_by("pk").first()


def _reviewer(grant: Grant) -> User:
    return grant.program_officer or User.objects.filter(is_superuser=True).order_by("pk").first()


def _framework(project: CountryProject, officer: User) -> dict[str, ResultNode]:
    nodes: dict[str, ResultNode] = {}
    for order, (level, code, parent, statement) in enumerate(FRAMEWORK):
        nodes[code] = services.result_node_create(
            country_project=project,
            level=level,
            code=code,
            statement=statement,
            parent=nodes[parent] if parent else None,
            sort_order=order,
            actor=officer,
        )
    return nodes


def _project_periods(project: CountryProject) -> list[ReportingPeriod]:
    return list(
        ReportingPeriod.objects.filter(
            grant=project.grant, end_date__gte=project.start_date, start_date__lte=project.end_date
        ).order_by("start_date")
    )


@dataclass
class _Adopted:
    pi: ProjectIndicator
    figures: Figures


def _adopt(
    project: CountryProject,
    index: int,
    nodes: dict[str, ResultNode],
    library: dict[str, Indicator],
    periods: list[ReportingPeriod],
    officer: User,
    rng: random.Random,
    result: IndicatorDemoResult,
) -> list[_Adopted]:
    plan = CORE + EXTRA[: index % 5]
    adopted: list[_Adopted] = []
    for order, (code, node, per_cell) in enumerate(plan):
        indicator = library[code]
        scale = 60 if code == "E4" else 300
        fields: dict = {
            "result_node": nodes[node],
            "baseline_date": project.start_date,
            "baseline_source": "Baseline survey"
            if indicator.is_percentage
            else "Project records at start-up",
            "disaggregated_targets": per_cell,
            "sort_order": order,
        }
        if indicator.is_percentage:
            fields["baseline_numerator"], fields["baseline_denominator"] = 45, 120
        else:
            fields["baseline_value"] = 0
        pi = services.project_indicator_create(
            country_project=project, indicator=indicator, actor=officer, **fields
        )
        pi = ProjectIndicator.objects.with_library().get(pk=pi.pk)
        figures = Figures(pi.spec(), rng, scale)
        targets = []
        for k, period in enumerate(periods):
            cells = [TOTAL] + (figures.cells if per_cell else [])
            for cell in cells:
                value = target_figure(figures, k, cell)
                targets.append(
                    Target(
                        project_indicator=pi, period=period, cell_key=cell, value=value, original_value=value
                    )
                )
        Target.objects.bulk_create(targets)
        result.targets += len(targets)
        if indicator.is_percentage or indicator.aggregation == "latest":
            lop = target_figure(figures, len(periods) - 1)
        else:
            lop = sum((target_figure(figures, k) for k in range(len(periods))), Decimal(0))
        services.target_revise(
            project_indicator=pi, new_value=lop, reason="Agreed in the approved CMEP.", actor=officer
        )
        result.revisions += 1
        adopted.append(_Adopted(pi=pi, figures=figures))
    result.project_indicators += len(adopted)
    return adopted


def _revisions(
    project: CountryProject, adopted: list[_Adopted], officer: User, result: IndicatorDemoResult
) -> None:
    """A period target lowered after a setback, and the LOP target raised with the grant's modification."""
    first = adopted[0].pi
    target = (
        Target.objects.filter(project_indicator=first, cell_key=TOTAL).order_by("-period__start_date").first()
    )
    if target is not None:
        services.target_revise(
            target=target,
            new_value=(target.value * Decimal("0.9")).quantize(1),
            reason="School closures after the floods delayed enrolment; agreed at the semi-annual review.",
            actor=officer,
        )
        result.revisions += 1
    modification = project.grant.modifications.order_by("number").first()
    if modification is not None:
        pi = ProjectIndicator.objects.get(pk=adopted[1].pi.pk)
        services.target_revise(
            project_indicator=pi,
            new_value=(pi.lop_target * Decimal("1.15")).quantize(1),
            reason=f"Modification {modification.number} extended the work to new districts.",
            modification=modification,
            actor=officer,
        )
        result.revisions += 1


def _fill(
    submission: Submission,
    adopted: list[_Adopted],
    k: int,
    grantee: User,
    *,
    n: int,
    budget_share: Decimal,
    nothing_to_report: bool = False,
    today: datetime.date | None = None,
) -> Submission:
    values: dict[tuple[int, str], CellInput] = {}
    for item in adopted:
        if nothing_to_report and item.pi.indicator.code == adopted[-1].pi.indicator.code:
            values[(item.pi.pk, TOTAL)] = CellInput(
                nothing_to_report=True,
                comment="No trainings took place this period; they resume next period.",
            )
            continue
        for cell, entry in item.figures.cells_for(k).items():
            values[(item.pi.pk, cell)] = entry
    saved = services.submission_save_draft(
        submission=submission,
        expected_version=submission.version,
        actor=grantee,
        values=values,
        expenditure=str((submission.country_project.budget * budget_share).quantize(Decimal("0.01"))),
        achievements=ACHIEVEMENTS[n % 4].format(n=40 + 10 * k),
        challenges=CHALLENGES[(n + k) % 4],
        next_steps=NEXT_STEPS[(n + 2 * k) % 4],
        today=today,
    )
    return saved.submission


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _backdate(
    submission: Submission,
    period: ReportingPeriod,
    today: datetime.date,
    *,
    waiting: int | None,
    review_days: int = 0,
) -> None:
    """Give a report's trail the dates it would have had: started after the period ended, submitted before it was
    due (or ``waiting`` days ago for one still awaiting review), reviewed ``review_days`` later. The services stamp
    everything with the moment the demo loads, which would make every report look a day old."""
    started = min(period.end_date + datetime.timedelta(days=3), today)
    submitted = min(period.due_date - datetime.timedelta(days=2), today - datetime.timedelta(days=1))
    if waiting is not None:
        submitted = today - datetime.timedelta(days=waiting)
    submitted = max(submitted, started)
    reviewed = min(submitted + datetime.timedelta(days=review_days), today)
    when = {
        SubmissionStatus.DRAFT: _at(started, 9),
        SubmissionStatus.SUBMITTED: _at(submitted, 16),
        SubmissionStatus.APPROVED: _at(reviewed, 11),
        SubmissionStatus.RETURNED: _at(reviewed, 11),
    }
    for status, at in when.items():
        SubmissionTransition.objects.filter(submission=submission, to_status=status).update(at=at)
    submission.comments.update(at=when[SubmissionStatus.RETURNED])
    fields = {"created_at": when[SubmissionStatus.DRAFT]}
    if submission.submitted_at is not None:
        fields["submitted_at"] = when[SubmissionStatus.SUBMITTED]
    Submission.objects.filter(pk=submission.pk).update(**fields)


def _report(
    project: CountryProject,
    index: int,
    adopted: list[_Adopted],
    periods: list[ReportingPeriod],
    today: datetime.date,
    result: IndicatorDemoResult,
) -> None:
    grantee, officer = _grantee_user(project.grant), _reviewer(project.grant)
    started = [p for p in periods if p.start_date <= today]
    ended = [p for p in started if p.end_date < today]
    current = [p for p in started if p.end_date >= today]
    span = max(len(periods), 1)
    for k, period in enumerate(started):
        last = period is ended[-1] if ended else False
        if period in current and index % 2:
            continue  # some projects have not started their current report yet
        # Entered when it would have been (just after the period ended), so the entry-window lock of past
        # periods (due date plus grace) does not refuse the demo's history.
        entered = min(period.end_date + datetime.timedelta(days=3), today)
        submission = services.submission_get_or_create_draft(
            country_project=project, period=period, actor=grantee, today=entered
        )
        share = Decimal(k + 1) / span * Decimal("0.85")
        submission = _fill(
            submission,
            adopted,
            k,
            grantee,
            n=index,
            budget_share=share,
            nothing_to_report=last and index % 4 == 1,
            today=entered,
        )
        result.submissions += 1
        if period in current:
            _backdate(submission, period, today, waiting=None)
            continue  # the current period is a draft
        submission = services.submission_submit(submission=submission, actor=grantee, today=entered)
        if last and index % 4 == 1:
            _backdate(submission, period, today, waiting=2 + index % 9)
            continue  # awaiting review
        if last and index % 4 == 2:
            services.review_comment_add(
                submission=submission,
                actor=officer,
                project_indicator=adopted[0].pi,
                text="This is well above the enrolment lists we saw at the site visit; please check.",
            )
            services.submission_return(
                submission=submission,
                actor=officer,
                comment="Please reconcile E1 with the attendance registers and explain the jump in expenditure.",
            )
            _backdate(submission, period, today, waiting=None, review_days=4 + index % 6)
            continue
        services.submission_approve(
            submission=submission, actor=officer, comment="Consistent with the site visit."
        )
        _backdate(submission, period, today, waiting=None, review_days=5 + (index + k) % 15)
    result.values += ActualValue.objects.filter(submission__country_project=project).count()


@transaction.atomic
def load_indicator_demo(*, today: datetime.date | None = None) -> IndicatorDemoResult:
    today = today or datetime.date.today()
    rng = random.Random(2024)
    result = IndicatorDemoResult()
    library = {indicator.code: indicator for indicator in Indicator.objects.all()}
    grants = Grant.objects.filter(pk__in=demo_projects().values("grant")).select_related("program_officer")
    for grant in grants:
        before = grant.reporting_periods.count()
        services.reporting_periods_generate(grant=grant, actor=_reviewer(grant))
        result.periods += grant.reporting_periods.count() - before
    for index, project in enumerate(demo_projects().order_by("grant__award_number", "pk")):
        officer = _reviewer(project.grant)
        nodes = _framework(project, officer)
        periods = _project_periods(project)
        adopted = _adopt(project, index, nodes, library, periods, officer, rng, result)
        _revisions(project, adopted, officer, result)
        # Adolescents completing vocational training are among the children receiving services.
        by_code = {item.pi.indicator.code: item.pi for item in adopted}
        services.cross_indicator_rule_create(
            country_project=project,
            left=by_code["E4"],
            operator=Operator.LTE,
            right=by_code["E1"],
            actor=officer,
        )
        _report(project, index, adopted, periods, today, result)
        result.projects += 1
    _upload(today, result)
    _reopen_one(today)
    return result


def _reopen_one(today: datetime.date) -> None:
    """One past period reopened for late entry, so the demo shows a reopened period beside the locked ones
    (every earlier period past its due date plus grace is locked for grantees)."""
    grace = grace_days()
    period = (
        ReportingPeriod.objects.filter(
            grant__in=demo_projects().values("grant"),
            status=PeriodStatus.OPEN,
            due_date__lt=today - datetime.timedelta(days=grace),
        )
        .select_related("grant__program_officer")
        .order_by("grant__award_number", "-start_date")
        .first()
    )
    if period is None:
        return
    services_periods.reporting_period_reopen(
        period=period,
        until=today + datetime.timedelta(days=14),
        actor=_reviewer(period.grant),
        note="The district education office sent its attendance registers late.",
        today=today,
    )


def _upload(today: datetime.date, result: IndicatorDemoResult) -> None:
    """One current draft filled in part from a spreadsheet, through the same service as the web upload: the
    grantee downloads the template, writes the next steps in it and uploads it, so the report's timeline
    shows the upload and its file."""
    draft = (
        Submission.objects.filter(
            country_project__in=demo_projects(),
            status=SubmissionStatus.DRAFT,
            period__end_date__gte=today,
            # An organisation with a demo login, so the upload is there to see when signing in as its grantee.
            country_project__grant__grantee__in=User.objects.filter(role=User.Role.GRANTEE).values(
                "organisation"
            ),
        )
        .select_related("country_project__grant", "period__grant")
        .order_by("country_project__grant__award_number", "country_project__pk")
        .first()
    )
    if draft is None:
        return
    buffer = io.BytesIO()
    write_template(
        template_data(
            projects=CountryProject.objects.filter(pk=draft.country_project_id), period=draft.period
        ),
        buffer,
    )
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    workbook[REPORT_SHEET].cell(2, REPORT["next_steps"].index).value = (
        "Hand the attendance registers of the new learning centres to the district education office; "
        "second round of vocational guidance for adolescents."
    )
    filled = io.BytesIO()
    workbook.save(filled)
    project = draft.country_project
    upload = upload_receive(
        actor=_grantee_user(project.grant),
        name=f"indicator-data-{project.grant.award_number}-{project.country.code}.xlsx",
        data=filled.getvalue(),
        expected_project=project,
        expected_period=draft.period,
        apply=True,
        background=False,
    )
    result.uploads += upload.status == UploadStatus.APPLIED
