"""manage.py load_demo: the demo portfolio through the services, and the bulk synthetic one (--scale)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from grants import demo
from grants.access import grants_visible_to, milestones_visible_to
from grants.demo import loader as demo_loader
from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    MilestoneStatusChange,
    Modification,
    ModificationKind,
    Organisation,
    User,
)

LOAD = ("load_demo", "--allow-without-debug")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*LOAD, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo is loaded once for this module (it takes seconds: every row goes through the services);
    each test still runs in its own transaction, rolled back afterwards."""
    with django_db_blocker.unblock():
        output = run()
    yield output
    with django_db_blocker.unblock():
        files = list(MilestoneEvidence.objects.values_list("file", flat=True))
        demo.delete_demo_portfolio()
        User.objects.filter(username__in=[p.username for p in demo.PEOPLE]).delete()
        Organisation.objects.filter(name__in=[o.name for o in demo.ORGANISATIONS]).delete()
        for name in files:
            default_storage.delete(name)


@pytest.fixture
def loaded(demo_output: str, db) -> str:
    return demo_output


def test_demo_has_every_grant_status_with_its_trail(loaded):
    grants = list(demo.demo_grants())
    assert len(grants) == len(demo.GRANTS) == 12
    assert {g.status for g in grants} == set(GrantStatus.values)
    for grant in grants:
        trail = list(grant.status_changes.order_by("pk").values_list("from_status", "to_status"))
        # Every grant starts in the pipeline and its trail ends in its current status.
        assert trail[0] == ("", GrantStatus.PIPELINE)
        assert trail[-1][1] == grant.status
        # The trail is dated when things happened, not when the demo was loaded.
        dates = list(grant.status_changes.order_by("pk").values_list("at", flat=True))
        assert dates == sorted(dates)
    terminated = next(g for g in grants if g.status == GrantStatus.TERMINATED)
    assert [
        t for _, t in terminated.status_changes.order_by("pk").values_list("from_status", "to_status")
    ] == [
        "pipeline",
        "active",
        "suspended",
        "terminated",
    ]


def test_demo_milestones_cover_every_status_and_are_dated_from_today(loaded):
    today = datetime.date.today()
    milestones = Milestone.objects.filter(country_project__grant__in=demo.demo_grants())
    assert set(milestones.values_list("status", flat=True)) == set(MilestoneStatus.values)
    assert milestones.overdue(today).count() >= 10
    assert milestones.due_within(today, 30).count() >= 5
    # Completed work carries its completion date, never in the future.
    completed = milestones.filter(status=MilestoneStatus.COMPLETED)
    assert not completed.filter(completed_on__gt=today).exists()
    assert not completed.filter(completed_on__isnull=True).exists()
    # Standard deliverables are all there.
    categories = set(milestones.values_list("category", flat=True))
    assert {
        "work_plan",
        "baseline",
        "cmep",
        "tpr",
        "financial",
        "midterm",
        "final_eval",
        "activity",
    } <= categories
    # Each milestone's trail starts with "Logged" and ends in its status; delayed ones say why.
    for milestone in milestones.filter(status=MilestoneStatus.DELAYED)[:10]:
        changes = list(milestone.status_changes.order_by("pk"))
        assert changes[0].note == "Logged"
        assert changes[-1].to_status == MilestoneStatus.DELAYED
        assert changes[-1].note
    assert MilestoneStatusChange.objects.filter(milestone__in=milestones).count() > milestones.count()
    assert Milestone.history.filter(id__in=milestones.values("pk")).count() >= milestones.count()


def test_demo_spans_regions_with_projects_partners_themes_and_modifications(loaded):
    projects = CountryProject.objects.filter(grant__in=demo.demo_grants())
    countries = set(projects.values_list("country", flat=True))
    assert projects.count() >= 28
    assert len(countries) >= 15
    assert {"GT", "CO", "BR"} <= countries  # Latin America
    assert {"CI", "KE", "SN"} <= countries  # Africa
    assert {"NP", "BD", "KH"} <= countries  # Asia
    assert not projects.filter(target_groups=None).exists()
    assert projects.exclude(implementing_partners=None).count() >= 15
    assert all(p.region_list for p in projects)
    assert not demo.demo_grants().filter(themes=None).exists()
    kinds = set(Modification.objects.filter(grant__in=demo.demo_grants()).values_list("kind", flat=True))
    assert kinds == set(ModificationKind.values)
    funded = Grant.objects.get(award_number__startswith="IL-32847-")
    assert funded.obligated_amount == funded.original_obligated_amount + 2_000_000
    extended = Grant.objects.get(award_number__startswith="IL-27315-")
    assert extended.is_extended
    # Accented names survive the round trip.
    assert Organisation.objects.filter(name="Institut Panafricain pour l'Éducation et le Travail").exists()


