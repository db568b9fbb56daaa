"""Reads for the grant screens: the list and its export, a grant's page, a country project's page, history.

Each selector shapes its queryset up front (every foreign key shown joined, every collection fetched in one
query), so the number of queries does not grow with the number of rows shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse

from grants.access import grants_visible_to
from grants.models import (
    OPEN_MILESTONE_STATUSES,
    CountryProject,
    Grant,
    GrantStatusChange,
    Milestone,
    Modification,
    Organisation,
    TargetGroup,
    Theme,
    User,
)
from portfolio.exports import Column

# --- the list and its export --------------------------------------------------------------------------------


def _countries_prefetch() -> Prefetch:
    # Only the code is needed to name a grant's countries; `project_countries` is a plain list on each grant.
    return Prefetch(
        "country_projects",
        queryset=CountryProject.objects.only("pk", "grant_id", "country").order_by("country"),
        to_attr="project_countries",
    )


def grant_list(*, user: User) -> QuerySet[Grant]:
    """The grants the user may see, with grantee and officer joined and their countries fetched in one query.

    ``first_country`` (the alphabetically first country code) lets the table sort by the countries column.
    """
    first_country = (
        CountryProject.objects.filter(grant=OuterRef("pk")).order_by("country").values("country")[:1]
    )
    return (
        grants_visible_to(user)
        .select_related("grantee", "program_officer")
        .prefetch_related(_countries_prefetch())
        .annotate(first_country=Subquery(first_country))
        .order_by("award_number")
    )


def countries_of(grant: Grant) -> list[str]:
    """Country names of a grant from its prefetched ``project_countries``, in code order."""
    return [project.country.name for project in grant.project_countries]


EXPORT_COLUMNS: Sequence[Column] = (
    Column("Award number", width=20),
    Column("Title", width=50),
    Column("Grantee", width=36),
    Column("Assistance listing", width=10),
    Column("Program officer", width=22),
    Column("Status", width=12),
    Column("Countries", width=30),
    Column("Themes", width=30),
    Column("Start", "yyyy-mm-dd", 12),
    Column("End", "yyyy-mm-dd", 12),
    Column("Original end", "yyyy-mm-dd", 12),
    Column("Obligated (USD)", "#,##0.00", 16),
    Column("Original obligated (USD)", "#,##0.00", 16),
)


def grant_export_rows(queryset: QuerySet[Grant]) -> Iterator[list[Any]]:
    """One row per grant of an already scoped and filtered queryset.

    Read in chunks of 2,000: one query for the grants and one each for their countries and themes per chunk.
    """
    grants = (
        queryset.select_related("grantee", "program_officer")
        .prefetch_related(None)  # reset, so a queryset from grant_list() can be passed as it is
        .prefetch_related(_countries_prefetch(), Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("award_number")
    )
    for grant in grants.iterator(chunk_size=2000):
        yield [
            grant.award_number,
            grant.title,
            grant.grantee.name,
            grant.assistance_listing,
            str(grant.program_officer),
            grant.get_status_display(),
            "; ".join(countries_of(grant)),
            "; ".join(theme.name for theme in grant.themes.all()),
            grant.start_date,
            grant.end_date,
            grant.original_end_date,
            grant.obligated_amount,
            grant.original_obligated_amount,
        ]


# --- a grant's page and a country project's page -------------------------------------------------------------


def _milestone_counts(today: datetime.date) -> dict[str, Count]:
    return {
        "milestone_count": Count("milestones"),
        "open_milestones": Count("milestones", filter=Q(milestones__status__in=OPEN_MILESTONE_STATUSES)),
        "overdue_milestones": Count(
            "milestones",
            filter=Q(milestones__status__in=OPEN_MILESTONE_STATUSES, milestones__due_date__lt=today),
        ),
    }


def grant_detail_queryset(today: datetime.date) -> QuerySet[Grant]:
    """For get_grant_for_user(queryset=...): everything the grant's page shows, in a fixed number of queries.

    The grant with grantee and officer (1), its themes (1), its projects with milestone counts annotated in
    one GROUP BY (1) and their partners (1), its modifications with their authors (1), its status changes
    with their actors (1).
    """
    projects = (
        CountryProject.objects.annotate(**_milestone_counts(today))
        .prefetch_related(Prefetch("implementing_partners", queryset=Organisation.objects.order_by("name")))
        .order_by("country")
    )
    return Grant.objects.select_related("grantee", "program_officer").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("sort_order", "name")),
        Prefetch("country_projects", queryset=projects),
        Prefetch(
            "modifications", queryset=Modification.objects.select_related("created_by").order_by("number")
        ),
        Prefetch(
            "status_changes",
            queryset=GrantStatusChange.objects.select_related("actor").order_by("-at", "-pk"),
        ),
    )


def project_detail_queryset() -> QuerySet[CountryProject]:
    """For get_country_project_for_user(queryset=...): the project, its grant, partners, groups, milestones."""
    return CountryProject.objects.select_related("grant__grantee", "grant__program_officer").prefetch_related(
        Prefetch("implementing_partners", queryset=Organisation.objects.order_by("name")),
        Prefetch("target_groups", queryset=TargetGroup.objects.order_by("sort_order", "name")),
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
    )


# --- history ------------------------------------------------------------------------------------------------

HISTORY_LIMIT = 200
_KIND = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    who: str
    subject: str
    url: str
    kind: str  # created, changed, deleted
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class M2MHistory:
    """A many-to-many field tracked by simple_history: its history table and the target's id column."""

    label: str
    model: Any
    target: str  # e.g. "theme": the column is theme_id and the name is theme__name


