"""Choice lists shared by the filter bars; every one is drawn from what the user may see."""

from __future__ import annotations

import functools

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django_countries import countries
from django_filters import fields as filter_fields

from grants.access import country_projects_visible_to, grants_visible_to
from grants.models import Grant, Organisation, User
from portfolio.widgets import FlatChoicesMixin


class AwardNumberChoiceField(FlatChoicesMixin, forms.ModelChoiceField):
    # The award number is how staff name a grant; titles are too long for a select.
    choice_columns = ("award_number",)

    def label_from_instance(self, obj: Grant) -> str:
        return obj.award_number

    def label_from_row(self, award_number: str) -> str:
        return award_number


class OfficerLabels(FlatChoicesMixin):
    """Officer options read as columns, labelled as ``str(user)`` labels them."""

    choice_columns = ("first_name", "last_name", "username")

    def label_from_row(self, first_name: str, last_name: str, username: str) -> str:
        # User.__str__: get_full_name() (AbstractUser's "first last", stripped) or else the username.
        return f"{first_name} {last_name}".strip() or username


class GranteeLabels(FlatChoicesMixin):
    """Organisation options read as columns, labelled as ``str(organisation)`` labels them."""

    choice_columns = ("name", "acronym")

    def label_from_row(self, name: str, acronym: str) -> str:
        return f"{name} ({acronym})" if acronym else name


class OfficerChoiceField(OfficerLabels, forms.ModelChoiceField):
    pass


class GranteeChoiceField(GranteeLabels, forms.ModelChoiceField):
    pass


class _OfficerFilterField(OfficerLabels, filter_fields.ModelChoiceField):
    pass


class _GranteeFilterField(GranteeLabels, filter_fields.ModelChoiceField):
    pass


class OfficerChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _OfficerFilterField


class GranteeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _GranteeFilterField


def grant_choices(request: HttpRequest | None) -> QuerySet[Grant]:
    if request is None:
        return Grant.objects.none()
    return grants_visible_to(request.user).only("pk", "award_number").order_by("award_number")


def officer_choices(request: HttpRequest | None) -> QuerySet[User]:
    if request is None:
        return User.objects.none()
    visible = grants_visible_to(request.user).values("program_officer_id")
    return User.objects.filter(pk__in=visible).order_by("last_name", "first_name", "username")


def grantee_choices(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    visible = grants_visible_to(request.user).values("grantee_id")
    return Organisation.objects.filter(pk__in=visible).order_by("name")


class AwardChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = AwardNumberChoiceField


def country_choices(user: User | None) -> list[tuple[str, str]]:
    """The countries the user has projects in, named and sorted for people."""
    if user is None:
        return []
    codes = country_projects_visible_to(user).order_by().values_list("country", flat=True).distinct()
    language = get_language()
    return sorted(((code, _country_name(language, code)) for code in codes), key=lambda c: c[1])


@functools.cache
def _country_name(language: str | None, code: str) -> str:
    # django-countries translates the name on every call; the names are fixed per language, and there are
    # fewer than 300 codes, so each filter bar need not translate its country list again.
    return countries.name(code) or code