def test_demo_grantee_users_belong_to_their_organisations_and_see_only_their_grants(loaded):
    grantee_a = User.objects.get(username="grantee_a")
    grantee_b = User.objects.get(username="grantee_b")
    assert grantee_a.organisation.acronym == "FCE"
    assert grantee_b.organisation.acronym == "IPET"
    own_a = set(grants_visible_to(grantee_a).values_list("grantee__acronym", flat=True))
    own_b = set(grants_visible_to(grantee_b).values_list("grantee__acronym", flat=True))
    assert own_a == {"FCE"}
    assert own_b == {"IPET"}
    assert grants_visible_to(grantee_a).count() == 2
    # Their own grants show late and upcoming work, so the grantee's screens are not empty.
    today = datetime.date.today()
    assert milestones_visible_to(grantee_a).overdue(today).exists()
    assert milestones_visible_to(grantee_b).due_within(today, 30).exists()
    # Evidence was uploaded by each grantee on its own grant only.
    for evidence in MilestoneEvidence.objects.select_related(
        "uploaded_by", "milestone__country_project__grant"
    ):
        assert evidence.uploaded_by.organisation_id == evidence.milestone.country_project.grant.grantee_id


def test_demo_officers_are_assigned_several_grants_and_roles_are_set(loaded):
    for username in ("officer1", "officer2"):
        officer = User.objects.get(username=username)
        assert officer.role == User.Role.PROGRAM_OFFICER
        assert officer.officer_grants.count() >= 5
    assert User.objects.get(username="manager").role == User.Role.MANAGER
    admin = User.objects.get(username="admin")
    assert admin.is_administrator and admin.is_staff and admin.organisation is None


@pytest.mark.parametrize("username", [p.username for p in demo.PEOPLE])
def test_every_printed_demo_login_works(loaded, username):
    assert username in loaded
    assert demo.DEMO_PASSWORD in loaded
    assert Client().login(username=username, password=demo.DEMO_PASSWORD)


def test_printed_logins_name_role_and_organisation(loaded):
    lines = {line.split()[0]: line for line in loaded.splitlines() if line.strip()}
    assert "Grantee" in lines["grantee_a"] and "Fundación Caminos de Esperanza (FCE)" in lines["grantee_a"]
    assert "Program officer" in lines["officer1"]
    assert "Administrator" in lines["admin"]


def test_demo_evidence_files_are_small_valid_pdfs(loaded):
    evidence = list(MilestoneEvidence.objects.all())
    assert len(evidence) == 2
    for item in evidence:
        with default_storage.open(item.file.name, "rb") as handle:
            payload = handle.read()
        assert payload.startswith(b"%PDF-") and payload.rstrip().endswith(b"%%EOF")
        assert item.size == len(payload) < 10_000
        assert item.sha256 == hashlib.sha256(payload).hexdigest()
        assert item.content_type == "application/pdf"


def test_loading_twice_refuses_and_writes_nothing(loaded):
    before = (Grant.objects.count(), Milestone.objects.count(), GrantStatusChange.objects.count())
    with pytest.raises(CommandError, match=r"already loaded .*--reset"):
        run()
    assert (Grant.objects.count(), Milestone.objects.count(), GrantStatusChange.objects.count()) == before


def test_if_missing_leaves_a_loaded_demo_alone(loaded):
    before = Milestone.objects.count()
    assert "already loaded" in run("--if-missing")
    assert Milestone.objects.count() == before


def test_reset_reloads_the_demo_without_duplicates(loaded):
    counts = (
        demo.demo_grants().count(),
        CountryProject.objects.count(),
        Milestone.objects.count(),
        Modification.objects.count(),
        MilestoneEvidence.objects.count(),
        User.objects.count(),
        Organisation.objects.count(),
    )
    old_ids = set(demo.demo_grants().values_list("pk", flat=True))
    output = run("--reset")
    assert "Deleting the 12 demo grants" in output
    assert (
        demo.demo_grants().count(),
        CountryProject.objects.count(),
        Milestone.objects.count(),
        Modification.objects.count(),
        MilestoneEvidence.objects.count(),
        User.objects.count(),
        Organisation.objects.count(),
    ) == counts
    assert not old_ids & set(demo.demo_grants().values_list("pk", flat=True))


@pytest.mark.django_db
def test_refuses_without_debug_unless_allowed(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())
    assert not demo.scale_grants().exists()


@pytest.mark.django_db
def test_grants_option_needs_scale():
    with pytest.raises(CommandError, match="--grants goes with --scale"):
        run("--grants", "5")


