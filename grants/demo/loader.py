"""Loading and deleting the demo portfolio through grants.services, with trails and evidence files."""

from __future__ import annotations

import calendar
import datetime
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Min, ProtectedError, Q, QuerySet, RestrictedError
from django.utils import timezone

from grants import services
from grants.demo.data import GRANTS, GrantSpec, ModSpec
from grants.demo.people import SCALE_PREFIX, ensure_people, ensure_reference_lists
from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Milestone,
    MilestoneCategory,
    MilestoneEvidence,
    MilestoneStatus,
    MilestoneStatusChange,
    Modification,
)

DEMO_SERIALS = tuple(spec.serial for spec in GRANTS)


def demo_grants() -> QuerySet[Grant]:
    query = Q()
    for serial in DEMO_SERIALS:
        query |= Q(award_number__startswith=f"IL-{serial}-")
    return Grant.objects.filter(query)


def scale_grants() -> QuerySet[Grant]:
    return Grant.objects.filter(award_number__startswith=SCALE_PREFIX)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def award_number(serial: str, start: datetime.date) -> str:
    # Serial, two-digit fiscal year of the award (US fiscal years start on 1 October), the office's suffix.
    fiscal_year = start.year + (1 if start.month >= 10 else 0)
    return f"IL-{serial}-{fiscal_year % 100:02d}-75-K"


@dataclass(frozen=True)
class PlannedMilestone:
    title: str
    category: str
    due: datetime.date


def _half_year_reports(start: datetime.date, end: datetime.date) -> list[tuple[str, datetime.date]]:
    """US fiscal half-years overlapping [start, end]: (label, report due date = 30 days after the period)."""
    periods = []
    year = start.year - 1
    while True:
        for first, last, label in (
            (
                datetime.date(year, 10, 1),
                datetime.date(year + 1, 3, 31),
                f"October {year} to March {year + 1}",
            ),
            (datetime.date(year + 1, 4, 1), datetime.date(year + 1, 9, 30), f"April to September {year + 1}"),
        ):
            if first > end:
                return periods
            if last >= start:
                periods.append((label, last + datetime.timedelta(days=30)))
        year += 1


ACTIVITIES = (
    (
        "Train teachers in flexible, inclusive education for migrant children in {region}",
        MilestoneCategory.ACTIVITY,
    ),
    ("Open after-school learning centres in {region}", MilestoneCategory.ACTIVITY),
    (
        "Start the vocational training cohort for adolescents of working age in {region}",
        MilestoneCategory.ACTIVITY,
    ),
    ("Set up village savings and loan groups for migrant households in {region}", MilestoneCategory.ACTIVITY),
    ("Know-your-rights sessions for migrant workers in {region}", MilestoneCategory.ACTIVITY),
    ("Workshop with labour inspectors on child labour in agriculture, {region}", MilestoneCategory.ACTIVITY),
    ("Referral protocol agreed with child protection services in {region}", MilestoneCategory.ACTIVITY),
    ("Community child labour monitoring committees set up in {region}", MilestoneCategory.ACTIVITY),
    ("Program officer site visit to {region}", MilestoneCategory.SITE_VISIT),
)


