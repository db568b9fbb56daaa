"""Seed the disaggregation categories and a starting indicator library; administrators extend them in the admin."""

from django.db import migrations

# (code, name, complete, [(option code, option name), ...])
CATEGORIES = [
    ("sex", "Sex", True, [("female", "Female"), ("male", "Male")]),
    (
        "age",
        "Age band",
        True,
        [("5-11", "5-11"), ("12-14", "12-14"), ("15-17", "15-17"), ("18-plus", "18 and over")],
    ),
    # Not complete: participants whose status is unknown, or internally displaced people, are in none of
    # these options, so the cells may add up to less than the total.
    (
        "migration",
        "Migration status",
        False,
        [("migrant", "Migrant"), ("returnee", "Returnee"), ("host", "Host community")],
    ),
]

EDU, LIV, PRO, SYS = "education", "livelihoods", "protection", "systems"
SCHOOL = "Project participant tracking system (attendance and enrolment records)"
SURVEY = "Household survey (baseline, midline, endline)"
RECORDS = "Project service records"
# (code, name, definition, domain, level, unit, measure, direction, aggregation, categories, source, method)
INDICATORS = [
    (
        "E1",
        "Children engaged in or at risk of child labour who received education or vocational services",
        "Children aged 5-17 engaged in or at risk of child labour who received at least one education or "
        "vocational service from the project during the period (formal or non-formal education, remedial "
        "classes, vocational training). Each child is counted once per period.",
        EDU, "output", "children", "count", "increase", "sum", ["sex", "age"],
        SCHOOL, "Service registers reconciled monthly against the participant database",
    ),
    (
        "E2",
        "Migrant children enrolled in formal or non-formal education",
        "Migrant and returnee children, and host-community children in participating schools, enrolled in "
        "formal or non-formal education at the end of the period.",
        EDU, "outcome", "children", "count", "increase", "latest", ["sex", "age", "migration"],
        "School enrolment records and participant database", "Enrolment lists verified at each school visit",
    ),
    (
        "E3",
        "Percentage of participating children attending school regularly",
        "Numerator: participating children enrolled in school who attended at least 80% of school days in "
        "the period. Denominator: participating children enrolled in school.",
        EDU, "outcome", "percent of children", "percentage", "increase", "ratio", ["sex"],
        SCHOOL, "Attendance registers sampled monthly",
    ),
    (
        "E4",
        "Adolescents of working age who completed vocational or skills training",
        "Adolescents aged 15-17 who completed a vocational, technical or life-skills course provided or "
        "facilitated by the project.",
        EDU, "output", "adolescents", "count", "increase", "sum", ["sex", "migration"],
        RECORDS, "Course completion certificates",
    ),
    (
        "E5",
        "Teachers and education personnel trained on the inclusion of migrant children",
        "Teachers, head teachers and education officials who completed project training on enrolling and "
        "retaining migrant and returnee children.",
        EDU, "output", "people", "count", "increase", "sum", ["sex"],
        RECORDS, "Training attendance lists",
    ),
    (
        "L1",
        "Households that received livelihood services",
        "Households of participating children that received at least one livelihood service: vocational "
        "training, savings groups, agricultural support, entrepreneurship training or referral to social "
        "protection.",
        LIV, "output", "households", "count", "increase", "sum", ["migration"],
        RECORDS, "Household service registers",
    ),
    (
        "L2",
        "Percentage of participating households with increased income",
        "Numerator: participating households whose monthly income rose by at least 10% against their "
        "baseline. Denominator: participating households surveyed.",
        LIV, "outcome", "percent of households", "percentage", "increase", "ratio", ["migration"],
        SURVEY, "Income module of the household survey",
    ),
    (
        "L3",
        "Members of savings and loan groups",
        "Adults from participating households who are active members of a savings and loan group supported "
        "by the project at the end of the period.",
        LIV, "output", "people", "count", "increase", "latest", ["sex"],
        "Savings group records", "Group ledgers reviewed quarterly",
    ),
    (
        "L4",
        "Youth of legal working age placed in decent work or apprenticeships",
        "Participants of legal working age placed in employment or apprenticeships meeting national labour "
        "standards during the period.",
        LIV, "outcome", "people", "count", "increase", "sum", ["sex", "migration"],
        RECORDS, "Placement records verified with employers",
    ),
    (
        "L5",
        "Value of seed capital and in-kind support delivered to households",
        "Cash grants, seed capital and in-kind productive assets delivered to participating households, "
        "valued in US dollars.",
        LIV, "output", "USD", "money", "increase", "sum", [],
        "Project financial records", "Disbursement records",
    ),
    (
        "P1",
        "Migrant workers who received information on their labour rights",
        "Migrant workers who took part in an information session, consultation or outreach activity on their "
        "labour rights, recruitment fees and available remedies.",
        PRO, "output", "workers", "count", "increase", "sum", ["sex", "migration"],
        RECORDS, "Outreach attendance lists",
    ),
    (
        "P2",
        "Migrant workers who received legal assistance or referral for labour rights violations",
        "Migrant workers who received legal advice, representation or referral to a labour authority or "
        "service provider about a labour rights violation.",
        PRO, "output", "workers", "count", "increase", "sum", ["sex"],
        "Case management system", "Case files",
    ),
    (
        "P3",
        "Percentage of participating children engaged in child labour",
        "Numerator: participating children found in child labour (national definition) at follow-up. "
        "Denominator: participating children followed up.",
        PRO, "outcome", "percent of children", "percentage", "decrease", "ratio", ["sex"],
        SURVEY, "Child labour module at follow-up visits",
    ),
    (
        "P4",
        "Percentage of labour complaints by migrant workers resolved",
        "Numerator: complaints filed with project support that were resolved (settlement, ruling or "
        "remedy). Denominator: complaints filed with project support.",
        PRO, "outcome", "percent of complaints", "percentage", "increase", "ratio", [],
        "Case management system", "Case files reviewed semi-annually",
    ),
    (
        "S1",
        "Labour inspectors and officials trained on child labour and migrant workers' rights",
        "Labour inspectors, social workers and other officials who completed project training.",
        SYS, "output", "officials", "count", "increase", "sum", ["sex"],
        RECORDS, "Training attendance lists",
    ),
    (
        "S2",
        "Laws, policies or procedures adopted to protect migrant workers or children",
        "Laws, regulations, policies, protocols or procedures adopted by a government or social partner with "
        "project support.",
        SYS, "outcome", "instruments", "count", "increase", "sum", [],
        "Official gazettes and government records", "Document review",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("indicators", "DisaggregationCategory")
    Option = apps.get_model("indicators", "DisaggregationOption")
    Indicator = apps.get_model("indicators", "Indicator")
    categories = {}
    for order, (code, name, complete, options) in enumerate(CATEGORIES):
        category, _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "complete": complete, "sort_order": order}
        )
        categories[code] = category
        for option_order, (option_code, option_name) in enumerate(options):
            Option.objects.update_or_create(
                category=category,
                code=option_code,
                defaults={"name": option_name, "sort_order": option_order},
            )
    for row in INDICATORS:
        code, name, definition, domain, level, unit, measure, direction, rule, cats, source, method = row
        indicator, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "definition": definition,
                "domain": domain,
                "level": level,
                "unit": unit,
                "measure_type": measure,
                "direction": direction,
                "aggregation": rule,
                "data_source": source,
                "collection_method": method,
            },
        )
        indicator.categories.set([categories[c] for c in cats])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