@dataclass(frozen=True)
class HistorySource:
    records: QuerySet[Any]  # historical records of one model
    fields: tuple[str, ...]  # the fields whose changes are shown
    subject: Callable[[Any], str]
    url: Callable[[Any], str]
    m2m: tuple[M2MHistory, ...] = field(default=())


def _grant_sources(grant_pk: int) -> list[HistorySource]:
    grant_url = reverse("grants:grant_detail", args=[grant_pk])
    projects = CountryProject.history.filter(grant_id=grant_pk)
    return [
        HistorySource(
            Grant.history.filter(id=grant_pk),
            (
                "award_number",
                "title",
                "grantee",
                "assistance_listing",
                "program_officer",
                "start_date",
                "end_date",
                "obligated_amount",
                "status",
                "reporting_frequency",
                "summary",
            ),
            lambda r: "Grant",
            lambda r: grant_url,
            (M2MHistory("Themes", apps.get_model("grants", "HistoricalGrant_themes"), "theme"),),
        ),
        HistorySource(
            Modification.history.filter(grant_id=grant_pk),
            ("kind", "effective_date", "amount_change", "new_end_date", "reason"),
            lambda r: f"Modification {r.number} ({r.get_kind_display().lower()})",
            lambda r: f"{grant_url}#modifications",
        ),
        *_project_sources_from(projects),
    ]


def _project_sources(project_pk: int) -> list[HistorySource]:
    return _project_sources_from(CountryProject.history.filter(id=project_pk))


def _project_sources_from(projects: QuerySet[Any]) -> list[HistorySource]:
    return [
        HistorySource(
            projects,
            ("country", "title", "budget", "target_regions", "start_date", "end_date"),
            lambda r: f"Country project {r.country.name}",
            lambda r: reverse("grants:project_detail", args=[r.id]),
            (
                M2MHistory(
                    "Implementing partners",
                    apps.get_model("grants", "HistoricalCountryProject_implementing_partners"),
                    "organisation",
                ),
                M2MHistory(
                    "Target groups",
                    apps.get_model("grants", "HistoricalCountryProject_target_groups"),
                    "targetgroup",
                ),
            ),
        ),
        HistorySource(
            Milestone.history.filter(country_project_id__in=projects.values("id")),
            ("title", "category", "due_date", "status", "completed_on", "notes"),
            lambda r: f"Milestone “{r.title}”",
            lambda r: reverse("grants:milestone_detail", args=[r.id]),
        ),
    ]


def grant_history(grant: Grant) -> list[HistoryEntry]:
    """The change log of a grant, its modifications, country projects and their milestones, newest first.

    The caller has checked access. At most HISTORY_LIMIT entries, read in a bounded number of queries.
    """
    return history_entries(_grant_sources(grant.pk), limit=HISTORY_LIMIT)


def project_history(project: CountryProject, limit: int = 50) -> list[HistoryEntry]:
    """The change log of one country project and its milestones, newest first."""
    return history_entries(_project_sources(project.pk), limit=limit)


