"""Who may see or change what in the grants app.

Every list, export, download and lookup starts here. A user who may not see an object gets 404, exactly as
if it did not exist (a grantee must not learn that another organisation's grant exists); a user who may see
it but not change it gets 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from grants.models import CountryProject, Grant, Milestone, MilestoneEvidence, Notification, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _sees_everything(user: User) -> bool:
    return user.is_administrator or user.is_manager or user.is_program_officer


def sees_whole_portfolio(user: User | AnonymousUser) -> bool:
    """Whether ``user`` sees every grant and project (signed-in office staff): their lists need no filter."""
    return _grantee_org(user) is None


def _grantee_org(user: User | AnonymousUser) -> int | None:
    """The organisation a grantee is confined to; None for office staff, -1 for anyone without access."""
    if not user.is_authenticated:
        return -1
    if _sees_everything(user):
        return None
    if user.is_grantee and user.organisation_id:
        return user.organisation_id
    return -1


def grants_visible_to(user: User, queryset: QuerySet[Grant] | None = None) -> QuerySet[Grant]:
    qs = Grant.objects.all() if queryset is None else queryset
    org = _grantee_org(user)
    if org is None:
        return qs
    return qs.filter(grantee_id=org)


def country_projects_visible_to(
    user: User, queryset: QuerySet[CountryProject] | None = None
) -> QuerySet[CountryProject]:
    qs = CountryProject.objects.all() if queryset is None else queryset
    org = _grantee_org(user)
    if org is None:
        return qs
    return qs.filter(grant__grantee_id=org)


def milestones_visible_to(user: User, queryset: QuerySet[Milestone] | None = None) -> QuerySet[Milestone]:
    qs = Milestone.objects.all() if queryset is None else queryset
    org = _grantee_org(user)
    if org is None:
        return qs
    return qs.filter(country_project__grant__grantee_id=org)


def evidence_visible_to(user: User) -> QuerySet[MilestoneEvidence]:
    qs = MilestoneEvidence.objects.all()
    org = _grantee_org(user)
    if org is None:
        return qs
    return qs.filter(milestone__country_project__grant__grantee_id=org)


def can_create_grant(user: User) -> bool:
    return user.is_authenticated and (user.is_administrator or user.is_program_officer)


def can_change_grant(user: User, grant: Grant) -> bool:
    """Administrators change any grant; a program officer the grants assigned to them."""
    if not user.is_authenticated:
        return False
    return user.is_administrator or (user.is_program_officer and grant.program_officer_id == user.pk)


def can_export(user: User) -> bool:
    return user.is_authenticated


def _check_write(user: User, grant: Grant, write: bool) -> None:
    if write and not can_change_grant(user, grant):
        raise PermissionDenied("Only the grant's program officer or an administrator can change this.")


def get_grant_for_user(
    user: User, pk: int | str, *, write: bool = False, queryset: QuerySet[Grant] | None = None
) -> Grant:
    try:
        grant = grants_visible_to(user, queryset).get(pk=pk)
    except (Grant.DoesNotExist, ValueError):
        raise Http404("No such grant.") from None
    _check_write(user, grant, write)
    return grant


def get_country_project_for_user(
    user: User, pk: int | str, *, write: bool = False, queryset: QuerySet[CountryProject] | None = None
) -> CountryProject:
    base = (CountryProject.objects.all() if queryset is None else queryset).select_related("grant")
    try:
        project = country_projects_visible_to(user, base).get(pk=pk)
    except (CountryProject.DoesNotExist, ValueError):
        raise Http404("No such country project.") from None
    _check_write(user, project.grant, write)
    return project


def get_milestone_for_user(
    user: User, pk: int | str, *, write: bool = False, queryset: QuerySet[Milestone] | None = None
) -> Milestone:
    base = (Milestone.objects.all() if queryset is None else queryset).select_related(
        "country_project__grant"
    )
    try:
        milestone = milestones_visible_to(user, base).get(pk=pk)
    except (Milestone.DoesNotExist, ValueError):
        raise Http404("No such milestone.") from None
    _check_write(user, milestone.country_project.grant, write)
    return milestone


def get_evidence_for_user(user: User, pk: int | str, *, write: bool = False) -> MilestoneEvidence:
    try:
        evidence = evidence_visible_to(user).select_related("milestone__country_project__grant").get(pk=pk)
    except (MilestoneEvidence.DoesNotExist, ValueError):
        raise Http404("No such file.") from None
    _check_write(user, evidence.milestone.country_project.grant, write)
    return evidence


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    """One's own in-app notifications, and nobody else's, whatever one's role."""
    return Notification.objects.filter(recipient=user, in_app=True)


def get_notification_for_user(user: User, pk: int | str) -> Notification:
    try:
        return notifications_visible_to(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError):
        raise Http404("No such notification.") from None
