"""A grant's reporting periods: every period with the state of each country project's report, the period
change log, and the officer's actions (generate or update the periods, open or close one period).

Anyone who can see the grant reads the page (another organisation's grantee gets 404); the grant's program
officer and administrators act on it (403 for others). Writes go through ``indicators.services.periods``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from grants.access import can_change_grant, get_grant_for_user
from grants.models import Grant
from indicators import services
from indicators.forms.periods import PeriodReopenForm, PeriodStatusForm
from indicators.models import PeriodStatus
from indicators.models.reporting import day
from indicators.selectors.periods import CHANGE_LIMIT, grant_periods_overview
from indicators.services.periods import grace_days, reporting_period_relock, reporting_period_reopen


def _grant(request: HttpRequest, pk: int, *, write: bool = False) -> Grant:
    return get_grant_for_user(
        request.user, pk, write=write, queryset=Grant.objects.select_related("grantee", "program_officer")
    )


@require_safe
def grant_periods(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    overview = grant_periods_overview(grant)
    today, grace = timezone.localdate(), grace_days()
    context = {
        "grant": grant,
        "overview": overview,
        # Each period with its entry window for grantees (open, reopened or locked, and until when).
        "rows": [(row, row.period.entry_window(today, grace)) for row in overview.rows],
        "today": today,
        "grace_days": grace,
        "can_change": can_change_grant(request.user, grant),
        "change_limit": CHANGE_LIMIT,
    }
    return render(request, "indicators/periods_grant.html", context)


def generation_message(outcome: services.PeriodGeneration) -> str:
    if not (outcome.created or outcome.updated or outcome.removed):
        message = "The periods already match the grant's dates and reporting frequency; nothing changed."
    else:
        message = (
            f"Periods updated from the grant's dates: {len(outcome.created)} created, "
            f"{len(outcome.updated)} updated, {len(outcome.removed)} removed, {len(outcome.kept)} kept."
        )
    if outcome.kept:
        labels = ", ".join(p.label for p in outcome.kept)
        message += (
            f" Kept although outside the grant's dates, because reports or targets refer to them: {labels}."
        )
    return message


@require_POST
def grant_periods_generate(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk, write=True)
    try:
        outcome = services.reporting_periods_generate(grant=grant, actor=request.user)
    except (ValidationError, ValueError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"The periods were not changed. {text}")
    else:
        messages.success(request, generation_message(outcome))
    return redirect("indicators:grant_periods", pk=grant.pk)


@require_POST
def period_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Open or close one of the grant's periods; the note goes into the period's change log."""
    grant = _grant(request, pk, write=True)
    form = PeriodStatusForm(request.POST, grant=grant)
    if not form.is_valid():
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Nothing was changed. {errors}")
        return redirect("indicators:grant_periods", pk=grant.pk)
    try:
        period = services.reporting_period_set_status(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, f"Nothing was changed. {' '.join(exc.messages)}")
        return redirect("indicators:grant_periods", pk=grant.pk)
    if period.status == PeriodStatus.CLOSED:
        messages.success(
            request, f"{period.label} is closed: reports for it can no longer be started or edited."
        )
    else:
        messages.success(request, f"{period.label} is open again: grantees can report for it.")
    return redirect("indicators:grant_periods", pk=grant.pk)


@require_POST
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen one of the grant's periods for late entry until a day, or re-lock it; the note goes into the
    period's change log."""
    grant = _grant(request, pk, write=True)
    form = PeriodReopenForm(request.POST, grant=grant)
    if not form.is_valid():
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Nothing was changed. {errors}")
        return redirect("indicators:grant_periods", pk=grant.pk)
    data = form.cleaned_data
    try:
        if data["action"] == PeriodReopenForm.RELOCK:
            period = reporting_period_relock(period=data["period"], actor=request.user, note=data["note"])
        else:
            period = reporting_period_reopen(
                period=data["period"], until=data["until"], actor=request.user, note=data["note"]
            )
    except ValidationError as exc:
        messages.error(request, f"Nothing was changed. {' '.join(exc.messages)}")
        return redirect("indicators:grant_periods", pk=grant.pk)
    window = period.entry_window(timezone.localdate(), grace_days())
    if period.reopened_until is not None:
        messages.success(
            request, f"{period.label} is reopened: grantees can enter it until {day(period.reopened_until)}."
        )
    elif window.is_locked:
        messages.success(request, f"{period.label} is locked for grantees again.")
    else:
        messages.success(
            request,
            f"The reopening was withdrawn; {period.label} is open for entry until {day(window.closes_on)}.",
        )
    return redirect("indicators:grant_periods", pk=grant.pk)
