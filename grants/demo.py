"""Demo and scale data for the grants app.

Two loaders, both used by ``manage.py load_demo``:

- ``load_demo_portfolio`` builds a small, realistic portfolio THROUGH ``grants.services`` so that every grant,
  modification, country project and milestone has its status trail and history, exactly as if program
  officers had entered it. Dates are computed from ``today`` so the demo always looks current: some
  milestones are overdue, some fall due within the next 30 days.
- ``load_scale_portfolio`` writes a large synthetic portfolio with ``bulk_create`` (no services, no
  django-simple-history rows) to see how screens and reports behave with hundreds of grants and tens of
  thousands of milestones.

Demo rows are recognised by their award numbers (the fixed serial numbers below), scale rows by the
``IL-S`` award-number prefix, so each set can be reset without touching the other or anything users entered.
"""

from __future__ import annotations

import calendar
import datetime
import io
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Min, ProtectedError, Q, QuerySet, RestrictedError
from django.utils import timezone
from django_countries import countries

from grants import services
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
    ModificationKind,
    Organisation,
    TargetGroup,
    Theme,
    User,
)

# Published in the README and printed by `make run`: these accounts must never exist on a real server,
# which is why the command refuses to run with DEBUG off unless told to.
DEMO_PASSWORD = "portfolio-demo"
SCALE_PREFIX = "IL-S"
Kind = Organisation.Kind
Role = User.Role


# --- people -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    acronym: str
    kind: str
    country: str
    website: str = ""


ORGANISATIONS: tuple[OrgSpec, ...] = (
    # Grantees.
    OrgSpec("fce", "Fundación Caminos de Esperanza", "FCE", Kind.NGO, "GT", "https://caminos.example.org"),
    OrgSpec("ipet", "Institut Panafricain pour l'Éducation et le Travail", "IPET", Kind.NGO, "SN"),
    OrgSpec("amwp", "Alliance for Migrant Worker Protection", "AMWP", Kind.NGO, "US"),
    OrgSpec("ipcm", "Inter-Agency Programme for Children on the Move", "IPCM", Kind.UN_AGENCY, "CH"),
    OrgSpec("amfn", "Asia Migrant Futures Network", "AMFN", Kind.NGO, "TH"),
    OrgSpec("mcls", "Mekong University Centre for Labour Studies", "MCLS", Kind.UNIVERSITY, "KH"),
    OrgSpec("catm", "Centro de Apoio ao Trabalhador Migrante", "CATM", Kind.NGO, "BR"),
    OrgSpec("ealm", "East Africa Labour Mobility Initiative", "EALMI", Kind.NGO, "KE"),
    OrgSpec("uaet", "Universidad Andina de Estudios del Trabajo", "UAET", Kind.UNIVERSITY, "PE"),
    OrgSpec("roape", "Réseau Ouest-Africain pour la Protection de l'Enfance", "ROAPE", Kind.NGO, "CI"),
    # Implementing partners.
    OrgSpec("amjc", "Asociación de Mujeres Jornaleras de Chiapas", "AMJC", Kind.NGO, "MX"),
    OrgSpec("fmeq", "Fundación Maestros de Quetzaltenango", "FMQ", Kind.NGO, "GT"),
    OrgSpec("sthl", "Sindicato de Trabajadoras del Hogar de Lima", "SINTRAHOL", Kind.NGO, "PE"),
    OrgSpec("fape", "Fédération des Associations de Parents d'Élèves du Burkina", "FAPEB", Kind.NGO, "BF"),
    OrgSpec("cdde", "Comité de Défense des Droits de l'Enfant de Daloa", "CDDE", Kind.NGO, "CI"),
    OrgSpec("bgwe", "Bangladesh Garment Workers' Education Trust", "BGWET", Kind.NGO, "BD"),
    OrgSpec("nfeh", "Nepal Foreign Employment Help Desk Network", "NFEHN", Kind.NGO, "NP"),
    OrgSpec("kcra", "Kenya Coast Returnees Association", "KCRA", Kind.NGO, "KE"),
    OrgSpec("cosj", "Cooperativa Agrícola São João do Vale", "COOPASJ", Kind.PRIVATE, "BR"),
    OrgSpec(
        "mtps",
        "Ministerio de Trabajo y Previsión Social (Unidad de Inspección)",
        "MTPS-UI",
        Kind.GOVERNMENT,
        "SV",
    ),
    OrgSpec(
        "ucep",
        "Universidad Católica del Ecuador — Observatorio de Movilidad",
        "UCE-OM",
        Kind.UNIVERSITY,
        "EC",
    ),
    OrgSpec("cpfk", "Cambodian Fishers' Children Foundation", "CFCF", Kind.NGO, "KH"),
    OrgSpec("eafs", "Ethiopian Association for Fair Skills", "EAFS", Kind.NGO, "ET"),
    OrgSpec("ghcl", "Ghana Coalition against Child Labour", "GCCL", Kind.NGO, "GH"),
    OrgSpec("phmw", "Philippine Migrant Workers' Learning Centre", "PMWLC", Kind.NGO, "PH"),
)


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str | None = None


PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("admin", "Alex", "Morgan", Role.ADMIN),
    PersonSpec("officer1", "Sofía", "Ramírez", Role.PROGRAM_OFFICER),
    PersonSpec("officer2", "Daniel", "Okonkwo", Role.PROGRAM_OFFICER),
    PersonSpec("manager", "Margaret", "Chen", Role.MANAGER),
    PersonSpec("grantee_a", "María José", "Pérez", Role.GRANTEE, "fce"),
    PersonSpec("grantee_b", "Aïssatou", "Ndiaye", Role.GRANTEE, "ipet"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    name: str


@dataclass
class People:
    users: dict[str, User]
    organisations: dict[str, Organisation]


# The office's reference lists (also seeded by migration 0002; restored here if an admin removed one).
THEMES = (
    ("migrant-workers-rights", "Migrant workers' rights"),
    ("child-labour", "Child labour"),
    ("education", "Education"),
    ("livelihoods", "Livelihoods"),
    ("forced-labour", "Forced labour"),
    ("osh", "Occupational safety and health"),
)
TARGET_GROUPS = (
    ("migrant-children", "Migrant children"),
    ("working-age-adolescents", "Adolescents of working age"),
    ("migrant-households", "Migrant households"),
    ("returnees", "Returnees"),
    ("host-communities", "Host communities"),
)


def ensure_reference_lists() -> tuple[dict[str, Theme], dict[str, TargetGroup]]:
    found: list[dict] = []
    for model, rows in ((Theme, THEMES), (TargetGroup, TARGET_GROUPS)):
        existing = {item.code: item for item in model.objects.all()}
        for order, (code, name) in enumerate(rows):
            if code not in existing:
                existing[code], _ = model.objects.get_or_create(
                    code=code, defaults={"name": name, "sort_order": order}
                )
        found.append(existing)
    return found[0], found[1]


def ensure_people() -> People:
    """Create or reset the demo organisations and users (passwords included); safe to call again."""
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisations[spec.key], _ = Organisation.objects.update_or_create(
            name=spec.name,
            defaults={
                "acronym": spec.acronym,
                "kind": spec.kind,
                "headquarters_country": spec.country,
                "website": spec.website,
            },
        )
    users: dict[str, User] = {}
    # One hash for all: the password is published anyway, and hashing costs ~0.3 s a time.
    password = make_password(DEMO_PASSWORD)
    for person in PEOPLE:
        is_admin = person.role == Role.ADMIN
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@example.org",
                "role": person.role,
                "organisation": organisations[person.organisation] if person.organisation else None,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
                "password": password,
            },
        )
        users[person.username] = user
    return People(users=users, organisations=organisations)


def demo_logins() -> list[DemoLogin]:
    orgs = {spec.key: spec for spec in ORGANISATIONS}
    return [
        DemoLogin(
            username=p.username,
            password=DEMO_PASSWORD,
            role=Role(p.role).label,
            organisation=f"{orgs[p.organisation].name} ({orgs[p.organisation].acronym})"
            if p.organisation
            else "-",
            name=f"{p.first_name} {p.last_name}",
        )
        for p in PEOPLE
    ]