def plan_milestones(project: CountryProject, index: int, today: datetime.date) -> list[PlannedMilestone]:
    """The standard deliverables of a country project plus a few work-plan activities."""
    start, end = project.start_date, project.end_date
    country = project.country.name
    days = datetime.timedelta
    plan = [
        PlannedMilestone(f"Project work plan — {country}", MilestoneCategory.WORK_PLAN, start + days(90)),
        PlannedMilestone(f"Baseline study — {country}", MilestoneCategory.BASELINE, start + days(180)),
        PlannedMilestone(
            f"Comprehensive monitoring and evaluation plan (CMEP) — {country}",
            MilestoneCategory.CMEP,
            start + days(240),
        ),
    ]
    for label, due in _half_year_reports(start, end):
        plan.append(
            PlannedMilestone(f"Technical progress report, {label}", MilestoneCategory.TECHNICAL_REPORT, due)
        )
        plan.append(
            PlannedMilestone(f"Financial report (SF-425), {label}", MilestoneCategory.FINANCIAL_REPORT, due)
        )
    midpoint = start + (end - start) / 2
    plan.append(
        PlannedMilestone(f"Midterm evaluation — {country}", MilestoneCategory.MIDTERM_EVALUATION, midpoint)
    )
    plan.append(
        PlannedMilestone(f"Final evaluation — {country}", MilestoneCategory.FINAL_EVALUATION, end - days(60))
    )
    regions = project.region_list or [country]
    # Three activities: one early in the project, one recently due and one due within the next 30 days, so
    # the demo always shows late work and work coming up (dates clipped into the project's period).
    for n, due in enumerate(
        (start + days(150), today - days(10 + (index * 7) % 40), today + days(5 + (index * 5) % 22))
    ):
        title, category = ACTIVITIES[(index * 3 + n) % len(ACTIVITIES)]
        clipped = min(max(due, start + days(1)), end)
        plan.append(
            PlannedMilestone(title.format(region=regions[(index + n) % len(regions)]), category, clipped)
        )
    return sorted(plan, key=lambda m: (m.due, m.title))


@dataclass(frozen=True)
class Step:
    """One status change to apply, on the day it happened (used to date the trail)."""

    to_status: str
    day: datetime.date
    note: str = ""
    completed_on: datetime.date | None = None


LATE_REASONS = (
    "Waiting for the grantee's revised draft after comments.",
    "Field work postponed by the rainy season; new date agreed with the grantee.",
    "Data collection delayed by school holidays.",
    "Partner staff turnover; replacement recruited.",
    "Security situation in the target region delayed field visits.",
)


def milestone_steps(
    milestone: PlannedMilestone, grant: GrantSpec, today: datetime.date, rng: random.Random
) -> list[Step]:
    """The status trail a milestone of this grant would plausibly have by today."""
    days = datetime.timedelta
    due = milestone.due

    def completed(on: datetime.date) -> list[Step]:
        on = min(on, today)
        if on > due + days(10):
            return [
                Step(MilestoneStatus.DELAYED, due + days(1), rng.choice(LATE_REASONS)),
                Step(MilestoneStatus.COMPLETED, on, completed_on=on),
            ]
        return [
            Step(MilestoneStatus.IN_PROGRESS, min(due - days(20), on)),
            Step(MilestoneStatus.COMPLETED, on, completed_on=on),
        ]

    if grant.status == GrantStatus.PIPELINE:
        return []
    if grant.status in (GrantStatus.CLOSED, GrantStatus.CLOSEOUT):
        if due >= today:
            return [Step(MilestoneStatus.IN_PROGRESS, today - days(5))]
        if milestone.category == MilestoneCategory.ACTIVITY and rng.random() < 0.08:
            return [
                Step(
                    MilestoneStatus.CANCELLED,
                    due - days(30),
                    "Dropped from the work plan at the annual review.",
                )
            ]
        return completed(due + days(rng.randint(-10, 20)))
    stop = today + days(grant.suspended) if grant.suspended is not None else None
    if grant.status == GrantStatus.TERMINATED and stop is not None and due >= stop:
        ended = today + days(grant.terminated or 0)
        return [Step(MilestoneStatus.CANCELLED, ended, f"Grant terminated on {ended:%d %b %Y}.")]
    if grant.status == GrantStatus.SUSPENDED and stop is not None and stop <= due < today:
        return [Step(MilestoneStatus.DELAYED, due + days(1), "On hold while the grant is suspended.")]
    if due < today - days(60):
        if (
            milestone.category in (MilestoneCategory.ACTIVITY, MilestoneCategory.SITE_VISIT)
            and rng.random() < 0.06
        ):
            return [
                Step(
                    MilestoneStatus.CANCELLED,
                    due - days(15),
                    "Replaced by a joint activity with the partner.",
                )
            ]
        return completed(due + days(rng.choice((-7, -3, 0, 2, 5, 12, 25))))
    if due < today:
        # Recently due: a mix of done, late and not started, so "overdue" is never empty.
        roll = rng.random()
        if roll < 0.35:
            return completed(due + days(rng.randint(-5, 5)))
        if roll < 0.65:
            return [Step(MilestoneStatus.DELAYED, due + days(1), rng.choice(LATE_REASONS))]
        if roll < 0.85:
            return [Step(MilestoneStatus.IN_PROGRESS, due - days(14))]
        return []
    if due <= today + days(30) and rng.random() < 0.5:
        return [Step(MilestoneStatus.IN_PROGRESS, today - days(rng.randint(1, 10)))]
    return []


