"""Domain rules of grants, modifications, country projects and milestones, through the services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grants import services
from grants.models import (
    CountryProject,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    Modification,
    ModificationKind,
    Theme,
)
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _grant_fields(org, officer, **overrides):
    fields = {
        "award_number": "IL-40001-24-75-K",
        "title": "Futuros: education for migrant children",
        "grantee": org,
        "program_officer": officer,
        "start_date": datetime.date(2024, 10, 1),
        "end_date": datetime.date(2028, 9, 30),
        "obligated_amount": Decimal("4500000.00"),
    }
    fields.update(overrides)
    return fields


def _errors(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


class TestGrantCreate:
    def test_keeps_original_figures_and_records_creation(self, org_a, officer):
        grant = services.grant_create(
            actor=officer, themes=Theme.objects.filter(code="education"), **_grant_fields(org_a, officer)
        )
        assert grant.original_obligated_amount == Decimal("4500000.00")
        assert grant.original_end_date == datetime.date(2028, 9, 30)
        assert list(grant.themes.values_list("code", flat=True)) == ["education"]
        change = grant.status_changes.get()
        assert (change.from_status, change.to_status, change.actor) == ("", GrantStatus.PIPELINE, officer)
        # One record for the row, one for setting its themes; both name who did it.
        assert {h.history_user for h in grant.history.all()} == {officer}

    def test_rejects_end_before_start(self, org_a, officer):
        with pytest.raises(ValidationError) as exc:
            services.grant_create(
                actor=officer, **_grant_fields(org_a, officer, end_date=datetime.date(2024, 9, 30))
            )
        assert "cannot end before it starts" in str(exc.value)
        assert not Grant.objects.exists()

    def test_rejects_duplicate_award_number(self, org_a, officer):
        services.grant_create(actor=officer, **_grant_fields(org_a, officer))
        with pytest.raises(ValidationError) as exc:
            services.grant_create(actor=officer, **_grant_fields(org_a, officer, title="Another"))
        assert _errors(exc)["award_number"] == ["Another grant already has this award number."]
        assert Grant.objects.count() == 1

    def test_rejects_negative_amount(self, org_a, officer):
        with pytest.raises(ValidationError) as exc:
            services.grant_create(
                actor=officer, **_grant_fields(org_a, officer, obligated_amount=Decimal("-1"))
            )
        assert "obligated_amount" in _errors(exc)
        assert not Grant.objects.exists()

    def test_rejects_a_program_officer_who_is_not_one(self, org_a, officer, manager):
        with pytest.raises(ValidationError) as exc:
            services.grant_create(actor=officer, **_grant_fields(org_a, manager))
        assert _errors(exc)["program_officer"] == ["Choose a user whose role is program officer."]

    def test_rejects_malformed_award_number_and_listing(self, org_a, officer):
        with pytest.raises(ValidationError) as exc:
            services.grant_create(
                actor=officer,
                **_grant_fields(org_a, officer, award_number="il 1", assistance_listing="17401"),
            )
        assert set(_errors(exc)) >= {"award_number", "assistance_listing"}


class TestGrantUpdate:
    def test_pipeline_grant_figures_edit_directly_and_move_the_originals(self, org_a, officer):
        grant = services.grant_create(actor=officer, **_grant_fields(org_a, officer))
        grant = services.grant_update(grant=grant, actor=officer, obligated_amount=Decimal("5000000"))
        assert grant.original_obligated_amount == Decimal("5000000")

    def test_active_grant_figures_change_only_through_modifications(self, org_a, officer):
        grant = GrantFactory(grantee=org_a, program_officer=officer, status=GrantStatus.ACTIVE)
        with pytest.raises(ValidationError) as exc:
            services.grant_update(
                grant=grant, actor=officer, obligated_amount=Decimal("1"), title="New title"
            )
        assert "through a modification" in _errors(exc)["obligated_amount"][0]
        grant.refresh_from_db()
        assert grant.obligated_amount == Decimal("5000000.00")
        assert grant.title != "New title"

    def test_cannot_shrink_the_period_below_a_country_project(self, officer):
        grant = GrantFactory(program_officer=officer, status=GrantStatus.PIPELINE)
        CountryProjectFactory(grant=grant, country="HN")
        with pytest.raises(ValidationError) as exc:
            services.grant_update(grant=grant, actor=officer, end_date=datetime.date(2026, 1, 1))
        assert "Honduras" in _errors(exc)["end_date"][0]


class TestGrantTransition:
    @pytest.mark.parametrize(
        "path",
        [
            ["active", "closeout", "closed"],
            ["active", "suspended", "active", "closeout"],
            ["active", "terminated", "closeout", "closed"],
            ["active", "suspended", "terminated"],
        ],
    )
    def test_allowed_paths_are_recorded(self, officer, path):
        grant = GrantFactory(status=GrantStatus.PIPELINE)
        for to in path:
            grant = services.grant_transition(grant=grant, to_status=to, actor=officer, note="because")
        assert grant.status == path[-1]
        recorded = list(grant.status_changes.order_by("pk").values_list("to_status", flat=True))
        assert recorded == path

    @pytest.mark.parametrize(
        ("start", "to"),
        [("pipeline", "closed"), ("closed", "active"), ("closeout", "active"), ("pipeline", "suspended")],
    )
    def test_illegal_change_is_refused_and_nothing_recorded(self, officer, start, to):
        grant = GrantFactory(status=start)
        with pytest.raises(ValidationError) as exc:
            services.grant_transition(grant=grant, to_status=to, actor=officer, note="x")
        assert "cannot become" in _errors(exc)["to_status"][0]
        grant.refresh_from_db()
        assert grant.status == start
        assert not GrantStatusChange.objects.exists()

    def test_unknown_status_is_refused(self, officer):
        grant = GrantFactory()
        with pytest.raises(ValidationError):
            services.grant_transition(grant=grant, to_status="bogus", actor=officer)

    @pytest.mark.parametrize("to", ["suspended", "terminated"])
    def test_suspending_or_terminating_needs_a_note(self, officer, to):
        grant = GrantFactory(status=GrantStatus.ACTIVE)
        with pytest.raises(ValidationError) as exc:
            services.grant_transition(grant=grant, to_status=to, actor=officer, note="  ")
        assert "Say why" in _errors(exc)["note"][0]
        grant.refresh_from_db()
        assert grant.status == GrantStatus.ACTIVE


class TestModificationApply:
    def test_numbers_per_grant_and_keeps_original_figures(self, officer):
        grant = GrantFactory(obligated_amount=Decimal("1000000"), end_date=datetime.date(2027, 12, 31))
        other = GrantFactory()
        first = services.modification_apply(
            grant=grant,
            actor=officer,
            kind=ModificationKind.INCREMENTAL_FUNDING,
            effective_date=datetime.date(2025, 3, 1),
            amount_change=Decimal("250000.50"),
            reason="Second tranche",
        )
        second = services.modification_apply(
            grant=grant,
            actor=officer,
            kind=ModificationKind.NO_COST_EXTENSION,
            effective_date=datetime.date(2025, 6, 1),
            new_end_date=datetime.date(2028, 6, 30),
            reason="Delays from flooding",
        )
        elsewhere = services.modification_apply(
            grant=other,
            actor=officer,
            kind=ModificationKind.BUDGET_REALIGNMENT,
            effective_date=datetime.date(2025, 6, 1),
            reason="Move funds to training",
        )
        grant.refresh_from_db()
        assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
        assert grant.obligated_amount == Decimal("1250000.50")
        assert grant.original_obligated_amount == Decimal("1000000")
        assert grant.end_date == datetime.date(2028, 6, 30)
        assert grant.original_end_date == datetime.date(2027, 12, 31)
        assert (first.obligated_before, first.obligated_after) == (Decimal("1000000"), Decimal("1250000.50"))
        assert (second.end_date_before, second.end_date_after) == (
            datetime.date(2027, 12, 31),
            datetime.date(2028, 6, 30),
        )
        assert grant.is_extended and grant.funding_change == Decimal("250000.50")

    def test_refuses_to_make_the_obligation_negative(self, officer):
        grant = GrantFactory(obligated_amount=Decimal("100"))
        with pytest.raises(ValidationError) as exc:
            services.modification_apply(
                grant=grant,
                actor=officer,
                kind=ModificationKind.SCOPE_CHANGE,
                effective_date=datetime.date(2025, 1, 1),
                amount_change=Decimal("-100.01"),
                reason="Deobligation",
            )
        assert "negative" in _errors(exc)["amount_change"][0]
        grant.refresh_from_db()
        assert grant.obligated_amount == Decimal("100")
        assert not Modification.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "amount", "new_end", "field"),
        [
            (ModificationKind.INCREMENTAL_FUNDING, Decimal("0"), None, "amount_change"),
            (ModificationKind.INCREMENTAL_FUNDING, Decimal("-5"), None, "amount_change"),
            (ModificationKind.NO_COST_EXTENSION, Decimal("0"), None, "new_end_date"),
            (ModificationKind.NO_COST_EXTENSION, Decimal("0"), datetime.date(2027, 1, 1), "new_end_date"),
            (ModificationKind.NO_COST_EXTENSION, Decimal("10"), datetime.date(2029, 1, 1), "amount_change"),
            (ModificationKind.BUDGET_REALIGNMENT, Decimal("10"), None, "amount_change"),
        ],
    )
    def test_kind_rules(self, officer, kind, amount, new_end, field):
        grant = GrantFactory()
        with pytest.raises(ValidationError) as exc:
            services.modification_apply(
                grant=grant,
                actor=officer,
                kind=kind,
                effective_date=datetime.date(2025, 1, 1),
                amount_change=amount,
                new_end_date=new_end,
                reason="r",
            )
        assert field in _errors(exc)
        assert not Modification.objects.exists()

    def test_cannot_cut_the_period_below_a_country_project(self, officer):
        grant = GrantFactory()
        CountryProjectFactory(grant=grant, country="PE")
        with pytest.raises(ValidationError) as exc:
            services.modification_apply(
                grant=grant,
                actor=officer,
                kind=ModificationKind.SCOPE_CHANGE,
                effective_date=datetime.date(2025, 1, 1),
                new_end_date=datetime.date(2026, 1, 1),
                reason="Shorter",
            )
        assert "Peru" in _errors(exc)["new_end_date"][0]
        assert not Modification.objects.exists()

    def test_needs_a_reason_and_an_open_grant(self, officer):
        grant = GrantFactory()
        with pytest.raises(ValidationError) as exc:
            services.modification_apply(
                grant=grant,
                actor=officer,
                kind=ModificationKind.BUDGET_REALIGNMENT,
                effective_date=datetime.date(2025, 1, 1),
                reason="   ",
            )
        assert "reason" in _errors(exc)
        closed = GrantFactory(status=GrantStatus.CLOSED)
        with pytest.raises(ValidationError, match="closed grant"):
            services.modification_apply(
                grant=closed,
                actor=officer,
                kind=ModificationKind.BUDGET_REALIGNMENT,
                effective_date=datetime.date(2025, 1, 1),
                reason="r",
            )


class TestCountryProject:
    def _fields(self, **overrides):
        fields = {
            "country": "GT",
            "title": "Guatemala",
            "budget": Decimal("1000000"),
            "start_date": datetime.date(2024, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
        }
        fields.update(overrides)
        return fields

    def test_creates_with_partners_and_groups(self, officer, org_b):
        grant = GrantFactory()
        project = services.country_project_create(
            grant=grant, actor=officer, implementing_partners=[org_b], **self._fields()
        )
        assert list(project.implementing_partners.all()) == [org_b]
        assert project.history.first().history_user == officer

    @pytest.mark.parametrize(
        ("overrides", "field", "text"),
        [
            ({"start_date": datetime.date(2023, 12, 31)}, "start_date", "before the grant"),
            ({"end_date": datetime.date(2028, 1, 1)}, "end_date", "after the grant"),
            ({"budget": Decimal("5000000.01")}, "budget", "more than"),
            ({"budget": Decimal("-1")}, "budget", ""),
            ({"end_date": datetime.date(2023, 1, 1)}, "__all__", "cannot end before"),
        ],
    )
    def test_rejections(self, officer, overrides, field, text):
        grant = GrantFactory()
        with pytest.raises(ValidationError) as exc:
            services.country_project_create(grant=grant, actor=officer, **self._fields(**overrides))
        messages = _errors(exc)
        assert field in messages
        assert text in " ".join(messages[field])
        assert not CountryProject.objects.exists()

    def test_budgets_of_all_projects_fit_the_obligation(self, officer):
        grant = GrantFactory(obligated_amount=Decimal("1500000"))
        services.country_project_create(grant=grant, actor=officer, **self._fields())
        with pytest.raises(ValidationError) as exc:
            services.country_project_create(grant=grant, actor=officer, **self._fields(country="HN"))
        assert "at most 500,000.00 USD is left" in _errors(exc)["budget"][0]

    def test_one_project_per_country(self, officer):
        grant = GrantFactory()
        services.country_project_create(grant=grant, actor=officer, **self._fields(budget=Decimal("1")))
        with pytest.raises(ValidationError, match="already has a project in that country"):
            services.country_project_create(grant=grant, actor=officer, **self._fields(budget=Decimal("1")))

    def test_update_rechecks_budget_without_counting_itself(self, officer):
        grant = GrantFactory(obligated_amount=Decimal("1000000"))
        project = services.country_project_create(grant=grant, actor=officer, **self._fields())
        project = services.country_project_update(project=project, actor=officer, title="Renamed")
        assert project.title == "Renamed"


class TestMilestones:
    def test_create_logs_planned_then_the_asked_status(self, officer):
        project = CountryProjectFactory()
        milestone = services.milestone_create(
            country_project=project,
            actor=officer,
            title="Baseline study",
            due_date=datetime.date(2024, 6, 30),
            status=MilestoneStatus.COMPLETED,
            completed_on=datetime.date(2024, 6, 20),
        )
        assert milestone.status == MilestoneStatus.COMPLETED
        assert milestone.completed_on == datetime.date(2024, 6, 20)
        steps = list(milestone.status_changes.order_by("pk").values_list("from_status", "to_status"))
        assert steps == [("", "planned"), ("planned", "completed")]

    def test_due_before_project_start_is_refused(self, officer):
        project = CountryProjectFactory()
        with pytest.raises(ValidationError) as exc:
            services.milestone_create(
                country_project=project, actor=officer, title="x", due_date=datetime.date(2023, 1, 1)
            )
        assert "due_date" in _errors(exc)
        assert not Milestone.objects.exists()

    def test_transitions_and_reopening(self, officer):
        milestone = MilestoneFactory()
        today = datetime.date(2025, 7, 1)
        milestone = services.milestone_transition(
            milestone=milestone, to_status="completed", actor=officer, today=today
        )
        assert milestone.completed_on == today
        milestone = services.milestone_transition(
            milestone=milestone, to_status="in_progress", actor=officer, note="Report incomplete", today=today
        )
        assert milestone.completed_on is None
        assert "Report incomplete" in milestone.notes

    @pytest.mark.parametrize(
        ("start", "to", "kwargs", "field"),
        [
            ("completed", "cancelled", {}, "to_status"),
            ("planned", "planned", {}, "to_status"),
            ("planned", "delayed", {"note": ""}, "note"),
            ("planned", "cancelled", {"note": " "}, "note"),
            ("planned", "completed", {"completed_on": datetime.date(2030, 1, 1)}, "completed_on"),
            ("planned", "completed", {"completed_on": datetime.date(2020, 1, 1)}, "completed_on"),
        ],
    )
    def test_rejections_change_nothing(self, officer, start, to, kwargs, field):
        completed_on = datetime.date(2025, 1, 1) if start == "completed" else None
        milestone = MilestoneFactory(status=start, completed_on=completed_on)
        with pytest.raises(ValidationError) as exc:
            services.milestone_transition(
                milestone=milestone, to_status=to, actor=officer, today=datetime.date(2025, 7, 1), **kwargs
            )
        assert field in _errors(exc)
        milestone.refresh_from_db()
        assert milestone.status == start
        assert not milestone.status_changes.exists()

    def test_update_cannot_touch_status(self, officer):
        milestone = MilestoneFactory()
        with pytest.raises(TypeError):
            services.milestone_update(milestone=milestone, actor=officer, status="completed")


class TestEvidence:
    def test_stores_file_with_checksum_under_a_random_name(self, officer):
        milestone = MilestoneFactory()
        content = b"%PDF-1.4 minimal"
        evidence = services.evidence_add(
            milestone=milestone,
            actor=officer,
            name="../../etc/Work plan.pdf",
            stream=io.BytesIO(content),
            size=len(content),
        )
        assert evidence.content_type == "application/pdf"
        assert len(evidence.sha256) == 64
        assert evidence.original_name == "../../etc/Work plan.pdf"
        assert ".." not in evidence.file.name and evidence.file.name.startswith(f"evidence/{milestone.pk}/")
        with evidence.file.open("rb") as stored:
            assert stored.read() == content

    def test_rejected_file_stores_nothing(self, officer, settings):
        milestone = MilestoneFactory()
        with pytest.raises(ValidationError, match="not a PDF"):
            services.evidence_add(
                milestone=milestone,
                actor=officer,
                name="report.pdf",
                stream=io.BytesIO(b"MZ\x90\x00"),
                size=4,
            )
        assert not MilestoneEvidence.objects.exists()


def test_refusal_messages_read_properly(officer):
    grant = GrantFactory(status=GrantStatus.ACTIVE)
    with pytest.raises(ValidationError) as exc:
        services.grant_transition(grant=grant, to_status="pipeline", actor=officer)
    assert exc.value.message_dict["to_status"] == ["An active grant cannot become pipeline."]
    milestone = MilestoneFactory(status="in_progress")
    with pytest.raises(ValidationError) as exc:
        services.milestone_transition(milestone=milestone, to_status="planned", actor=officer)
    assert exc.value.message_dict["to_status"] == ["An in progress milestone cannot be marked planned."]