def history_entries(sources: Sequence[HistorySource], *, limit: int) -> list[HistoryEntry]:
    """The latest ``limit`` entries of the sources, newest first, each with the fields it changed.

    Per source: one query for its latest records, one for the records just before the oldest of them (to
    diff against), one per many-to-many field; then one query per model that foreign keys point to.
    """
    collected: list[tuple[HistorySource, Any, Any]] = []  # (source, record, previous record or None)
    for source in sources:
        collected.extend(_with_previous(source, limit))
    collected.sort(key=lambda item: item[1].history_date, reverse=True)
    collected = collected[:limit]
    names = _related_names(collected)
    entries: list[HistoryEntry] = []
    for source, record, previous in collected:
        kind = _KIND.get(record.history_type, "changed")
        changes = _changes(source, record, previous, names) if kind == "changed" else ()
        if kind == "changed" and not changes:
            continue  # a save that changed nothing shown here is noise on this page
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=str(record.history_user) if record.history_user else "system",
                subject=source.subject(record),
                url=source.url(record) if kind != "deleted" else "",
                kind=kind,
                changes=changes,
            )
        )
    return entries


def _with_previous(source: HistorySource, limit: int) -> list[tuple[HistorySource, Any, Any]]:
    model = source.records.model
    latest = list(source.records.select_related("history_user").order_by("-history_id")[:limit])
    # Within one object, history ids grow with time: a record's predecessor is the largest smaller id.
    by_object: dict[int, list[Any]] = {}
    for record in reversed(latest):  # oldest first
        by_object.setdefault(record.id, []).append(record)
    need = [records[0].history_id for records in by_object.values() if records[0].history_type != "+"]
    before: dict[int, Any] = {}
    if need:
        previous_id = (
            model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        ids = model.objects.filter(history_id__in=need).annotate(prev=Subquery(previous_id)).values("prev")
        before = {r.id: r for r in model.objects.filter(history_id__in=ids)}
    all_records = latest + list(before.values())
    for m2m in source.m2m:
        _attach_m2m(m2m, all_records)
    pairs = []
    for object_id, records in by_object.items():
        previous = before.get(object_id)
        for record in records:
            pairs.append((source, record, previous))
            previous = record
    return pairs


def _attach_m2m(m2m: M2MHistory, records: list[Any]) -> None:
    """Set ``record._m2m[label]`` to the sorted names linked at that point of history, in one query."""
    by_id = {r.history_id: r for r in records}
    for record in records:
        record.__dict__.setdefault("_m2m", {})[m2m.label] = []
    rows = m2m.model.objects.filter(history_id__in=list(by_id)).values_list(
        "history_id", f"{m2m.target}__name"
    )
    for history_id, name in rows:
        by_id[history_id]._m2m[m2m.label].append(name or "(deleted)")
    for record in records:
        record._m2m[m2m.label].sort()


# Foreign keys shown in history, by field name: the model to name the value with.
_RELATED = {"grantee": Organisation, "program_officer": User}


def _related_names(collected: list[tuple[HistorySource, Any, Any]]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = {}
    for source, record, previous in collected:
        for name in _RELATED.keys() & set(source.fields):
            for r in (record, previous):
                if r is not None and getattr(r, f"{name}_id") is not None:
                    wanted.setdefault(name, set()).add(getattr(r, f"{name}_id"))
    names: dict[tuple[str, int], str] = {}
    for name, ids in wanted.items():
        for pk, obj in _RELATED[name].objects.in_bulk(ids).items():
            names[(name, pk)] = str(obj)
    return names


def _changes(
    source: HistorySource, record: Any, previous: Any, names: dict[tuple[str, int], str]
) -> tuple[FieldChange, ...]:
    if previous is None:
        return ()
    meta = source.records.model._meta
    changes = []
    for name in source.fields:
        model_field = meta.get_field(name)
        attname = model_field.attname
        old, new = getattr(previous, attname), getattr(record, attname)
        if old != new:
            label = str(model_field.verbose_name)
            label = label[:1].upper() + label[1:]
            changes.append(FieldChange(label, _show(model_field, old, names), _show(model_field, new, names)))
    for m2m in source.m2m:
        old, new = previous._m2m[m2m.label], record._m2m[m2m.label]
        if old != new:
            changes.append(FieldChange(m2m.label, ", ".join(old) or "—", ", ".join(new) or "—"))
    return tuple(changes)


def _show(model_field: Any, value: Any, names: dict[tuple[str, int], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.name in _RELATED:
        return names.get((model_field.name, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    if hasattr(value, "name") and hasattr(value, "code"):  # a django-countries Country
        return str(value.name)
    text = str(value)
    return text if len(text) <= 300 else f"{text[:300]}…"