@dataclass
class LoadResult:
    grants: int = 0
    projects: int = 0
    milestones: int = 0
    modifications: int = 0
    evidence: int = 0
    grant_status_changes: int = 0
    milestone_status_changes: int = 0
    seconds: float = 0.0
    stored_files: list[str] = field(default_factory=list)


class _Trail:
    """Dates for status-change rows, in the order the services write them.

    Services stamp a status change with the time it is written; a demo loaded today would show years of
    history happening in one second, so afterwards each row gets the day the change would have happened.
    """

    def __init__(self) -> None:
        self.grant_days: list[datetime.date] = []
        self.milestone_days: list[datetime.date] = []

    @staticmethod
    def _stamp(day: datetime.date, n: int) -> datetime.datetime:
        # Seconds apart, in writing order, so rows of the same day keep their order.
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(seconds=n)
        )

    def apply(self, grant_ids: list[int]) -> None:
        # Each event's time as written and as it would have happened, by the record it belongs to ("grant",
        # "milestone" or "modification" and its id): the history rows are re-dated from them.
        moved: dict[tuple[str, int], list[tuple[datetime.datetime, datetime.datetime]]] = {}
        for model, key, days_list, owner in (
            (GrantStatusChange, "grant_id__in", self.grant_days, "grant"),
            (
                MilestoneStatusChange,
                "milestone__country_project__grant_id__in",
                self.milestone_days,
                "milestone",
            ),
        ):
            rows = list(model.objects.filter(**{key: grant_ids}).order_by("pk"))
            if len(rows) != len(days_list):  # pragma: no cover - a service wrote more rows than expected
                raise RuntimeError(f"{model.__name__}: {len(rows)} rows, {len(days_list)} dates")
            for n, (row, day) in enumerate(zip(rows, days_list, strict=True)):
                written, row.at = row.at, self._stamp(day, n)
                moved.setdefault((owner, getattr(row, f"{owner}_id")), []).append((written, row.at))
            model.objects.bulk_update(rows, ["at"], batch_size=500)
        # A modification is recorded on its effective date; a milestone was logged when its trail starts.
        modifications = list(Modification.objects.filter(grant_id__in=grant_ids))
        for modification in modifications:
            written = modification.created_at
            modification.created_at = self._stamp(modification.effective_date, 0)
            event = (written, modification.created_at)
            moved.setdefault(("modification", modification.pk), []).append(event)
            moved.setdefault(("grant", modification.grant_id), []).append(event)
        Modification.objects.bulk_update(modifications, ["created_at"], batch_size=500)
        self._redate_history(grant_ids, moved)
        first_change = dict(
            MilestoneStatusChange.objects.filter(milestone__country_project__grant_id__in=grant_ids)
            .values("milestone_id")
            .annotate(first=Min("at"))
            .values_list("milestone_id", "first")
        )
        milestones = list(Milestone.objects.filter(pk__in=first_change))
        for milestone in milestones:
            milestone.created_at = first_change[milestone.pk]
        Milestone.objects.bulk_update(milestones, ["created_at"], batch_size=500)

    @staticmethod
    def _redate_history(
        grant_ids: list[int], moved: dict[tuple[str, int], list[tuple[datetime.datetime, datetime.datetime]]]
    ) -> None:
        """The history rows (the "Recent changes" and history pages) dated like the events they record.

        A service call writes a record's history row and its status change (or modification) within
        microseconds, and the record's next change comes in a later call, so each history row belongs to the
        event of the same record written nearest to it in time, and takes that event's date. A country
        project has no events of its own: its rows go by its grant's and its milestones' events.
        """
        project_events: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
        for project_id, grant_id, milestone_id in Milestone.objects.filter(
            country_project__grant_id__in=grant_ids
        ).values_list("country_project_id", "country_project__grant_id", "pk"):
            events = project_events.setdefault(project_id, list(moved.get(("grant", grant_id), [])))
            events.extend(moved.get(("milestone", milestone_id), []))
        histories = (
            (Grant.history.model, Q(id__in=grant_ids), lambda row: moved.get(("grant", row.id))),
            (
                Modification.history.model,
                Q(grant_id__in=grant_ids),
                lambda row: moved.get(("modification", row.id)),
            ),
            (CountryProject.history.model, Q(grant_id__in=grant_ids), lambda row: project_events.get(row.id)),
            (
                Milestone.history.model,
                Q(country_project_id__in=list(project_events)),
                lambda row: moved.get(("milestone", row.id)),
            ),
        )
        for model, scope, events_of in histories:
            rows = list(model.objects.filter(scope).order_by("history_date", "history_id"))
            for n, row in enumerate(rows):
                events = events_of(row)
                if events:
                    # The rank in microseconds keeps rows given the same date in their order.
                    nearest = min(events, key=lambda event: abs(event[0] - row.history_date))
                    row.history_date = nearest[1] + datetime.timedelta(microseconds=n)
            model.objects.bulk_update(rows, ["history_date"], batch_size=500)


