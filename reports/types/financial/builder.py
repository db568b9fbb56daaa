"""Builds the financial summary: four flat queries (projects with their grants, the grants' project counts,
modifications, approved expenditure), folded in Python, whatever the number of grants.

Expenditure to date is the cumulative federal expenditure of each country project's latest APPROVED report
(by period), as indicator actuals are: a report awaiting review is not counted yet. When the scope has a
period range, the latest approved report for a period starting on or before its end is used. Burn rate and
time elapsed come from indicators.calculations (burn_rate, time_elapsed), computed here once.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet

from grants.countries import country_name
from grants.models import CountryProject, GrantStatus, Modification, ModificationKind, User
from indicators.calculations import burn_rate, time_elapsed
from indicators.models import Submission, SubmissionStatus
from reports.registry import Progress
from reports.scope import ReportScope, scope_projects
from reports.types.financial.data import (
    CountryLine,
    FinancialReport,
    GrantLine,
    ModificationLine,
    ProjectLine,
    Totals,
)
from reports.types.milestones.scope_text import scope_lines

TITLE = "Financial summary"
ZERO = Decimal("0.00")
NOTHING = (
    "Nothing to report: there are no grants or country projects in this scope. Choose other grants or "
    "countries."
)


def expenditure_basis(scope: ReportScope) -> str:
    text = (
        "Expenditure to date is the cumulative federal expenditure stated in each country project's latest "
        "approved report; reports awaiting review are not counted until they are approved."
    )
    if scope.period_to:
        text += f" Only reports for periods starting on or before {scope.period_to:%d %B %Y} are used."
    return text


def _latest_expenditure(projects: QuerySet[CountryProject], scope: ReportScope) -> dict[int, dict]:
    """Per project id, the values of its latest approved report with an expenditure (one query)."""
    reports = Submission.objects.filter(
        country_project__in=projects.values("pk"),
        status=SubmissionStatus.APPROVED,
        cumulative_expenditure__isnull=False,
    )
    if scope.period_to:
        reports = reports.filter(period__start_date__lte=scope.period_to)
    latest: dict[int, dict] = {}
    for row in reports.order_by("country_project_id", "period__start_date").values(
        "country_project_id", "cumulative_expenditure", "period__label", "period__end_date"
    ):
        latest[row["country_project_id"]] = row  # ordered by period: the last one stands
    return latest


def build(scope: ReportScope, user: User | None, progress: Progress) -> FinancialReport:
    today = scope.today()
    progress(0, 4, "Reading grants and country projects")
    in_scope = scope_projects(scope, user)
    # Sub-queries (not lists of ids) keep each query one statement whatever the size of the portfolio.
    grants_in_scope = in_scope.values("grant_id")
    projects = list(
        in_scope.select_related("grant__grantee", "grant__program_officer").order_by(
            "grant__award_number", "country"
        )
    )
    progress(1, 4, "Reading modifications and expenditure")
    all_projects = (
        dict(
            CountryProject.objects.filter(grant_id__in=grants_in_scope)
            .values("grant_id")
            .annotate(n=Count("pk"))
            .values_list("grant_id", "n")
            .order_by()
        )
        if projects
        else {}
    )
    modifications = (
        list(
            Modification.objects.filter(grant_id__in=grants_in_scope)
            .order_by("grant__award_number", "number")
            .values(
                "grant__award_number",
                "number",
                "kind",
                "effective_date",
                "amount_change",
                "obligated_before",
                "obligated_after",
                "end_date_before",
                "end_date_after",
                "reason",
            )
        )
        if projects
        else []
    )
    latest = _latest_expenditure(in_scope, scope) if projects else {}
    progress(2, 4, "Adding up by project, grant and country")

    project_lines: list[ProjectLine] = []
    by_grant: dict[int, list[CountryProject]] = defaultdict(list)
    by_country: dict[str, list[tuple[CountryProject, Decimal]]] = defaultdict(list)
    spent: dict[int, Decimal] = {}
    for project in projects:
        report = latest.get(project.pk)
        expenditure = report["cumulative_expenditure"] if report else None
        spent[project.pk] = expenditure or ZERO
        name = country_name(project.country.code)
        project_lines.append(
            ProjectLine(
                award_number=project.grant.award_number,
                country=name,
                title=project.title,
                budget=project.budget,
                expenditure=expenditure,
                reported_period=report["period__label"] if report else "",
                reported_period_end=report["period__end_date"] if report else None,
                burn_rate=burn_rate(expenditure, project.budget),
                time_elapsed=time_elapsed(project.start_date, project.end_date, today),
            )
        )
        by_grant[project.grant_id].append(project)
        by_country[name].append((project, spent[project.pk]))

    mod_counts = Counter(row["grant__award_number"] for row in modifications)
    grant_lines = []
    for grant_id in sorted(by_grant, key=lambda gid: by_grant[gid][0].grant.award_number):
        own = by_grant[grant_id]
        grant = own[0].grant
        expenditure = sum((spent[p.pk] for p in own), ZERO)
        grant_lines.append(
            GrantLine(
                award_number=grant.award_number,
                title=grant.title,
                grantee=grant.grantee.name,
                officer=str(grant.program_officer),
                status=GrantStatus(grant.status).label,
                countries=", ".join(sorted(country_name(p.country.code) for p in own)),
                start_date=grant.start_date,
                end_date=grant.end_date,
                original_obligated=grant.original_obligated_amount,
                obligated=grant.obligated_amount,
                modifications=mod_counts[grant.award_number],
                expenditure=expenditure,
                burn_rate=burn_rate(expenditure, grant.obligated_amount),
                time_elapsed=time_elapsed(grant.start_date, grant.end_date, today),
                partial=all_projects.get(grant_id, 0) > len(own),
            )
        )

    country_lines = []
    for name in sorted(by_country):
        members = by_country[name]
        budget = sum((p.budget for p, _ in members), ZERO)
        expenditure = sum((amount for _, amount in members), ZERO)
        start: datetime.date = min(p.start_date for p, _ in members)
        end: datetime.date = max(p.end_date for p, _ in members)
        country_lines.append(
            CountryLine(
                country=name,
                projects=len(members),
                budget=budget,
                expenditure=expenditure,
                burn_rate=burn_rate(expenditure, budget),
                time_elapsed=time_elapsed(start, end, today),
            )
        )

    modification_lines = tuple(
        ModificationLine(
            award_number=row["grant__award_number"],
            number=row["number"],
            kind=ModificationKind(row["kind"]).label,
            effective_date=row["effective_date"],
            amount_change=row["amount_change"],
            obligated_before=row["obligated_before"],
            obligated_after=row["obligated_after"],
            end_date_before=row["end_date_before"],
            end_date_after=row["end_date_after"],
            reason=row["reason"],
        )
        for row in modifications
    )
    progress(3, 4, "Totals")
    total_obligated = sum((g.obligated for g in grant_lines), ZERO)
    total_budget = sum((c.budget for c in country_lines), ZERO)
    total_spent = sum((g.expenditure for g in grant_lines), ZERO)
    totals = Totals(
        original_obligated=sum((g.original_obligated for g in grant_lines), ZERO),
        obligated=total_obligated,
        budget=total_budget,
        expenditure=total_spent,
        burn_rate=burn_rate(total_spent, total_obligated),
        budget_burn_rate=burn_rate(total_spent, total_budget),
        modifications=len(modification_lines),
        amount_modified=sum((m.amount_change for m in modification_lines), ZERO),
    )
    report = FinancialReport(
        title=scope.title or TITLE,
        as_of=today,
        scope_lines=scope_lines(
            scope, (g.award_number for g in grant_lines), (c.country for c in country_lines)
        ),
        expenditure_basis=expenditure_basis(scope),
        grants=tuple(grant_lines),
        countries=tuple(country_lines),
        projects=tuple(project_lines),
        modifications=modification_lines,
        totals=totals,
        empty_message="" if grant_lines else NOTHING,
    )
    progress(4, 4, "Done")
    return report
