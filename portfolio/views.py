"""The home page: the signed-in user's slice of the portfolio at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from grants.selectors.dashboard_selectors import dashboard as select_dashboard


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    data = select_dashboard(user=request.user, today=timezone.localdate())
    return render(request, "portfolio/dashboard.html", {"dash": data})