def format_logins(logins: Iterable[DemoLogin]) -> str:
    rows = [("username", "password", "role", "name", "organisation")]
    rows += [(x.username, x.password, x.role, x.name, x.organisation) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4]
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * 12)
    return "\n".join(line.rstrip() for line in lines)


# --- the demo portfolio -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSpec:
    country: str
    title: str
    partners: tuple[str, ...]
    regions: str
    groups: tuple[str, ...]
    share: str  # of the grant's original obligation; the rest pays for management and evaluation


@dataclass(frozen=True)
class ModSpec:
    kind: str
    day: int  # effective date, in days from today
    reason: str
    amount: str = "0"
    extend_months: int = 0


@dataclass(frozen=True)
class GrantSpec:
    serial: str
    title: str
    grantee: str
    officer: str
    start: int  # in days from today
    months: int
    amount: str
    themes: tuple[str, ...]
    status: str
    summary: str
    projects: tuple[ProjectSpec, ...]
    modifications: tuple[ModSpec, ...] = ()
    # Days from today on which the grant was suspended and/or terminated (those statuses need a date).
    suspended: int | None = None
    terminated: int | None = None
    frequency: str = "semiannual"


MIG_CHILDREN, ADOLESCENTS, HOUSEHOLDS, RETURNEES, HOSTS = (
    "migrant-children",
    "working-age-adolescents",
    "migrant-households",
    "returnees",
    "host-communities",
)
RIGHTS, CHILD_LABOUR, EDUCATION, LIVELIHOODS, FORCED, OSH = (
    "migrant-workers-rights",
    "child-labour",
    "education",
    "livelihoods",
    "forced-labour",
    "osh",
)

