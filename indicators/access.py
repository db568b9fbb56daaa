"""Who may see or change what in the indicators app, built on grants.access.

Visibility follows the country project: a grantee sees the reporting periods, project indicators and
submissions of its own organisation's grants and gets 404 for anything else; office staff see everything.
Actions on a submission, by role:
- view: anyone who can see it;
- edit (save a draft, submit, attach evidence): the grantee organisation's users, and administrators. Program
  officers review and do not enter the data they approve;
- review (approve, return, reopen): the grant's program officer or an administrator;
- comment: the grantee's users, the grant's program officer and administrators (managers read only).
Whether the submission's status allows the action is a domain rule, enforced by indicators.services.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from grants.access import (
    can_change_grant,
    country_projects_visible_to,
    grants_visible_to,
    sees_whole_portfolio,
)
from grants.models import CountryProject, User
from indicators.models import (
    CalendarFeed,
    CrossIndicatorRule,
    DataUpload,
    Indicator,
    ProjectIndicator,
    ReportingPeriod,
    ResultNode,
    Submission,
    SubmissionEvidence,
)

Action = Literal["view", "edit", "review", "comment"]


# Office staff see every grant and country project (grants.access decides who is confined to an
# organisation). Their lists below are left unfiltered: "country_project IN (SELECT id FROM every project)" keeps
# every row (the foreign keys are not null) yet makes the database read the whole table at each lookup.


def submissions_visible_to(user: User, queryset: QuerySet[Submission] | None = None) -> QuerySet[Submission]:
    qs = Submission.objects.all() if queryset is None else queryset
    if sees_whole_portfolio(user):
        return qs
    return qs.filter(country_project__in=country_projects_visible_to(user))


def reporting_periods_visible_to(
    user: User, queryset: QuerySet[ReportingPeriod] | None = None
) -> QuerySet[ReportingPeriod]:
    qs = ReportingPeriod.objects.all() if queryset is None else queryset
    if sees_whole_portfolio(user):
        return qs
    return qs.filter(grant__in=grants_visible_to(user))


def project_indicators_visible_to(
    user: User, queryset: QuerySet[ProjectIndicator] | None = None
) -> QuerySet[ProjectIndicator]:
    qs = ProjectIndicator.objects.all() if queryset is None else queryset
    if sees_whole_portfolio(user):
        return qs
    return qs.filter(country_project__in=country_projects_visible_to(user))


def submission_evidence_visible_to(user: User) -> QuerySet[SubmissionEvidence]:
    return SubmissionEvidence.objects.filter(submission__in=submissions_visible_to(user))


def can_manage_library(user: User) -> bool:
    """The indicator library and disaggregation categories: administrators and program officers."""
    return user.is_authenticated and (user.is_administrator or user.is_program_officer)


def can_report_for_project(user: User, project: CountryProject) -> bool:
    """Who enters a country project's reports: its grantee organisation's staff, and administrators."""
    if not user.is_authenticated:
        return False
    if user.is_administrator:
        return True
    return user.is_grantee and user.organisation_id == project.grant.grantee_id


def can_upload_for_project(user: User, project: CountryProject) -> bool:
    """Who may fill a project's reports from a spreadsheet: those who enter its reports, and the grant's program
    officer on the grantee's behalf (officers who receive the file by email)."""
    return can_report_for_project(user, project) or can_change_grant(user, project.grant)


def uploads_visible_to(user: User) -> QuerySet[DataUpload]:
    """One's own uploads, and uploads for the grants one can see. An upload gets its period only once its
    template was found to be one the uploader may fill, so another organisation's template uploaded by
    mistake (or on purpose) stays visible to its uploader alone and says nothing about that organisation."""
    if not user.is_authenticated:
        return DataUpload.objects.none()
    return DataUpload.objects.filter(Q(uploaded_by=user) | Q(period__grant__in=grants_visible_to(user)))


def get_upload_for_user(user: User, pk: int | str) -> DataUpload:
    try:
        return uploads_visible_to(user).select_related("uploaded_by", "period__grant").get(pk=pk)
    except (DataUpload.DoesNotExist, ValueError):
        raise Http404("No such upload.") from None


def calendar_feeds_of(user: User) -> QuerySet[CalendarFeed]:
    """A person's own calendar subscriptions: nobody else's, whatever their role (administrators use the admin)."""
    if not user.is_authenticated:
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(user=user)


def get_calendar_feed_for_user(user: User, pk: int | str) -> CalendarFeed:
    try:
        return calendar_feeds_of(user).get(pk=pk)
    except (CalendarFeed.DoesNotExist, ValueError):
        raise Http404("No such calendar subscription.") from None


