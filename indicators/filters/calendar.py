"""The reporting calendar's filters: which view, which dates, and which obligations.

A plain form rather than a django-filter FilterSet: the calendar's rows are ``DueItem`` dataclasses built by
``indicators.selectors.deadlines.due_items``, not a queryset, so the form's job is to turn the query string
into one ``DueFilters`` and one date range. Every choice list is drawn from what the user may see; a grantee
has no grantee field at all (they only ever see their own organisation, and ``due_items`` scopes to it
whatever the form says).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django_countries import countries

from grants.filters.common import (
    AwardNumberChoiceField,
    GranteeChoiceField,
    OfficerChoiceField,
    country_choices,
    grant_choices,
    grantee_choices,
    officer_choices,
)
from grants.models import Grant
from indicators.deadlines import DueKind, DueState
from indicators.selectors.deadlines import DueFilters
from portfolio.widgets import FastSelect

MONTH = "month"
LIST = "list"
# The list opens on the last month (what is late) and the next quarter (what is coming).
LIST_DAYS_BEFORE = 30
LIST_DAYS_AFTER = 90
# Wide enough for any reporting question, narrow enough that a mistyped year cannot ask for a century.
MAX_RANGE_DAYS = 5 * 366

# The filters a calendar subscription keeps: everything but the dates (a subscription rolls with time) and the
# page's own keys (view, page, sort).
SUBSCRIPTION_KEYS = ("kind", "state", "country", "officer", "grantee", "grant")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# Selects are FastSelects: the same HTML as forms.Select, with the options written in Python.
_SMALL_SELECT = {"class": "form-select form-select-sm"}
_SMALL_INPUT = {"class": "form-control form-control-sm"}


def parse_month(text: str) -> datetime.date:
    """The first day of the month written "YYYY-MM"; ValueError with a message for people otherwise."""
    match = _MONTH_RE.match(text.strip())
    if not match:
        raise ValueError("Enter a month as YYYY-MM, for example 2025-06.")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"{text.strip()} is not a month: the month number must be 01 to 12.")
    if not 1900 <= year <= 2200:
        raise ValueError("Enter a year between 1900 and 2200.")
    return datetime.date(year, month, 1)


def _open_only(states: list[str]) -> bool:
    """Whether the states asked for are all still open (overdue, due soon): the list then reaches back to the
    oldest of them unless "From" says otherwise, so "Overdue" lists everything late, not the last month."""
    return bool(states) and set(states) <= {DueState.OVERDUE.value, DueState.DUE_SOON.value}


def _grant_countries(grant: Grant) -> list[tuple[str, str]]:
    codes = grant.country_projects.order_by().values_list("country", flat=True).distinct()
    return sorted(((code, countries.name(code) or code) for code in codes), key=lambda choice: choice[1])


def month_end(first: datetime.date) -> datetime.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True)
class CalendarQuery:
    """What one calendar page shows: the view, its dates (inclusive) and the filters for ``due_items``."""

    view: str
    month: datetime.date  # first day of the month shown (month view) or of today's month (list view)
    start: datetime.date | None
    end: datetime.date | None  # None: open-ended (the iCalendar feed)
    filters: DueFilters


class CalendarFilterForm(forms.Form):
    """Bound to ``request.GET``. A missing key means the default (this month; today - 30 .. today + 90 for
    the list, with no start when only overdue or due-soon items are asked for); an invalid value is an error
    next to its field and the page shows no items until it is put right. ``grant`` is given for a grant's own calendar: the grant field then disappears and the scope is
    fixed to that grant."""

    month = forms.CharField(
        label="Month",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={**_SMALL_INPUT, "type": "month", "placeholder": "YYYY-MM"}),
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={**_SMALL_INPUT, "type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={**_SMALL_INPUT, "type": "date"})
    )
    kind = forms.MultipleChoiceField(
        label="Kind",
        required=False,
        choices=[(kind.value, kind.label) for kind in DueKind],
        widget=forms.CheckboxSelectMultiple,
    )
    state = forms.MultipleChoiceField(
        label="State",
        required=False,
        choices=[(state.value, state.label) for state in DueState],
        widget=forms.CheckboxSelectMultiple,
    )
    country = forms.ChoiceField(label="Country", required=False, widget=FastSelect(attrs=_SMALL_SELECT))
    officer = OfficerChoiceField(
        label="Program officer",
        required=False,
        queryset=officer_choices(None),
        empty_label="Any officer",
        widget=FastSelect(attrs=_SMALL_SELECT),
    )
    grantee = GranteeChoiceField(
        label="Grantee",
        required=False,
        queryset=grantee_choices(None),
        empty_label="Any grantee",
        widget=FastSelect(attrs=_SMALL_SELECT),
    )
    grant = AwardNumberChoiceField(
        label="Grant",
        required=False,
        queryset=grant_choices(None),
        empty_label="Any grant",
        widget=FastSelect(attrs=_SMALL_SELECT),
    )

    def __init__(
        self,
        data: Any,
        *,
        request: HttpRequest,
        today: datetime.date,
        grant: Grant | None = None,
        fill_defaults: bool = True,
    ) -> None:
        if fill_defaults:
            # The defaults written into the data, so the fields show the month or range the page shows.
            # The iCalendar feed asks for none: its own defaults differ.
            data = data.copy()
            if data.get("view") == LIST:
                if not data.get("start") and not _open_only(data.getlist("state")):
                    data["start"] = (today - datetime.timedelta(days=LIST_DAYS_BEFORE)).isoformat()
                if not data.get("end"):
                    data["end"] = (today + datetime.timedelta(days=LIST_DAYS_AFTER)).isoformat()
            elif not data.get("month"):
                data["month"] = f"{today:%Y-%m}"
        super().__init__(data)
        self.today = today
        self.scope_grant = grant
        # The month view has a month, the list a range: the other view's dates are not fields here, so a
        # stale value left in a link can neither fail the form nor hide behind a field that is not shown.
        self.view = LIST if self.data.get("view") == LIST else MONTH
        if self.view == LIST:
            del self.fields["month"]
        else:
            del self.fields["start"], self.fields["end"]
        user = request.user
        if grant is not None:
            # One grant has one grantee and one officer: only its countries are left to choose from.
            del self.fields["grant"], self.fields["grantee"], self.fields["officer"]
            self.fields["country"].choices = [("", "Any country"), *_grant_countries(grant)]
            return
        self.fields["country"].choices = [("", "Any country"), *country_choices(user)]
        self.fields["officer"].queryset = officer_choices(request)
        self.fields["grant"].queryset = grant_choices(request)
        if user.is_grantee:
            # A grantee sees only its own organisation: the field would have one choice, and a value
            # naming another organisation must be ignored, not looked up.
            del self.fields["grantee"]
        else:
            self.fields["grantee"].queryset = grantee_choices(request)

    def clean_month(self) -> datetime.date:
        text = self.cleaned_data["month"]
        if not text:
            return self.today.replace(day=1)
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid_month") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "“To” must be on or after “From”.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", "Choose a range of at most five years.")
        return data

    def query(
        self,
        *,
        default_start: datetime.date | None = None,
        default_end: datetime.date | None = None,
        unbounded: bool = False,
    ) -> CalendarQuery:
        """The page's query from a valid form. The list's range is the form's dates, else the defaults given
        (the iCalendar feed passes ``unbounded=True`` to leave an absent end open), else today - 30 .. today
        + 90."""
        data = self.cleaned_data
        if self.view == MONTH:
            month = data["month"]
            first: datetime.date | None = month
            last: datetime.date | None = month_end(month)
        else:
            month = self.today.replace(day=1)
            first = data.get("start") or default_start
            if first is None and not _open_only(data["state"]):
                first = self.today - datetime.timedelta(days=LIST_DAYS_BEFORE)
            last = data.get("end") or default_end
            if last is None and not unbounded:
                last = self.today + datetime.timedelta(days=LIST_DAYS_AFTER)
        grantee = data.get("grantee")
        grant = self.scope_grant or data.get("grant")
        officer = data.get("officer")
        filters = DueFilters(
            kinds=frozenset(DueKind(kind) for kind in data["kind"]) or None,
            states=frozenset(DueState(state) for state in data["state"]) or None,
            country=data["country"] or "",
            officer_id=officer.pk if officer else None,
            grantee_id=grantee.pk if grantee else None,
            grant_id=grant.pk if grant else None,
        )
        return CalendarQuery(view=self.view, month=month, start=first, end=last, filters=filters)

    def describe(self) -> str:
        """The filters of a valid form in words ("Milestone (overdue) · Guatemala · IL-2024-001"; "All items"
        when none is set): the name of a calendar subscription."""
        data = self.cleaned_data
        what = ", ".join(DueKind(kind).label for kind in data["kind"]) or "All items"
        if data["state"]:
            what += " (" + ", ".join(DueState(state).label.lower() for state in data["state"]) + ")"
        parts = [what]
        if data["country"]:
            parts.append(dict(self.fields["country"].choices).get(data["country"], data["country"]))
        for name in ("officer", "grantee", "grant"):
            chosen = data.get(name)
            if chosen is not None:
                parts.append(self.fields[name].label_from_instance(chosen))
        if self.scope_grant is not None:
            parts.append(self.scope_grant.award_number)
        return " · ".join(parts)