def _tiny_pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 770, title)
    pdf.setFont("Helvetica", 10)
    for n, line in enumerate(lines):
        pdf.drawString(72, 740 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@transaction.atomic
def load_demo_portfolio(*, today: datetime.date | None = None) -> LoadResult:
    """Load the demo portfolio through the services. The caller checks that it is not loaded yet."""
    today = today or datetime.date.today()
    people = ensure_people()
    users, orgs = people.users, people.organisations
    admin = users["admin"]
    themes, groups = ensure_reference_lists()
    days = datetime.timedelta
    trail = _Trail()
    result = LoadResult()
    created: list[Grant] = []
    project_index = 0
    by_key: dict[tuple[str, str], Milestone] = {}

    for spec in GRANTS:
        officer = users[spec.officer]
        start = today + days(spec.start)
        end = add_months(start, spec.months) - days(1)
        grant = services.grant_create(
            actor=admin,
            themes=[themes[code] for code in spec.themes],
            award_number=award_number(spec.serial, start),
            title=spec.title,
            grantee=orgs[spec.grantee],
            program_officer=officer,
            start_date=start,
            end_date=end,
            obligated_amount=Decimal(spec.amount),
            summary=spec.summary,
            reporting_frequency=spec.frequency,
        )
        trail.grant_days.append(min(start - days(45), today))
        created.append(grant)
        rng = random.Random(spec.serial)

        for n, project_spec in enumerate(spec.projects):
            project_start = start + days(30 * (n % 3))
            project = services.country_project_create(
                grant=grant,
                actor=officer,
                implementing_partners=[orgs[key] for key in project_spec.partners],
                target_groups=[groups[code] for code in project_spec.groups],
                country=project_spec.country,
                title=project_spec.title,
                budget=(Decimal(spec.amount) * Decimal(project_spec.share)).quantize(Decimal("1000")),
                target_regions=project_spec.regions,
                start_date=project_start,
                end_date=end,
            )
            result.projects += 1
            for planned in plan_milestones(project, project_index, today):
                milestone = services.milestone_create(
                    country_project=project,
                    actor=officer,
                    title=planned.title,
                    category=planned.category,
                    due_date=planned.due,
                )
                trail.milestone_days.append(min(project_start, today))
                for step in milestone_steps(planned, spec, today, rng):
                    # A step dated before the project started is recorded on the project's first day.
                    day = min(max(step.day, project_start), today)
                    milestone = services.milestone_transition(
                        milestone=milestone,
                        to_status=step.to_status,
                        actor=officer,
                        note=step.note,
                        completed_on=max(step.completed_on, project_start) if step.completed_on else None,
                        today=max(day, step.completed_on or day),
                    )
                    trail.milestone_days.append(day)
                by_key[(spec.serial + project_spec.country, planned.category)] = milestone
                result.milestones += 1
            project_index += 1

        # Status changes and modifications in the order they happened.
        events: list[tuple[datetime.date, str, object]] = []
        if spec.status != GrantStatus.PIPELINE:
            events.append((start, "status", (GrantStatus.ACTIVE, "Agreement signed; activities start.")))
        if spec.suspended is not None:
            events.append(
                (
                    today + days(spec.suspended),
                    "status",
                    (
                        GrantStatus.SUSPENDED,
                        "Suspended pending resolution of audit findings on sub-award procurement.",
                    ),
                )
            )
        if spec.terminated is not None:
            events.append(
                (
                    today + days(spec.terminated),
                    "status",
                    (
                        GrantStatus.TERMINATED,
                        "Terminated for convenience: the grantee could not resolve the audit findings.",
                    ),
                )
            )
        for mod in spec.modifications:
            events.append((today + days(mod.day), "modification", mod))
        current_end = end
        for day, kind, payload in sorted(events, key=lambda e: e[0]):
            if kind == "status":
                to_status, note = payload  # type: ignore[misc]
                grant = services.grant_transition(grant=grant, to_status=to_status, actor=officer, note=note)
                trail.grant_days.append(day)
            else:
                mod: ModSpec = payload  # type: ignore[assignment]
                new_end = add_months(current_end, mod.extend_months) if mod.extend_months else None
                services.modification_apply(
                    grant=grant,
                    actor=officer,
                    kind=mod.kind,
                    effective_date=day,
                    reason=mod.reason,
                    amount_change=Decimal(mod.amount),
                    new_end_date=new_end,
                )
                current_end = new_end or current_end
                result.modifications += 1
        if spec.status in (GrantStatus.CLOSEOUT, GrantStatus.CLOSED):
            services.grant_transition(
                grant=grant,
                to_status=GrantStatus.CLOSEOUT,
                actor=officer,
                note="Period of performance ended; final reports due.",
            )
            trail.grant_days.append(min(current_end + days(1), today))
        if spec.status == GrantStatus.CLOSED:
            services.grant_transition(
                grant=grant,
                to_status=GrantStatus.CLOSED,
                actor=officer,
                note="Final technical and financial reports accepted; award closed.",
            )
            trail.grant_days.append(min(current_end + days(120), today))
        result.grants += 1

    # Evidence uploaded by the two demo grantees on their own grants' completed deliverables.
    for key, uploader, name, lines in (
        (
            ("32847GT", MilestoneCategory.BASELINE),
            users["grantee_a"],
            "linea-de-base-guatemala.pdf",
            [
                "Estudio de línea de base — Puentes Guatemala",
                "Muestra: 1.240 hogares migrantes en 3 departamentos.",
                "Tasa de trabajo infantil entre niñas y niños de 5 a 17 años: 23,4 %.",
            ],
        ),
        (
            ("31955CI", MilestoneCategory.WORK_PLAN),
            users["grantee_b"],
            "plan-de-travail-cote-divoire.pdf",
            [
                "Plan de travail annuel — Seconde Chance Côte d'Ivoire",
                "Classes passerelles : 48 classes, 1 920 enfants.",
                "Comités communautaires de surveillance du travail des enfants : 32.",
            ],
        ),
    ):
        milestone = by_key[key]
        payload = _tiny_pdf(name, lines)
        evidence = services.evidence_add(
            milestone=milestone,
            actor=uploader,
            name=name,
            stream=io.BytesIO(payload),
            size=len(payload),
            description=lines[0],
        )
        result.stored_files.append(evidence.file.name)
        result.evidence += 1

    grant_ids = [g.pk for g in created]
    trail.apply(grant_ids)
    result.grant_status_changes = len(trail.grant_days)
    result.milestone_status_changes = len(trail.milestone_days)
    return result


# --- deleting ----------------------------------------------------------------------------------------------


def _delete_with_dependents(queryset: QuerySet, depth: int = 0) -> None:
    """Delete rows and, first, every row that protects them (they all hang off the demo grants)."""
    if depth > 10:  # pragma: no cover - a reference cycle would otherwise loop
        raise RuntimeError("Could not delete the demo data: references go round in a circle.")
    while True:
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except (ProtectedError, RestrictedError) as exc:
            blockers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            by_model: dict[type[models.Model], list[int]] = {}
            for obj in blockers:
                by_model.setdefault(type(obj), []).append(obj.pk)
            for model, pks in by_model.items():
                _delete_with_dependents(model._default_manager.filter(pk__in=pks), depth + 1)


def _evidence_files(grants: QuerySet[Grant]) -> list[str]:
    return list(
        MilestoneEvidence.objects.filter(milestone__country_project__grant__in=grants).values_list(
            "file", flat=True
        )
    )


def _remove_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def delete_demo_portfolio() -> int:
    """Delete the demo grants and everything under them (history of the deletion is kept). Returns the count."""
    grants = demo_grants()
    count = grants.count()
    files = _evidence_files(grants)
    with transaction.atomic():
        _delete_with_dependents(Milestone.objects.filter(country_project__grant__in=grants))
        _delete_with_dependents(Modification.objects.filter(grant__in=grants))
        _delete_with_dependents(CountryProject.objects.filter(grant__in=grants))
        _delete_with_dependents(grants)
        transaction.on_commit(lambda: _remove_files(files))
    return count


def delete_scale_portfolio() -> int:
    """Delete the synthetic grants fast, with plain DELETEs (they were written without history either)."""
    grants = scale_grants()
    count = grants.count()
    files = _evidence_files(grants)
    ids = grants.values("pk")
    project = CountryProject.objects.filter(grant__in=ids).values("pk")
    milestone = Milestone.objects.filter(country_project__grant__in=ids).values("pk")
    with transaction.atomic():
        for queryset in (
            MilestoneStatusChange.objects.filter(milestone__in=milestone),
            MilestoneEvidence.objects.filter(milestone__in=milestone),
            Milestone.objects.filter(pk__in=milestone),
            CountryProject.implementing_partners.through.objects.filter(countryproject__in=project),
            CountryProject.target_groups.through.objects.filter(countryproject__in=project),
            CountryProject.objects.filter(pk__in=project),
            GrantStatusChange.objects.filter(grant__in=ids),
            Modification.objects.filter(grant__in=ids),
            Grant.themes.through.objects.filter(grant__in=ids),
            Grant.objects.filter(pk__in=ids),
        ):
            # Materialised first: SQLite and MySQL dislike deleting from a table the subquery reads.
            pks = list(queryset.values_list("pk", flat=True))
            for chunk in range(0, len(pks), 5000):
                queryset.model._default_manager.filter(pk__in=pks[chunk : chunk + 5000])._raw_delete(
                    queryset.db
                )
        transaction.on_commit(lambda: _remove_files(files))
    return count
