"""The demo portfolio as data: grants, their modifications and country projects, in plain specs."""

from __future__ import annotations

from dataclasses import dataclass

from grants.models import (
    GrantStatus,
    ModificationKind,
)

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
