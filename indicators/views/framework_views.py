"""The program officer's results framework screens: a country project's framework (results, the indicators
measuring them, cross-indicator rules), the forms that set it up, and one indicator's targets grid.

Everyone who can see the country project reads these pages; only the grant's program officer and
administrators change them (403 for the rest; 404 for other organisations' grantees). Every write goes
through indicators.services.framework, whose messages are shown next to the field they concern.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants.access import can_change_grant, get_country_project_for_user
from grants.forms.common import add_service_error
from grants.models import CountryProject
from indicators.access import (
    get_cross_indicator_rule_for_user,
    get_project_indicator_for_user,
    get_result_node_for_user,
)
from indicators.forms.framework import (
    AdoptIndicatorForm,
    CrossIndicatorRuleForm,
    LopTargetForm,
    ProjectIndicatorForm,
    ResultNodeForm,
    TargetsForm,
    target_field_name,
)
from indicators.models import ProjectIndicator
from indicators.selectors.framework import results_framework, targets_grid
from indicators.services import framework as services


def _framework_url(project: CountryProject | int, anchor: str = "") -> str:
    pk = project if isinstance(project, int) else project.pk
    url = reverse("indicators:project_framework", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


# --- the framework page ---------------------------------------------------------------------------------


@require_safe
def project_framework(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_country_project_for_user(request.user, pk)
    context = {
        "project": project,
        "grant": project.grant,
        "framework": results_framework(project),
        "can_change": can_change_grant(request.user, project.grant),
    }
    return render(request, "indicators/framework_detail.html", context)


# --- results ----------------------------------------------------------------------------------------------


def _node_initial(request: HttpRequest) -> dict[str, str]:
    """The framework page's "add an outcome under goal 1" links prefill the level and the parent."""
    return {name: request.GET[name] for name in ("level", "parent") if name in request.GET}


