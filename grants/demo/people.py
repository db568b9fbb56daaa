"""Demo people: organisations, staff and grantee logins, and the reference lists (themes, target groups)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from grants.models import (
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