@pytest.mark.django_db
def test_scale_load_sizes_statuses_and_reset():
    output = run("--scale", "--grants", "20")
    assert "20 grants, 60 country projects, 1380 milestones" in output
    grants = demo.scale_grants()
    assert grants.count() == 20
    assert set(grants.values_list("status", flat=True)) == set(GrantStatus.values)
    milestones = Milestone.objects.filter(country_project__grant__in=grants)
    assert milestones.count() == 20 * 3 * demo.SCALE_MILESTONES_PER_PROJECT
    assert set(milestones.values_list("status", flat=True)) == set(MilestoneStatus.values)
    today = datetime.date.today()
    assert milestones.overdue(today).exists()
    assert milestones.due_within(today, 30).exists()
    # The database's own rules hold for bulk rows too: completion dates go with "completed" only.
    assert not milestones.filter(status=MilestoneStatus.COMPLETED, completed_on__isnull=True).exists()
    assert (
        not milestones.exclude(status=MilestoneStatus.COMPLETED).filter(completed_on__isnull=False).exists()
    )
    assert MilestoneStatusChange.objects.filter(milestone__in=milestones).count() > milestones.count()
    # Bulk rows have no history, as the help says.
    assert not Grant.history.filter(id__in=grants.values("pk")).exists()
    # Budgets of each grant's country projects stay within its obligation.
    for grant in grants:
        assert sum(p.budget for p in grant.country_projects.all()) <= grant.obligated_amount
    # The demo grantee organisations get a share, so their users see a long list too.
    grantee_a = User.objects.get(username="grantee_a")
    assert grants_visible_to(grantee_a).filter(pk__in=grants).exists()

    with pytest.raises(CommandError, match="already loaded"):
        run("--scale", "--grants", "20")
    output = run("--scale", "--reset", "--grants", "10")
    assert "Deleted 20 synthetic grants" in output
    assert demo.scale_grants().count() == 10
    assert CountryProject.objects.filter(grant__in=demo.scale_grants()).count() == 30
    assert Milestone.objects.filter(country_project__grant__in=demo.scale_grants()).count() == 690


@pytest.mark.django_db
def test_scale_reset_leaves_other_grants_alone(world):
    run("--scale", "--grants", "5")
    run("--scale", "--reset", "--grants", "5")
    assert Grant.objects.filter(pk__in=[world.grant_a.pk, world.grant_b.pk]).count() == 2
    assert Milestone.objects.filter(pk=world.milestone_a.pk).exists()


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime.date(2024, 9, 30), "IL-12345-24-75-K"),
        (datetime.date(2024, 10, 1), "IL-12345-25-75-K"),
    ],
)
def test_award_number_carries_the_fiscal_year_of_the_award(start, expected):
    assert demo.award_number("12345", start) == expected


def test_half_year_reports_are_due_thirty_days_after_each_fiscal_half():
    reports = demo_loader._half_year_reports(datetime.date(2024, 11, 15), datetime.date(2025, 12, 31))
    assert [due for _, due in reports] == [
        datetime.date(2025, 4, 30),
        datetime.date(2025, 10, 30),
        datetime.date(2026, 4, 30),
    ]
    assert reports[0][0] == "October 2024 to March 2025"


def test_demo_records_are_dated_when_they_would_have_happened(loaded):
    modifications = Modification.objects.filter(grant__in=demo.demo_grants())
    assert modifications.exists()
    assert all(m.created_at.date() == m.effective_date for m in modifications)
    milestones = Milestone.objects.filter(country_project__grant__in=demo.demo_grants()).prefetch_related(
        "status_changes"
    )
    for milestone in milestones:
        first = min(change.at for change in milestone.status_changes.all())
        assert milestone.created_at == first


def test_demo_history_rows_are_dated_like_the_events_they_record(loaded):
    """The history pages and "Recent changes" show the years of a demo portfolio, not the second it loaded."""
    milestones = Milestone.objects.filter(country_project__grant__in=demo.demo_grants()).prefetch_related(
        "status_changes"
    )
    for milestone in milestones:
        events = {change.at for change in milestone.status_changes.all()}
        dated = [row.history_date.replace(microsecond=0) for row in milestone.history.all()]
        assert dated and set(dated) <= events, milestone.title
    for grant in demo.demo_grants().prefetch_related("status_changes", "modifications"):
        events = {change.at for change in grant.status_changes.all()}
        events |= {modification.created_at for modification in grant.modifications.all()}
        dated = {row.history_date.replace(microsecond=0) for row in grant.history.all()}
        assert dated <= events, grant.award_number