@require_http_methods(["GET", "POST"])
def result_node_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_country_project_for_user(request.user, pk, write=True)
    form = ResultNodeForm(request.POST or None, project=project, initial=_node_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            node = services.result_node_create(
                country_project=project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc, fallback="code")
        else:
            messages.success(request, f"{node.get_level_display()} {node.code} added.")
            return redirect(_framework_url(project, f"node-{node.pk}"))
    context = {"project": project, "grant": project.grant, "form": form, "node": None}
    return render(request, "indicators/framework_node_form.html", context)


@require_http_methods(["GET", "POST"])
def result_node_update(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_result_node_for_user(request.user, pk, write=True)
    project = node.country_project
    initial = {
        "parent": node.parent_id,
        "code": node.code,
        "statement": node.statement,
        "sort_order": node.sort_order,
    }
    form = ResultNodeForm(request.POST or None, project=project, node=node, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.result_node_update(node=node, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc, fallback="code")
        else:
            messages.success(request, f"{node.get_level_display()} {node.code} saved.")
            return redirect(_framework_url(project, f"node-{node.pk}"))
    context = {"project": project, "grant": project.grant, "form": form, "node": node}
    return render(request, "indicators/framework_node_form.html", context)


@require_POST
def result_node_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_result_node_for_user(request.user, pk, write=True)
    try:
        services.result_node_delete(node=node, actor=request.user)
    except ValidationError as exc:
        messages.error(
            request, f"{node.get_level_display()} {node.code} was not deleted. {' '.join(exc.messages)}"
        )
        return redirect(_framework_url(node.country_project_id, f"node-{node.pk}"))
    messages.success(request, f"{node.get_level_display()} {node.code} deleted.")
    return redirect(_framework_url(node.country_project_id))


# --- project indicators -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def project_indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_country_project_for_user(request.user, pk, write=True)
    initial = {"result_node": request.GET["node"]} if "node" in request.GET else {}
    form = AdoptIndicatorForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pi = services.project_indicator_create(
                country_project=project,
                indicator=form.cleaned_data["indicator"],
                actor=request.user,
                **form.service_fields(),
            )
        except ValidationError as exc:
            # The only error of no field that a valid form can meet is "numerator above denominator".
            add_service_error(form, exc, fallback="baseline_numerator")
        else:
            messages.success(request, f"{pi.indicator.code} adopted. Set its period targets next.")
            return redirect("indicators:project_indicator_targets", pk=pi.pk)
    context = {"project": project, "grant": project.grant, "form": form, "pi": None}
    return render(request, "indicators/framework_indicator_form.html", context)


@require_http_methods(["GET", "POST"])
def project_indicator_update(request: HttpRequest, pk: int) -> HttpResponse:
    pi = get_project_indicator_for_user(request.user, pk, write=True)
    form = ProjectIndicatorForm(request.POST or None, project_indicator=pi)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_indicator_update(
                project_indicator=pi, actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            fallback = "baseline_numerator" if "baseline_numerator" in form.fields else None
            add_service_error(form, exc, fallback=fallback)
        else:
            messages.success(request, f"{pi.indicator.code} saved.")
            return redirect(_framework_url(pi.country_project, f"pi-{pi.pk}"))
    project = pi.country_project
    context = {"project": project, "grant": project.grant, "form": form, "pi": pi}
    return render(request, "indicators/framework_indicator_form.html", context)


@require_POST
def project_indicator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pi = get_project_indicator_for_user(request.user, pk, write=True)
    try:
        services.project_indicator_remove(project_indicator=pi, actor=request.user)
    except ValidationError as exc:
        messages.error(request, f"{pi.indicator.code} was not removed. {' '.join(exc.messages)}")
        return redirect(_framework_url(pi.country_project, f"pi-{pi.pk}"))
    messages.success(request, f"{pi.indicator.code} removed from the framework, with its targets.")
    return redirect(_framework_url(pi.country_project))


# --- cross-indicator rules --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cross_indicator_rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_country_project_for_user(request.user, pk, write=True)
    form = CrossIndicatorRuleForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.cross_indicator_rule_create(
                country_project=project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc, fallback="right")
        else:
            messages.success(request, f"Rule added: {rule}.")
            return redirect(_framework_url(project, "rules"))
    context = {"project": project, "grant": project.grant, "form": form}
    return render(request, "indicators/framework_rule_form.html", context)


@require_POST
def cross_indicator_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_cross_indicator_rule_for_user(request.user, pk, write=True)
    services.cross_indicator_rule_delete(rule=rule, actor=request.user)
    messages.success(request, "Rule removed.")
    return redirect(_framework_url(rule.country_project_id, "rules"))


# --- targets ----------------------------------------------------------------------------------------------


def _targets_page(
    request: HttpRequest,
    pi: ProjectIndicator,
    *,
    form: TargetsForm | None = None,
    lop_form: LopTargetForm | None = None,
    grid: object = None,
) -> HttpResponse:
    grid = grid or targets_grid(pi)
    can_change = can_change_grant(request.user, pi.country_project.grant)
    if can_change:
        form = form or TargetsForm(grid=grid)
        lop_form = lop_form or LopTargetForm(grid=grid)
        for row in grid.rows:
            for cell in row.cells:
                cell.input = form[target_field_name(row.period.pk, cell.key)]
    context = {
        "pi": pi,
        "project": pi.country_project,
        "grant": pi.country_project.grant,
        "grid": grid,
        "can_change": can_change,
        "form": form,
        "lop_form": lop_form,
    }
    return render(request, "indicators/targets_detail.html", context)


@require_http_methods(["GET", "POST"])
def project_indicator_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the grid and the revision history. POST: set missing targets and revise changed ones, all or none."""
    pi = get_project_indicator_for_user(request.user, pk, write=request.method == "POST")
    if request.method == "GET":
        return _targets_page(request, pi)
    grid = targets_grid(pi)
    form = TargetsForm(request.POST, grid=grid)
    if form.is_valid():
        try:
            saved = services.targets_save(
                project_indicator=pi,
                entries=form.entries(),
                reason=form.cleaned_data["reason"],
                modification=form.cleaned_data["modification"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if saved.set or saved.revised:
                messages.success(request, f"Targets saved: {saved.set} set, {saved.revised} revised.")
            else:
                messages.info(request, "No target changed.")
            return redirect("indicators:project_indicator_targets", pk=pi.pk)
    return _targets_page(request, pi, form=form, grid=grid)


@require_POST
def project_indicator_lop_revise(request: HttpRequest, pk: int) -> HttpResponse:
    pi = get_project_indicator_for_user(request.user, pk, write=True)
    grid = targets_grid(pi)
    form = LopTargetForm(request.POST, grid=grid)
    if form.is_valid():
        try:
            services.target_revise(
                project_indicator=pi,
                new_value=form.cleaned_data["new_value"],
                reason=form.cleaned_data["reason"],
                modification=form.cleaned_data["modification"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Life-of-project target revised.")
            return redirect("indicators:project_indicator_targets", pk=pi.pk)
    return _targets_page(request, pi, lop_form=form, grid=grid)