def can_edit_submission(user: User, submission: Submission) -> bool:
    return can_report_for_project(user, submission.country_project)


def can_review_submission(user: User, submission: Submission) -> bool:
    return can_change_grant(user, submission.country_project.grant)


def can_comment_on_submission(user: User, submission: Submission) -> bool:
    return can_edit_submission(user, submission) or can_review_submission(user, submission)


_CHECKS = {
    "edit": (can_edit_submission, "Only the grantee's staff can change this report."),
    "review": (
        can_review_submission,
        "Only the grant's program officer or an administrator can review reports.",
    ),
    "comment": (can_comment_on_submission, "You can read this report but not comment on it."),
}


def check_submission_action(user: User, submission: Submission, action: Action) -> None:
    """403 unless ``user`` may take ``action`` on a submission they can see."""
    if action == "view":
        return
    allowed, message = _CHECKS[action]
    if not allowed(user, submission):
        raise PermissionDenied(message)


def get_submission_for_user(
    user: User,
    pk: int | str,
    *,
    write: bool = False,
    action: Action | None = None,
    queryset: QuerySet[Submission] | None = None,
) -> Submission:
    """The submission, or 404 if the user may not see it; 403 if they may see it but not take ``action``.

    ``write=True`` is shorthand for ``action="edit"``.
    """
    base = (Submission.objects.all() if queryset is None else queryset).select_related(
        "country_project__grant", "period"
    )
    try:
        submission = submissions_visible_to(user, base).get(pk=pk)
    except (Submission.DoesNotExist, ValueError):
        raise Http404("No such report.") from None
    check_submission_action(user, submission, action or ("edit" if write else "view"))
    return submission


def get_reporting_period_for_user(user: User, pk: int | str, *, write: bool = False) -> ReportingPeriod:
    """Opening and closing periods is for the grant's program officer or an administrator."""
    try:
        period = reporting_periods_visible_to(user).select_related("grant").get(pk=pk)
    except (ReportingPeriod.DoesNotExist, ValueError):
        raise Http404("No such reporting period.") from None
    if write and not can_change_grant(user, period.grant):
        raise PermissionDenied("Only the grant's program officer or an administrator can change this.")
    return period


def get_project_indicator_for_user(user: User, pk: int | str, *, write: bool = False) -> ProjectIndicator:
    """Targets and baselines are agreed and changed by the grant's program officer (or an administrator)."""
    base = ProjectIndicator.objects.with_library().select_related("country_project__grant")
    try:
        project_indicator = project_indicators_visible_to(user, base).get(pk=pk)
    except (ProjectIndicator.DoesNotExist, ValueError):
        raise Http404("No such project indicator.") from None
    if write and not can_change_grant(user, project_indicator.country_project.grant):
        raise PermissionDenied("Only the grant's program officer or an administrator can change this.")
    return project_indicator


def get_submission_evidence_for_user(user: User, pk: int | str) -> SubmissionEvidence:
    try:
        return submission_evidence_visible_to(user).select_related("submission").get(pk=pk)
    except (SubmissionEvidence.DoesNotExist, ValueError):
        raise Http404("No such file.") from None


def get_indicator_for_user(
    user: User, pk: int | str, *, write: bool = False, queryset: QuerySet[Indicator] | None = None
) -> Indicator:
    """A library indicator. The library is shared reference data: every signed-in user reads every indicator
    (grantees need the definitions); changing one is for program officers and administrators (403)."""
    try:
        indicator = (Indicator.objects.all() if queryset is None else queryset).get(pk=pk)
    except (Indicator.DoesNotExist, ValueError):
        raise Http404("No such indicator.") from None
    if write and not can_manage_library(user):
        raise PermissionDenied("Only program officers and administrators change the indicator library.")
    return indicator


def _get_framework_part(
    model: type, user: User, pk: int | str, *, write: bool
) -> ResultNode | CrossIndicatorRule:
    try:
        part = (
            model.objects.filter(country_project__in=country_projects_visible_to(user))
            .select_related("country_project__grant")
            .get(pk=pk)
        )
    except (model.DoesNotExist, ValueError):
        raise Http404("Not found.") from None
    if write and not can_change_grant(user, part.country_project.grant):
        raise PermissionDenied("Only the grant's program officer or an administrator can change this.")
    return part


def get_result_node_for_user(user: User, pk: int | str, *, write: bool = False) -> ResultNode:
    """A result of a visible project's framework (404 otherwise); ``write``: the grant's officer or an admin."""
    return _get_framework_part(ResultNode, user, pk, write=write)


def get_cross_indicator_rule_for_user(
    user: User, pk: int | str, *, write: bool = False
) -> CrossIndicatorRule:
    return _get_framework_part(CrossIndicatorRule, user, pk, write=write)
