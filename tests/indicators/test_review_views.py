"""The review side: the queue, the review screen and its actions (approve, return, reopen), with the permission
matrix of every URL and the refusals a reviewer can run into."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import Submission, SubmissionStatus, SubmissionTransition
from tests.indicators.conftest import fill

pytestmark = pytest.mark.django_db

PERSONAS = ("officer", "other_officer", "manager", "admin_user", "grantee_a", "grantee_b")


@pytest.fixture
def submitted(draft, framework, grantee_a) -> Submission:
    fill(draft, framework, grantee_a)
    return services.submission_submit(submission=draft, actor=grantee_a)


def _approved(submission: Submission, officer) -> Submission:
    return services.submission_approve(submission=submission, actor=officer)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _client(request, persona, client_for):
    from django.test import Client

    if persona == "anonymous":
        return Client()
    return client_for(request.getfixturevalue(persona))


# --- the queue ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("grantee_a", 403),
        ("grantee_b", 403),
        ("officer", 200),
        ("other_officer", 200),
        ("manager", 200),
        ("admin_user", 200),
    ],
)
def test_review_queue_permissions(request, persona, expected, client_for, submitted):
    response = _client(request, persona, client_for).get(reverse("indicators:review_queue"))
    assert response.status_code == expected
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_officer_queue_shows_own_grants_waiting_by_default(client_for, officer, other_officer, submitted):
    response = client_for(officer).get(reverse("indicators:review_queue"))
    assert [row.record for row in response.context["table"].rows] == [submitted]
    assert "Review" in response.content.decode()
    # The other officer's default queue holds only their own grants: nothing waits there.
    response = client_for(other_officer).get(reverse("indicators:review_queue"))
    assert list(response.context["table"].rows) == []
    # "Any officer" and "Any status" show everything they can see.
    response = client_for(other_officer).get(
        reverse("indicators:review_queue"), {"officer": "", "status": ""}
    )
    assert submitted in [row.record for row in response.context["table"].rows]


def test_queue_status_filter_and_default(
    client_for, officer, manager, submitted, framework, world, grantee_b
):
    draft_b = services.submission_get_or_create_draft(
        country_project=world.project_b, period=framework.first_b, actor=grantee_b
    )
    response = client_for(manager).get(reverse("indicators:review_queue"))
    assert [row.record for row in response.context["table"].rows] == [submitted]
    response = client_for(manager).get(reverse("indicators:review_queue"), {"status": "draft"})
    assert [row.record for row in response.context["table"].rows] == [draft_b]
    response = client_for(manager).get(reverse("indicators:review_queue"), {"status": ""})
    assert {row.record for row in response.context["table"].rows} == {submitted, draft_b}


# --- the review screen --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected", "actions"),
    [
        ("anonymous", 302, None),
        ("grantee_a", 302, None),  # the grantee's own staff are sent to the entry page
        ("grantee_b", 404, None),
        ("officer", 200, ["approve", "return"]),
        ("other_officer", 200, []),
        ("manager", 200, []),
        ("admin_user", 200, ["approve", "return"]),
    ],
)
def test_review_screen_permissions(request, persona, expected, actions, client_for, submitted):
    url = reverse("indicators:submission_review", args=[submitted.pk])
    response = _client(request, persona, client_for).get(url)
    assert response.status_code == expected
    if persona == "grantee_a":
        assert response["Location"] == reverse("indicators:submission_entry", args=[submitted.pk])
    if actions is not None:
        assert list(response.context["action_forms"]) == actions
        html = response.content.decode()
        assert ("Your decision" in html) == bool(actions)
        assert reverse("indicators:submission_entry", args=[submitted.pk]) in html


def test_review_screen_unknown_report_is_404(client_for, officer):
    assert client_for(officer).get(reverse("indicators:submission_review", args=[999999])).status_code == 404


def test_review_screen_shows_values_targets_and_previous(client_for, officer, submitted, framework):
    response = client_for(officer).get(reverse("indicators:submission_review", args=[submitted.pk]))
    html = response.content.decode()
    assert 'data-testid="reported-E1-total">8<' in html
    assert "Cells add up to" in html
    assert "Remedial classes opened in 4 schools." in html
    assert "USD 125,000.00" in html


def test_approved_report_offers_only_reopen(client_for, officer, submitted):
    _approved(submitted, officer)
    response = client_for(officer).get(reverse("indicators:submission_review", args=[submitted.pk]))
    assert list(response.context["action_forms"]) == ["reopen"]


# --- actions: permission matrix -----------------------------------------------------------------------------

ACTION_MATRIX = [
    ("anonymous", 302),
    ("grantee_a", 403),
    ("grantee_b", 404),
    ("other_officer", 403),
    ("manager", 403),
    ("officer", 302),
    ("admin_user", 302),
]


@pytest.mark.parametrize(("persona", "expected"), ACTION_MATRIX)
@pytest.mark.parametrize(
    ("action", "to_status"), [("approve", "approved"), ("return", "returned"), ("reopen", "draft")]
)
def test_review_action_permissions(
    request, persona, expected, action, to_status, client_for, submitted, officer
):
    if action == "reopen":
        submitted = _approved(submitted, officer)
    before = submitted.status
    url = reverse(f"indicators:submission_{action}", args=[submitted.pk])
    data = {
        f"{action}-version": submitted.version,
        f"{action}-comment": "Checked against the school records.",
    }
    response = _client(request, persona, client_for).post(url, data)
    assert response.status_code == expected
    submitted.refresh_from_db()
    if expected == 302 and persona != "anonymous":
        assert response["Location"] == reverse("indicators:submission_review", args=[submitted.pk])
        assert submitted.status == to_status
        assert submitted.transitions.last().comment == "Checked against the school records."
    else:
        assert submitted.status == before


@pytest.mark.parametrize("action", ["approve", "return", "reopen"])
def test_review_actions_are_post_only(action, client_for, officer, submitted):
    response = client_for(officer).get(reverse(f"indicators:submission_{action}", args=[submitted.pk]))
    assert response.status_code == 405


def test_approve_says_so_and_locks(client_for, officer, submitted):
    url = reverse("indicators:submission_approve", args=[submitted.pk])
    response = client_for(officer).post(url, {"approve-version": submitted.version}, follow=True)
    assert "The report was approved; its figures are now locked." in _messages(response)
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.APPROVED


# --- actions: bad input -------------------------------------------------------------------------------------


def test_return_without_comment_is_refused_at_the_field(client_for, officer, submitted):
    transitions = SubmissionTransition.objects.count()
    url = reverse("indicators:submission_return", args=[submitted.pk])
    response = client_for(officer).post(url, {"return-version": submitted.version, "return-comment": "  "})
    assert response.status_code == 200
    form = response.context["action_forms"]["return"]
    assert form.errors["comment"] == ["Say what the grantee should correct."]
    assert 'data-testid="error-comment">Say what the grantee should correct.' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert SubmissionTransition.objects.count() == transitions


def test_reopen_without_reason_is_refused(client_for, officer, submitted):
    _approved(submitted, officer)
    submitted.refresh_from_db()
    url = reverse("indicators:submission_reopen", args=[submitted.pk])
    response = client_for(officer).post(url, {"reopen-version": submitted.version, "reopen-comment": ""})
    assert response.context["action_forms"]["reopen"].errors["comment"] == [
        "Say why the approved report is reopened."
    ]
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.APPROVED


def test_stale_approval_is_refused_with_a_clear_message(client_for, officer, submitted, grantee_a):
    opened_at = submitted.version
    # Meanwhile the report was returned in another window, corrected and submitted again.
    services.submission_return(submission=submitted, actor=officer, comment="Check E1.")
    services.submission_submit(submission=submitted, actor=grantee_a)
    submitted.refresh_from_db()
    current = submitted.version
    url = reverse("indicators:submission_approve", args=[submitted.pk])
    response = client_for(officer).post(url, {"approve-version": opened_at, "approve-comment": "Fine."})
    assert response.status_code == 200
    errors = response.context["action_forms"]["approve"].non_field_errors()
    assert any("after you opened it" in e for e in errors)
    html = response.content.decode()
    assert "after you opened it" in html
    # The page now shows the current report, and approving from it is at the current version.
    assert f'name="approve-version" value="{current}"' in html
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert submitted.version == current


def test_approving_a_draft_is_refused(client_for, officer, draft):
    url = reverse("indicators:submission_approve", args=[draft.pk])
    response = client_for(officer).post(url, {"approve-version": draft.version})
    assert response.status_code == 200
    assert "A draft report cannot be approved." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT
    assert draft.transitions.count() == 1


def test_action_without_version_is_refused(client_for, officer, submitted):
    url = reverse("indicators:submission_approve", args=[submitted.pk])
    response = client_for(officer).post(url, {})
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED


def test_return_shows_comment_at_top_of_entry_page(client_for, officer, grantee_a, submitted):
    url = reverse("indicators:submission_return", args=[submitted.pk])
    response = client_for(officer).post(
        url, {"return-version": submitted.version, "return-comment": "E1 girls 12-14 look low."}, follow=True
    )
    assert "The report was returned to the grantee with your comment." in _messages(response)
    page = client_for(grantee_a).get(reverse("indicators:submission_entry", args=[submitted.pk]))
    html = page.content.decode()
    assert 'data-testid="return-comment"' in html
    assert "E1 girls 12-14 look low." in html


def test_review_screen_shows_the_checks_at_their_cells(client_for, officer, draft, framework, grantee_a):
    from indicators.cells import TOTAL
    from tests.indicators.conftest import complete_values

    values = complete_values(framework)
    values[(framework.reached.pk, TOTAL)] = {"value": "9"}
    fill(draft, framework, grantee_a, values=values, valid=False)
    response = client_for(officer).get(reverse("indicators:submission_review", args=[draft.pk]))
    entry = next(e for g in response.context["groups"] for e in g.indicators if e.spec.code == "E1")
    assert entry.total.errors == [
        "The groups' figures add up to 8, but the total is 9: every sex, age band group must be counted."
    ]
    assert "but the total is 9" in response.content.decode()
    assert entry.sum_differs
