"""The submission workflow: drafts keep what was typed, stale and locked saves are refused, submitting needs
valid figures, every transition is recorded and every illegal one refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators import services
from indicators.cells import TOTAL, make_key
from indicators.models import ActualValue, PeriodStatus, Submission, SubmissionStatus, SubmissionTransition
from tests.indicators.conftest import complete_values, fill

pytestmark = pytest.mark.django_db
FEMALE_5 = make_key({"sex": "female", "age": "5-11"})


def statuses(submission: Submission) -> list[tuple[str, str]]:
    return list(submission.transitions.values_list("from_status", "to_status"))


def test_starting_a_report_creates_one_draft_with_its_first_trail_row(world, framework, grantee_a, draft):
    assert (draft.status, draft.version) == (SubmissionStatus.DRAFT, 1)
    again = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.first, actor=grantee_a
    )
    assert again.pk == draft.pk
    assert statuses(draft) == [("", "draft")]
    assert draft.transitions.get().actor == grantee_a


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_grant", "That reporting period belongs to another grant."),
        ("closed", "is closed"),
        ("future", "report on it once it has begun"),
    ],
)
def test_a_report_cannot_be_started_for_a_wrong_period(world, framework, grantee_a, officer, case, message):
    period = framework.first
    today = None
    if case == "other_grant":
        period = framework.first_b
    elif case == "closed":
        services.reporting_period_set_status(period=period, status=PeriodStatus.CLOSED, actor=officer)
        period.refresh_from_db()
    else:
        today = period.start_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        services.submission_get_or_create_draft(
            country_project=world.project_a, period=period, actor=grantee_a, today=today
        )
    assert not Submission.objects.exists()


def test_a_draft_keeps_everything_typed_even_when_invalid(framework, grantee_a, draft):
    values = {
        (framework.reached.pk, TOTAL): {"value": "12,5"},
        (framework.reached.pk, FEMALE_5): {"value": "-2", "comment": "Recount pending"},
        (framework.attending.pk, TOTAL): {"numerator": "30", "denominator": "20"},
    }
    saved = services.submission_save_draft(
        submission=draft,
        expected_version=1,
        actor=grantee_a,
        values=values,
        expenditure="abc",
        challenges="Floods",
    )
    result = saved.result
    assert not result.is_valid
    assert {issue.key for issue in result.errors} == {
        f"value-{framework.reached.pk}-total",
        f"value-{framework.reached.pk}-{FEMALE_5}",
        f"numerator-{framework.attending.pk}-total",
        "cumulative_expenditure",
    }
    rows = {(r.project_indicator_id, r.cell_key): r for r in ActualValue.objects.filter(submission=draft)}
    total = rows[(framework.reached.pk, TOTAL)]
    assert (total.value_text, total.value) == ("12,5", None)  # kept as typed, never summed
    female = rows[(framework.reached.pk, FEMALE_5)]
    assert (female.value_text, female.value, female.comment) == ("-2", Decimal(-2), "Recount pending")
    attending = rows[(framework.attending.pk, TOTAL)]
    assert (attending.numerator, attending.denominator) == (Decimal(30), Decimal(20))
    submission = saved.submission
    submission.refresh_from_db()
    assert (submission.expenditure_text, submission.cumulative_expenditure) == ("abc", None)
    assert (submission.challenges, submission.version, submission.updated_by) == ("Floods", 2, grantee_a)


def test_saving_only_changes_the_cells_sent_and_blank_cells_are_removed(framework, grantee_a, draft):
    submission = fill(draft, framework, grantee_a)
    count = ActualValue.objects.filter(submission=submission).count()
    services.submission_save_draft(
        submission=submission,
        expected_version=submission.version,
        actor=grantee_a,
        values={
            (framework.capital.pk, TOTAL): {"value": "2000"},
            (framework.reached.pk, FEMALE_5): {"value": ""},
        },
    )
    assert ActualValue.objects.filter(submission=submission).count() == count - 1
    assert ActualValue.objects.get(project_indicator=framework.capital).value == Decimal(2000)
    assert ActualValue.objects.get(project_indicator=framework.reached, cell_key=TOTAL).value == Decimal(8)


def test_a_stale_save_is_refused_with_who_and_when_and_nothing_is_written(framework, grantee_a, org_a, draft):
    from tests.factories import GranteeUserFactory

    colleague = GranteeUserFactory(
        username="colleague", first_name="Carla", last_name="Colleague", organisation=org_a
    )
    services.submission_save_draft(
        submission=draft,
        expected_version=1,
        actor=colleague,
        values={(framework.capital.pk, TOTAL): {"value": "5"}},
    )
    with pytest.raises(ValidationError) as caught:
        services.submission_save_draft(
            submission=draft,
            expected_version=1,
            actor=grantee_a,
            values={(framework.capital.pk, TOTAL): {"value": "9"}},
            achievements="Mine",
        )
    message = caught.value.messages[0]
    assert message.startswith("Someone else (Carla Colleague) saved this report at ")
    assert "Your changes were not saved: reload" in message
    draft.refresh_from_db()
    assert (draft.version, draft.achievements) == (2, "")
    assert ActualValue.objects.get(project_indicator=framework.capital).value == Decimal(5)


def test_a_stale_save_by_the_same_person_says_another_window(framework, grantee_a, draft):
    services.submission_save_draft(submission=draft, expected_version=1, actor=grantee_a)
    with pytest.raises(ValidationError, match="You saved this report in another window at"):
        services.submission_save_draft(submission=draft, expected_version=1, actor=grantee_a)


@pytest.mark.parametrize("key", ["foreign", "bad_cell", "unknown_indicator"])
def test_figures_for_cells_outside_the_project_are_refused_and_nothing_is_written(
    framework, grantee_a, draft, key
):
    cell = {
        "foreign": (framework.reached_b.pk, TOTAL),
        "bad_cell": (framework.reached.pk, "sex=other"),
        "unknown_indicator": (999999, TOTAL),
    }[key]
    values = {(framework.capital.pk, TOTAL): {"value": "5"}, cell: {"value": "1"}}
    with pytest.raises(ValidationError, match="this project does not report on; reload the page"):
        services.submission_save_draft(submission=draft, expected_version=1, actor=grantee_a, values=values)
    assert not ActualValue.objects.exists()
    draft.refresh_from_db()
    assert draft.version == 1


def test_submitting_is_refused_until_errors_are_fixed(framework, grantee_a, draft):
    values = complete_values(framework)
    values[(framework.reached.pk, TOTAL)] = {"value": "9"}  # cells add up to 8
    services.submission_save_draft(
        submission=draft, expected_version=1, actor=grantee_a, values=values, expenditure="10"
    )
    with pytest.raises(services.SubmissionInvalid) as caught:
        services.submission_submit(submission=draft, actor=grantee_a)
    errors = caught.value.message_dict
    assert errors["__all__"] == ["The report was not submitted: fix the 2 problems marked below."]
    assert errors[f"value-{framework.reached.pk}-total"] == [
        "The groups' figures add up to 8, but the total is 9: every sex, age band group must be counted."
    ]
    assert errors["achievements"] == ["Describe the period's achievements."]
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    assert statuses(draft) == [("", "draft")]
    # Fixed: it goes through, with the figures as submitted kept on the transition.
    fill(draft, framework, grantee_a)
    submitted = services.submission_submit(submission=draft, actor=grantee_a, comment="First report")
    assert submitted.status == SubmissionStatus.SUBMITTED and submitted.submitted_at is not None
    row = submitted.transitions.last()
    assert (row.from_status, row.to_status, row.actor, row.comment) == (
        "draft",
        "submitted",
        grantee_a,
        "First report",
    )
    assert row.snapshot["cumulative_expenditure"] == "125000.00"
    assert {"indicator": "L5", "cell": "", "value": "1500.00"}.items() <= next(
        v for v in row.snapshot["values"] if v["indicator"] == "L5"
    ).items()


def test_missing_figures_block_submission_but_nothing_to_report_does_not(framework, grantee_a, draft):
    values = complete_values(framework)
    del values[(framework.capital.pk, TOTAL)]
    fill(draft, framework, grantee_a, values=values)
    with pytest.raises(services.SubmissionInvalid) as caught:
        services.submission_submit(submission=draft, actor=grantee_a)
    assert caught.value.message_dict[f"value-{framework.capital.pk}-total"] == [
        "Enter a figure, or tick “nothing to report”."
    ]
    fill(draft, framework, grantee_a, values={(framework.capital.pk, TOTAL): {"nothing_to_report": True}})
    assert services.submission_submit(submission=draft, actor=grantee_a).status == SubmissionStatus.SUBMITTED


def test_the_full_workflow_is_recorded(framework, grantee_a, officer, draft):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    services.submission_return(submission=draft, actor=officer, comment="E3: check the attendance registers")
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.RETURNED and draft.is_editable
    fill(draft, framework, grantee_a, values={(framework.capital.pk, TOTAL): {"value": "1400"}})
    services.submission_submit(submission=draft, actor=grantee_a, comment="Corrected")
    services.submission_approve(submission=draft, actor=officer)
    services.submission_reopen(submission=draft, actor=officer, comment="Audit found a double count")
    assert statuses(draft) == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
        ("approved", "draft"),
    ]
    trail = list(draft.transitions.values_list("actor__username", "comment"))
    assert trail[2] == ("officer", "E3: check the attendance registers")
    assert trail[5] == ("officer", "Audit found a double count")
    # Both submissions are on record: the first with 1500 USD, the corrected one with 1400.
    snapshots = [t.snapshot for t in draft.transitions.filter(to_status="submitted")]
    capital = [next(v["value"] for v in s["values"] if v["indicator"] == "L5") for s in snapshots]
    assert capital == ["1500.00", "1400.00"]
    # Every transition moved the version on, so an open review page is stale after each.
    draft.refresh_from_db()
    assert draft.version == 1 + 2 + 5  # created, two saves, five transitions


ILLEGAL = [
    ("draft", "approve"),
    ("draft", "return"),
    ("draft", "reopen"),
    ("submitted", "submit"),
    ("submitted", "reopen"),
    ("returned", "approve"),
    ("returned", "return"),
    ("returned", "reopen"),
    ("approved", "submit"),
    ("approved", "approve"),
    ("approved", "return"),
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_and_leave_no_trail(
    framework, grantee_a, officer, draft, status, action
):
    Submission.objects.filter(pk=draft.pk).update(status=status)
    before = SubmissionTransition.objects.count()
    call = {
        "submit": lambda: services.submission_submit(submission=draft, actor=grantee_a),
        "approve": lambda: services.submission_approve(submission=draft, actor=officer),
        "return": lambda: services.submission_return(submission=draft, actor=officer, comment="x"),
        "reopen": lambda: services.submission_reopen(submission=draft, actor=officer, comment="x"),
    }[action]
    with pytest.raises(ValidationError, match="report cannot be"):
        call()
    draft.refresh_from_db()
    assert draft.status == status and SubmissionTransition.objects.count() == before


def test_returning_and_reopening_need_a_comment(framework, grantee_a, officer, draft):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    with pytest.raises(ValidationError) as caught:
        services.submission_return(submission=draft, actor=officer, comment="  ")
    assert caught.value.message_dict == {"comment": ["Say what the grantee should correct."]}
    services.submission_approve(submission=draft, actor=officer)
    with pytest.raises(ValidationError) as caught:
        services.submission_reopen(submission=draft, actor=officer, comment="")
    assert caught.value.message_dict == {"comment": ["Say why the approved report is reopened."]}
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.APPROVED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            "approved",
            "This report is approved and locked. To correct it, ask the program officer to reopen it.",
        ),
        ("submitted", "This report has been submitted and is locked while it is reviewed."),
    ],
)
def test_saves_to_locked_reports_are_refused(framework, grantee_a, officer, draft, status, message):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    if status == "approved":
        services.submission_approve(submission=draft, actor=officer)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.submission_save_draft(
            submission=draft,
            expected_version=draft.version,
            actor=grantee_a,
            values={(framework.capital.pk, TOTAL): {"value": "1"}},
        )
    assert caught.value.messages == [message]
    assert ActualValue.objects.get(project_indicator=framework.capital).value == Decimal("1500.00")


def test_saves_and_submission_in_a_closed_period_are_refused(framework, grantee_a, officer, draft):
    fill(draft, framework, grantee_a)
    services.reporting_period_set_status(period=framework.first, status=PeriodStatus.CLOSED, actor=officer)
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="is closed; ask the program officer to reopen it"):
        services.submission_save_draft(submission=draft, expected_version=draft.version, actor=grantee_a)
    with pytest.raises(ValidationError, match="is closed"):
        services.submission_submit(submission=draft, actor=grantee_a)


def test_stale_review_actions_are_refused(framework, grantee_a, officer, draft):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    with pytest.raises(ValidationError, match="saved this report"):
        services.submission_approve(submission=draft, actor=officer, expected_version=1)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED


def test_a_large_change_needs_an_explanation_before_submitting(framework, grantee_a, officer, draft, world):
    fill(draft, framework, grantee_a)
    services.submission_submit(submission=draft, actor=grantee_a)
    services.submission_approve(submission=draft, actor=officer)
    second = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.second, actor=grantee_a
    )
    saved = services.submission_save_draft(
        submission=second,
        expected_version=second.version,
        actor=grantee_a,
        values=complete_values(framework, each=3),  # 8 -> 24 children reached
        expenditure="300000",
        achievements="More schools",
    )
    assert saved.result.is_valid
    (warning,) = saved.result.warnings
    assert (warning.project_indicator_id, warning.message) == (
        framework.reached.pk,
        "This is up 200% on the previous period (8 to 24); explain why.",
    )
    with pytest.raises(services.SubmissionInvalid) as caught:
        services.submission_submit(submission=second, actor=grantee_a)
    assert caught.value.message_dict[f"explanation-{framework.reached.pk}-total"] == [
        "Explain the change before submitting."
    ]
    services.submission_save_draft(
        submission=second,
        expected_version=second.version + 1,
        actor=grantee_a,
        values={
            (framework.reached.pk, TOTAL): {"value": "24", "explanation": "Two new municipalities joined."}
        },
    )
    assert services.submission_submit(submission=second, actor=grantee_a).status == SubmissionStatus.SUBMITTED


def test_cross_indicator_rules_block_submission(framework, grantee_a, officer, draft, world):
    from tests.indicator_factories import library

    enrolled = services.project_indicator_create(
        country_project=world.project_a, indicator=library("E4"), actor=officer
    )
    services.cross_indicator_rule_create(
        country_project=world.project_a, left=enrolled, operator="lte", right=framework.reached, actor=officer
    )
    values = complete_values(framework)
    values[(enrolled.pk, TOTAL)] = {"nothing_to_report": False, "value": "9"}
    for sex in ("female", "male"):
        for status in ("migrant", "returnee", "host"):
            values[(enrolled.pk, make_key({"sex": sex, "migration": status}))] = {"value": "1"}
    fill(draft, framework, grantee_a, values=values, valid=False)
    with pytest.raises(services.SubmissionInvalid) as caught:
        services.submission_submit(submission=draft, actor=grantee_a)
    assert caught.value.message_dict[f"value-{enrolled.pk}-total"] == [
        "E4 (9) must be at most E1 children engaged in or at risk of child labour who received education or "
        "vocational services (8)."
    ]


def test_review_comments_on_the_report_and_on_a_cell(framework, grantee_a, officer, draft):
    services.review_comment_add(submission=draft, actor=officer, text="Please attach the registers.")
    comment = services.review_comment_add(
        submission=draft,
        actor=officer,
        text="Is this right?",
        project_indicator=framework.reached,
        cell_key=FEMALE_5,
    )
    assert (comment.cell_key, comment.author) == (FEMALE_5, officer)
    with pytest.raises(ValidationError) as caught:
        services.review_comment_add(submission=draft, actor=officer, text=" ")
    assert caught.value.message_dict == {"text": ["Write a comment."]}
    with pytest.raises(ValidationError, match="not part of this report"):
        services.review_comment_add(
            submission=draft, actor=officer, text="x", project_indicator=framework.reached_b
        )
    with pytest.raises(ValidationError, match="no such disaggregation cell"):
        services.review_comment_add(
            submission=draft,
            actor=officer,
            text="x",
            project_indicator=framework.capital,
            cell_key="sex=male",
        )
    assert draft.comments.count() == 2


def _add_indicators(world, officer, codes):
    from tests.indicator_factories import library

    return [
        services.project_indicator_create(
            country_project=world.project_a, indicator=library(code), actor=officer
        )
        for code in codes
    ]


def test_saving_and_submitting_take_the_same_queries_whatever_the_number_of_cells(
    world, framework, grantee_a, officer, draft, django_assert_max_num_queries
):
    # The lock, the framework with its categories and options (3), the stored cells, the previous report,
    # the rules, one bulk upsert (plus a delete when cells are blanked), the submission's full_clean (5
    # existence and unique checks, 1 constraint), its save and history row, savepoints. The same bound holds
    # for 3 indicators (18 cells) and 8 indicators (58 cells).
    bound = 21
    with django_assert_max_num_queries(bound):
        fill(draft, framework, grantee_a)
    extra = _add_indicators(world, officer, ["E2", "P1", "S1", "S2", "L1"])
    values = {}
    for pi in extra:
        pi = type(pi).objects.with_library().get(pk=pi.pk)
        for key in pi.cell_keys:
            values[(pi.pk, key)] = {"nothing_to_report": True} if key == "" else {}
    draft.refresh_from_db()
    assert sum(len(type(pi).objects.with_library().get(pk=pi.pk).cell_keys) for pi in extra) + 18 == 58
    with django_assert_max_num_queries(bound):
        services.submission_save_draft(
            submission=draft, expected_version=draft.version, actor=grantee_a, values=values
        )
    with django_assert_max_num_queries(bound + 5):
        services.submission_submit(submission=draft, actor=grantee_a)
