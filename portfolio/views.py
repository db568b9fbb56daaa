"""The home page: the signed-in user's slice of the portfolio at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from grants.selectors.dashboard_selectors import dashboard as select_dashboard
from indicators.selectors.dashboard import reporting_summary
from indicators.selectors.spending import spending_card
from indicators.selectors.whats_due import timeliness_card, whats_due


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "dash": select_dashboard(user=request.user, today=today),
        "reporting": reporting_summary(user=request.user, today=today),
        "due": whats_due(user=request.user, today=today),
        "timeliness": timeliness_card(user=request.user, today=today),
        "spending": spending_card(user=request.user, today=today),
    }
    return render(request, "portfolio/dashboard.html", context)