GRANTS: tuple[GrantSpec, ...] = (
    GrantSpec(
        "32847",
        "Puentes: education and livelihoods for migrant children in the Northern Triangle and southern Mexico",
        "fce",
        "officer1",
        -820,
        60,
        "12500000",
        (EDUCATION, CHILD_LABOUR, LIVELIHOODS),
        GrantStatus.ACTIVE,
        "Keeps migrant and returnee children aged 5-17 in school through flexible learning centres and "
        "catch-up classes, and gives their families livelihood alternatives to child labour in coffee and "
        "vegetable harvests.",
        (
            ProjectSpec(
                "GT",
                "Puentes Guatemala",
                ("fmeq",),
                "Quetzaltenango, Huehuetenango, San Marcos",
                (MIG_CHILDREN, HOUSEHOLDS, RETURNEES),
                "0.30",
            ),
            ProjectSpec(
                "HN", "Puentes Honduras", (), "Cortés, Copán, Ocotepeque", (MIG_CHILDREN, RETURNEES), "0.22"
            ),
            ProjectSpec(
                "SV", "Puentes El Salvador", (), "San Miguel, La Unión", (MIG_CHILDREN, HOSTS), "0.15"
            ),
            ProjectSpec(
                "MX",
                "Puentes México (frontera sur)",
                ("amjc",),
                "Chiapas, Tabasco",
                (MIG_CHILDREN, ADOLESCENTS, HOUSEHOLDS),
                "0.18",
            ),
        ),
        (
            ModSpec(
                ModificationKind.INCREMENTAL_FUNDING,
                -300,
                "Second tranche of FY funds obligated after the midterm work-plan review.",
                amount="2000000",
            ),
        ),
    ),
    GrantSpec(
        "33102",
        "Camino Seguro: labour rights of migrant agricultural workers in Mexico and Guatemala",
        "amwp",
        "officer2",
        -600,
        48,
        "6800000",
        (RIGHTS, OSH),
        GrantStatus.ACTIVE,
        "Informs seasonal migrant farm workers of their rights before departure and at the worksite, trains "
        "labour inspectors and builds complaint channels with employers' associations.",
        (
            ProjectSpec(
                "MX",
                "Camino Seguro México",
                ("amjc",),
                "Chiapas, Sinaloa, Baja California",
                (ADOLESCENTS, HOUSEHOLDS),
                "0.50",
            ),
            ProjectSpec(
                "GT",
                "Camino Seguro Guatemala",
                (),
                "San Marcos, Huehuetenango",
                (HOUSEHOLDS, RETURNEES),
                "0.35",
            ),
        ),
        (
            ModSpec(
                ModificationKind.BUDGET_REALIGNMENT,
                -120,
                "Moves funds from inspector training to the "
                "worksite complaint hotline after the baseline showed low reporting.",
            ),
        ),
    ),
    GrantSpec(
        "31955",
        "Écoles de la Seconde Chance: reducing child labour in cocoa-growing communities",
        "ipet",
        "officer2",
        -1000,
        60,
        "9400000",
        (CHILD_LABOUR, EDUCATION),
        GrantStatus.ACTIVE,
        "Bridging classes that bring out-of-school children back to primary school, community child labour "
        "monitoring and income support for cocoa-farming households.",
        (
            ProjectSpec(
                "CI",
                "Seconde Chance Côte d'Ivoire",
                ("cdde", "roape"),
                "Haut-Sassandra, Nawa, Soubré",
                (MIG_CHILDREN, HOUSEHOLDS, HOSTS),
                "0.40",
            ),
            ProjectSpec(
                "GH",
                "Second Chance Ghana",
                ("ghcl",),
                "Western North, Ashanti",
                (MIG_CHILDREN, HOSTS),
                "0.25",
            ),
            ProjectSpec(
                "BF",
                "Seconde Chance Burkina Faso",
                ("fape",),
                "Centre-Ouest, Boucle du Mouhoun",
                (MIG_CHILDREN, RETURNEES),
                "0.20",
            ),
        ),
        (
            ModSpec(
                ModificationKind.SCOPE_CHANGE,
                -200,
                "Adds a returnee-children component in Burkina Faso "
                "for families coming back from the cocoa belt.",
            ),
        ),
    ),
    GrantSpec(
        "32210",
        "Safe Migration and Decent Work for Nepali and Bangladeshi Workers",
        "amfn",
        "officer1",
        -900,
        48,
        "5200000",
        (RIGHTS, FORCED),
        GrantStatus.SUSPENDED,
        "Pre-departure orientation, recruitment-fee monitoring and legal aid for workers bound for the Gulf "
        "and Malaysia.",
        (
            ProjectSpec(
                "NP",
                "Safe Migration Nepal",
                ("nfeh",),
                "Province 1, Madhesh, Kathmandu",
                (ADOLESCENTS, RETURNEES),
                "0.45",
            ),
            ProjectSpec(
                "BD",
                "Safe Migration Bangladesh",
                ("bgwe",),
                "Dhaka, Chattogram, Sylhet",
                (HOUSEHOLDS, RETURNEES),
                "0.40",
            ),
        ),
        (
            ModSpec(
                ModificationKind.INCREMENTAL_FUNDING, -500, "Year-3 incremental funding.", amount="1200000"
            ),
        ),
        suspended=-50,
    ),
    GrantSpec(
        "30688",
        "Aprender Sin Fronteras: schooling for Venezuelan migrant children in Colombia, Peru and Ecuador",
        "ipcm",
        "officer1",
        -1250,
        72,
        "18000000",
        (EDUCATION, CHILD_LABOUR, LIVELIHOODS),
        GrantStatus.ACTIVE,
        "Enrols migrant children in formal schools, trains teachers in accelerated learning and links "
        "families to cash transfers and vocational training.",
        (
            ProjectSpec(
                "CO",
                "Aprender Sin Fronteras Colombia",
                (),
                "La Guajira, Norte de Santander, Bogotá",
                (MIG_CHILDREN, HOUSEHOLDS, HOSTS),
                "0.40",
            ),
            ProjectSpec(
                "PE",
                "Aprender Sin Fronteras Perú",
                ("sthl", "uaet"),
                "Lima Metropolitana, Tumbes",
                (MIG_CHILDREN, ADOLESCENTS),
                "0.25",
            ),
            ProjectSpec(
                "EC",
                "Aprender Sin Fronteras Ecuador",
                ("ucep",),
                "Pichincha, Carchi, El Oro",
                (MIG_CHILDREN, HOSTS),
                "0.20",
            ),
        ),
        (
            ModSpec(
                ModificationKind.INCREMENTAL_FUNDING,
                -800,
                "Incremental funding for year 2.",
                amount="1500000",
            ),
            ModSpec(
                ModificationKind.INCREMENTAL_FUNDING,
                -250,
                "Incremental funding for the Ecuador expansion.",
                amount="3000000",
            ),
        ),
        frequency="quarterly",
    ),
    GrantSpec(
        "31420",
        "Mekong Pathways: ending hazardous child labour in fishing and brick kilns",
        "mcls",
        "officer2",
        -1100,
        48,
        "4300000",
        (CHILD_LABOUR, OSH),
        GrantStatus.TERMINATED,
        "Research-led project on hazardous work of migrant children on fishing boats and in brick kilns, with "
        "community monitoring and school re-entry.",
        (
            ProjectSpec(
                "KH",
                "Mekong Pathways Cambodia",
                ("cpfk",),
                "Kampong Chhnang, Siem Reap",
                (MIG_CHILDREN, HOUSEHOLDS),
                "0.50",
            ),
            ProjectSpec(
                "TH",
                "Mekong Pathways Thailand",
                (),
                "Samut Sakhon, Songkhla",
                (MIG_CHILDREN, ADOLESCENTS),
                "0.35",
            ),
        ),
        suspended=-260,
        terminated=-170,
    ),
    GrantSpec(
        "27315",
        "Renda e Escola: livelihoods for migrant families on Brazil's agricultural frontier",
        "catm",
        "officer1",
        -2800,
        60,
        "3900000",
        (LIVELIHOODS, CHILD_LABOUR),
        GrantStatus.CLOSED,
        "Cooperatives, savings groups and school enrolment drives for families of migrant sugar-cane and "
        "coffee workers in Minas Gerais and Bahia.",
        (
            ProjectSpec(
                "BR",
                "Renda e Escola Brasil",
                ("cosj",),
                "Minas Gerais, Bahia, São Paulo",
                (HOUSEHOLDS, MIG_CHILDREN),
                "0.85",
            ),
        ),
        (
            ModSpec(
                ModificationKind.NO_COST_EXTENSION,
                -1100,
                "Six more months to finish the final evaluation delayed by school closures.",
                extend_months=6,
            ),
        ),
    ),
    GrantSpec(
        "29874",
        "Returnee Reintegration and Skills in the Horn of Africa",
        "ealm",
        "officer2",
        -1700,
        48,
        "7600000",
        (LIVELIHOODS, RIGHTS),
        GrantStatus.CLOSEOUT,
        "Skills recognition, job placement and psychosocial support for workers returning from the Gulf "
        "States to Ethiopia, Kenya and Uganda.",
        (
            ProjectSpec(
                "ET",
                "Reintegration Ethiopia",
                ("eafs",),
                "Addis Ababa, Amhara, Oromia",
                (RETURNEES, HOUSEHOLDS),
                "0.40",
            ),
            ProjectSpec(
                "KE", "Reintegration Kenya", ("kcra",), "Mombasa, Kilifi, Nairobi", (RETURNEES,), "0.25"
            ),
            ProjectSpec(
                "UG", "Reintegration Uganda", (), "Kampala, Wakiso", (RETURNEES, ADOLESCENTS), "0.20"
            ),
        ),
        (
            ModSpec(
                ModificationKind.INCREMENTAL_FUNDING, -900, "Final incremental funding.", amount="800000"
            ),
            ModSpec(
                ModificationKind.NO_COST_EXTENSION,
                -400,
                "Extension to complete the tracer study of placed returnees.",
                extend_months=6,
            ),
        ),
    ),
    GrantSpec(
        "28503",
        "Fortaleciendo la Inspección Laboral en Centroamérica",
        "uaet",
        "officer1",
        -2500,
        48,
        "2800000",
        (OSH, RIGHTS),
        GrantStatus.CLOSED,
        "Curriculum, certification and case-management tools for labour inspectors, with a focus on migrant "
        "workers in agriculture and domestic work.",
        (
            ProjectSpec(
                "HN", "Inspección Laboral Honduras", (), "Francisco Morazán, Cortés", (ADOLESCENTS,), "0.40"
            ),
            ProjectSpec(
                "SV", "Inspección Laboral El Salvador", ("mtps",), "San Salvador, Santa Ana", (HOSTS,), "0.40"
            ),
        ),
    ),
    GrantSpec(
        "34018",
        "Apprentissage et Emploi des Jeunes Migrants au Sénégal et au Mali",
        "ipet",
        "officer2",
        60,
        48,
        "6000000",
        (EDUCATION, LIVELIHOODS, CHILD_LABOUR),
        GrantStatus.PIPELINE,
        "Apprenticeships and literacy for talibé children and young migrants, with reform of Quranic-school "
        "practices that expose children to begging and hazardous work.",
        (
            ProjectSpec(
                "SN",
                "Jeunes Migrants Sénégal",
                ("roape",),
                "Dakar, Thiès, Saint-Louis",
                (MIG_CHILDREN, ADOLESCENTS),
                "0.50",
            ),
            ProjectSpec("ML", "Jeunes Migrants Mali", (), "Kayes, Bamako", (ADOLESCENTS, RETURNEES), "0.35"),
        ),
    ),
    GrantSpec(
        "34122",
        "Digital Skills for Young Migrant Workers in South-East Asia",
        "amfn",
        "officer1",
        120,
        36,
        "3500000",
        (LIVELIHOODS, RIGHTS),
        GrantStatus.PIPELINE,
        "Mobile learning on labour rights and digital skills for young workers in manufacturing and domestic "
        "work.",
        (
            ProjectSpec(
                "PH",
                "Digital Skills Philippines",
                ("phmw",),
                "Metro Manila, Central Luzon",
                (ADOLESCENTS,),
                "0.35",
            ),
            ProjectSpec(
                "ID",
                "Digital Skills Indonesia",
                (),
                "East Java, West Nusa Tenggara",
                (ADOLESCENTS, RETURNEES),
                "0.30",
            ),
            ProjectSpec("VN", "Digital Skills Viet Nam", (), "Nghệ An, Hà Tĩnh", (ADOLESCENTS,), "0.20"),
        ),
    ),
    GrantSpec(
        "33560",
        "Child Labour-Free Zones in Andean Mining Communities",
        "fce",
        "officer2",
        -430,
        48,
        "5600000",
        (CHILD_LABOUR, EDUCATION, OSH),
        GrantStatus.ACTIVE,
        "Municipal child labour-free zones around artisanal gold mines: school retention, safe-work "
        "committees and alternative incomes for mining households.",
        (
            ProjectSpec(
                "PE", "Zonas Libres Perú", ("uaet",), "Puno, Arequipa", (MIG_CHILDREN, HOUSEHOLDS), "0.35"
            ),
            ProjectSpec("BO", "Zonas Libres Bolivia", (), "Potosí, Oruro", (MIG_CHILDREN, HOSTS), "0.30"),
            ProjectSpec("EC", "Zonas Libres Ecuador", (), "Zamora Chinchipe, El Oro", (HOUSEHOLDS,), "0.20"),
        ),
    ),
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
        for model, key, days_list in (
            (GrantStatusChange, "grant_id__in", self.grant_days),
            (MilestoneStatusChange, "milestone__country_project__grant_id__in", self.milestone_days),
        ):
            rows = list(model.objects.filter(**{key: grant_ids}).order_by("pk"))
            if len(rows) != len(days_list):  # pragma: no cover - a service wrote more rows than expected
                raise RuntimeError(f"{model.__name__}: {len(rows)} rows, {len(days_list)} dates")
            for n, (row, day) in enumerate(zip(rows, days_list, strict=True)):
                row.at = self._stamp(day, n)
            model.objects.bulk_update(rows, ["at"], batch_size=500)
        # A modification is recorded on its effective date; a milestone was logged when its trail starts.
        modifications = list(Modification.objects.filter(grant_id__in=grant_ids))
        for modification in modifications:
            modification.created_at = self._stamp(modification.effective_date, 0)
        Modification.objects.bulk_update(modifications, ["created_at"], batch_size=500)
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
