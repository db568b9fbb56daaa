"""The scale portfolio: hundreds of synthetic grants written with bulk_create."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django_countries import countries

from grants.demo.loader import add_months
from grants.demo.people import SCALE_PREFIX, Kind, People, Role, ensure_people, ensure_reference_lists
from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Milestone,
    MilestoneCategory,
    MilestoneStatus,
    MilestoneStatusChange,
    Organisation,
    User,
)

# --- the scale portfolio -----------------------------------------------------------------------------------


SCALE_ORG_WORDS = (
    ("Fundación", "Niñez", Kind.NGO),
    ("Association", "Enfance et Travail", Kind.NGO),
    ("Instituto", "Trabalho Decente", Kind.UNIVERSITY),
    ("Centre", "Migration Studies", Kind.UNIVERSITY),
    ("Programme", "Children on the Move", Kind.UN_AGENCY),
    ("Network", "Fair Recruitment", Kind.NGO),
    ("Corporación", "Educación Rural", Kind.NGO),
    ("Initiative", "Safe Work", Kind.PRIVATE),
)
SCALE_PLACES = (
    "Andina",
    "del Pacífico",
    "Sahel",
    "Mekong",
    "Great Lakes",
    "Caribe",
    "du Golfe de Guinée",
    "South Asia",
    "Amazonía",
    "Horn of Africa",
)
SCALE_COUNTRIES = (
    "GT",
    "HN",
    "SV",
    "MX",
    "CO",
    "PE",
    "EC",
    "BR",
    "BO",
    "PY",
    "DO",
    "HT",
    "CI",
    "GH",
    "BF",
    "SN",
    "ML",
    "ET",
    "KE",
    "UG",
    "TZ",
    "MW",
    "NP",
    "BD",
    "KH",
    "TH",
    "PH",
    "ID",
    "VN",
    "MM",
    "LA",
    "IN",
    "PK",
    "LK",
    "JO",
    "LB",
)
# 60 % active, then the rest of the lifecycle; every status appears from 20 grants on.
SCALE_STATUS_CYCLE = (
    GrantStatus.ACTIVE,
    GrantStatus.CLOSED,
    GrantStatus.ACTIVE,
    GrantStatus.PIPELINE,
    GrantStatus.ACTIVE,
    GrantStatus.CLOSEOUT,
    GrantStatus.ACTIVE,
    GrantStatus.SUSPENDED,
    GrantStatus.ACTIVE,
    GrantStatus.CLOSED,
    GrantStatus.ACTIVE,
    GrantStatus.ACTIVE,
    GrantStatus.TERMINATED,
    GrantStatus.ACTIVE,
    GrantStatus.CLOSED,
    GrantStatus.ACTIVE,
    GrantStatus.ACTIVE,
    GrantStatus.PIPELINE,
    GrantStatus.ACTIVE,
    GrantStatus.ACTIVE,
)
SCALE_PROJECTS_CYCLE = (3, 2, 4, 3, 1, 5, 3, 3, 2, 4)  # 3 a grant on average
SCALE_MILESTONES_PER_PROJECT = 23
SCALE_TITLES = (
    "Education and livelihoods for migrant children",
    "Reducing child labour in agriculture",
    "Fair recruitment and labour rights for migrant workers",
    "Safe work for adolescents of working age",
    "Reintegration of returning migrant workers",
    "School retention in mining and fishing communities",
    "Ending forced labour in supply chains",
)


@dataclass
class ScaleResult:
    grants: int = 0
    projects: int = 0
    milestones: int = 0
    milestone_status_changes: int = 0
    grant_status_changes: int = 0
    links: int = 0
    seconds: float = 0.0


def _scale_organisations(count: int) -> list[Organisation]:
    wanted = []
    for n in range(count):
        prefix, focus, kind = SCALE_ORG_WORDS[n % len(SCALE_ORG_WORDS)]
        place = SCALE_PLACES[(n // len(SCALE_ORG_WORDS)) % len(SCALE_PLACES)]
        number = n // (len(SCALE_ORG_WORDS) * len(SCALE_PLACES))
        name = f"{prefix} {focus} {place}" + (f" {number + 1}" if number else "")
        wanted.append(
            Organisation(name=name, acronym=f"SYN{n + 1:03d}", kind=kind, headquarters_country="US")
        )
    Organisation.objects.bulk_create(wanted, ignore_conflicts=True)
    return list(Organisation.objects.filter(name__in=[o.name for o in wanted]).order_by("acronym"))


def _scale_officers(people: People, count: int = 8) -> list[User]:
    officers = [people.users["officer1"], people.users["officer2"]]
    for n in range(count):
        user, created = User.objects.get_or_create(
            username=f"scale_officer{n + 1:02d}",
            defaults={
                "role": Role.PROGRAM_OFFICER,
                "first_name": "Synthetic",
                "last_name": f"Officer {n + 1:02d}",
            },
        )
        if created:
            user.set_unusable_password()  # synthetic staff never sign in
            user.save(update_fields=["password"])
        officers.append(user)
    return officers


def _scale_milestone_status(
    due: datetime.date, grant_status: str, today: datetime.date, n: int
) -> tuple[str, datetime.date | None]:
    """A deterministic status for a synthetic milestone, from its due date and the grant's status."""
    if grant_status == GrantStatus.PIPELINE:
        return MilestoneStatus.PLANNED, None
    if grant_status == GrantStatus.TERMINATED and due >= today - datetime.timedelta(days=120):
        return MilestoneStatus.CANCELLED, None
    if due < today:
        bucket = n % 20
        if grant_status in (GrantStatus.CLOSED, GrantStatus.CLOSEOUT) or due < today - datetime.timedelta(
            days=90
        ):
            if bucket == 0:
                return MilestoneStatus.CANCELLED, None
            return MilestoneStatus.COMPLETED, min(due + datetime.timedelta(days=n % 15), today)
        if bucket < 8:
            return MilestoneStatus.COMPLETED, due
        return (MilestoneStatus.DELAYED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.PLANNED)[
            bucket % 3
        ], None
    if due <= today + datetime.timedelta(days=30) and n % 2:
        return MilestoneStatus.IN_PROGRESS, None
    return MilestoneStatus.PLANNED, None


def _scale_kind(k: int) -> tuple[str, str]:
    """The k-th milestone of a synthetic project: the three start-up deliverables, then reports and
    activities in turn, one midterm and one final evaluation."""
    if k < 3:
        return (
            ("Project work plan", MilestoneCategory.WORK_PLAN),
            ("Baseline study", MilestoneCategory.BASELINE),
            ("Comprehensive monitoring and evaluation plan (CMEP)", MilestoneCategory.CMEP),
        )[k]
    if k == SCALE_MILESTONES_PER_PROJECT // 2:
        return "Midterm evaluation", MilestoneCategory.MIDTERM_EVALUATION
    if k == SCALE_MILESTONES_PER_PROJECT - 2:
        return "Final evaluation", MilestoneCategory.FINAL_EVALUATION
    return (
        ("Technical progress report", MilestoneCategory.TECHNICAL_REPORT),
        ("Financial report (SF-425)", MilestoneCategory.FINANCIAL_REPORT),
        ("Work-plan activity", MilestoneCategory.ACTIVITY),
    )[k % 3]


@transaction.atomic
def load_scale_portfolio(
    *,
    grants: int,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Bulk-insert a synthetic portfolio: `grants` grants, ~3 country projects each, 23 milestones a project.

    No services and no django-simple-history rows (bulk_create bypasses both); grant and milestone status
    rows are written so trails and "recent changes" are not empty.
    """
    today = today or datetime.date.today()
    say = progress or (lambda message: None)
    days = datetime.timedelta
    people = ensure_people()
    organisations = _scale_organisations(max(10, grants // 8))
    # The two demo grantee organisations get a share, so their users see a long list too.
    grantees = [people.organisations["fce"], people.organisations["ipet"], *organisations]
    officers = _scale_officers(people)
    theme_map, group_map = ensure_reference_lists()
    themes, groups = list(theme_map.values()), list(group_map.values())
    partners = organisations[: max(1, len(organisations) // 2)]
    result = ScaleResult()

    grant_rows: list[Grant] = []
    for n in range(grants):
        status = SCALE_STATUS_CYCLE[n % len(SCALE_STATUS_CYCLE)]
        months = 36 + 12 * (n % 4)
        if status == GrantStatus.PIPELINE:
            start = today + days(30 + n % 200)
        elif status in (GrantStatus.CLOSED, GrantStatus.CLOSEOUT):
            start = add_months(today, -months - (3 if status == GrantStatus.CLOSEOUT else 18)) - days(n % 90)
        else:
            start = today - days(200 + (n * 37) % (months * 30 - 260))
        end = add_months(start, months) - days(1)
        amount = Decimal(1_000_000 + (n * 7919) % 24_000_000).quantize(Decimal("1000"))
        grant_rows.append(
            Grant(
                award_number=f"{SCALE_PREFIX}{n + 1:05d}-{start.year % 100:02d}-75-K",
                title=f"{SCALE_TITLES[n % len(SCALE_TITLES)]} ({n + 1})",
                grantee=grantees[n % len(grantees)],
                program_officer=officers[n % len(officers)],
                start_date=start,
                end_date=end,
                original_end_date=end,
                obligated_amount=amount,
                original_obligated_amount=amount,
                status=status,
                summary="Synthetic grant for load testing.",
            )
        )
    Grant.objects.bulk_create(grant_rows, batch_size=500)
    result.grants = len(grant_rows)
    say(f"{result.grants} grants")

    status_rows = []
    theme_links = []
    for n, grant in enumerate(grant_rows):
        status_rows.append(
            GrantStatusChange(
                grant=grant,
                from_status="",
                to_status=GrantStatus.PIPELINE,
                actor=grant.program_officer,
                note="Created",
            )
        )
        path = {
            GrantStatus.PIPELINE: (),
            GrantStatus.ACTIVE: (GrantStatus.ACTIVE,),
            GrantStatus.SUSPENDED: (GrantStatus.ACTIVE, GrantStatus.SUSPENDED),
            GrantStatus.TERMINATED: (GrantStatus.ACTIVE, GrantStatus.TERMINATED),
            GrantStatus.CLOSEOUT: (GrantStatus.ACTIVE, GrantStatus.CLOSEOUT),
            GrantStatus.CLOSED: (GrantStatus.ACTIVE, GrantStatus.CLOSEOUT, GrantStatus.CLOSED),
        }[grant.status]
        previous = GrantStatus.PIPELINE
        for to_status in path:
            status_rows.append(
                GrantStatusChange(
                    grant=grant,
                    from_status=previous,
                    to_status=to_status,
                    actor=grant.program_officer,
                    note="Synthetic",
                )
            )
            previous = to_status
        for k in range(1 + n % 3):
            theme_links.append(
                Grant.themes.through(grant_id=grant.pk, theme_id=themes[(n + k) % len(themes)].pk)
            )
    GrantStatusChange.objects.bulk_create(status_rows, batch_size=1000)
    Grant.themes.through.objects.bulk_create(theme_links, batch_size=1000)
    result.grant_status_changes = len(status_rows)

    project_rows: list[CountryProject] = []
    for n, grant in enumerate(grant_rows):
        count = SCALE_PROJECTS_CYCLE[n % len(SCALE_PROJECTS_CYCLE)]
        share = (grant.obligated_amount * Decimal("0.9") / count).quantize(Decimal("1"))
        for k in range(count):
            country = SCALE_COUNTRIES[(n * 5 + k * 7) % len(SCALE_COUNTRIES)]
            project_rows.append(
                CountryProject(
                    grant=grant,
                    country=country,
                    title=f"{grant.title.split(' (')[0]} — {countries.name(country)}",
                    budget=share,
                    target_regions="Region A, Region B",
                    start_date=grant.start_date,
                    end_date=grant.end_date,
                )
            )
    CountryProject.objects.bulk_create(project_rows, batch_size=1000)
    result.projects = len(project_rows)
    links = []
    for n, project in enumerate(project_rows):
        links.append(
            CountryProject.implementing_partners.through(
                countryproject_id=project.pk, organisation_id=partners[n % len(partners)].pk
            )
        )
        for k in range(1 + n % 3):
            links.append(
                CountryProject.target_groups.through(
                    countryproject_id=project.pk, targetgroup_id=groups[(n + k) % len(groups)].pk
                )
            )
    for model in (CountryProject.implementing_partners.through, CountryProject.target_groups.through):
        model.objects.bulk_create([link for link in links if isinstance(link, model)], batch_size=2000)
    result.links = len(theme_links) + len(links)
    say(f"{result.projects} country projects")

    milestone_rows: list[Milestone] = []
    status_by_milestone: list[str] = []
    grant_status = {grant.pk: grant.status for grant in grant_rows}
    serial = 0
    for project in project_rows:
        span = (project.end_date - project.start_date).days
        for k in range(SCALE_MILESTONES_PER_PROJECT):
            title, category = _scale_kind(k)
            due = project.start_date + days(30 + span * k // SCALE_MILESTONES_PER_PROJECT)
            status, completed_on = _scale_milestone_status(due, grant_status[project.grant_id], today, serial)
            serial += 1
            milestone_rows.append(
                Milestone(
                    country_project=project,
                    title=f"{title} {k + 1}",
                    category=category,
                    due_date=due,
                    status=status,
                    completed_on=completed_on,
                    created_by=project.grant.program_officer,
                )
            )
            status_by_milestone.append(status)
    Milestone.objects.bulk_create(milestone_rows, batch_size=2000)
    result.milestones = len(milestone_rows)
    say(f"{result.milestones} milestones")

    changes = []
    for milestone, status in zip(milestone_rows, status_by_milestone, strict=True):
        actor = milestone.created_by
        changes.append(
            MilestoneStatusChange(
                milestone=milestone,
                from_status="",
                to_status=MilestoneStatus.PLANNED,
                actor=actor,
                note="Logged",
            )
        )
        if status != MilestoneStatus.PLANNED:
            changes.append(
                MilestoneStatusChange(
                    milestone=milestone, from_status=MilestoneStatus.PLANNED, to_status=status, actor=actor
                )
            )
    MilestoneStatusChange.objects.bulk_create(changes, batch_size=2000)
    result.milestone_status_changes = len(changes)
    return result
