"""The report builder: choose a report and its scope, preview it, build its files in the worker, download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from grants.forms.common import add_service_error
from reports import services
from reports.access import get_definition_for_user, get_run_for_user
from reports.forms import ReportBuilderForm
from reports.models import ReportDefinition, ReportRun
from reports.registry import CONTENT_TYPES, REGISTRY, no_progress
from reports.scope import ReportScope, ScopeProblem

RECENT_RUNS = 15


def _page(request: HttpRequest, form: ReportBuilderForm, status: int = 200) -> HttpResponse:
    user = request.user
    definitions = list(ReportDefinition.objects.filter(owner=user))
    runs = list(ReportRun.objects.filter(requested_by=user)[:RECENT_RUNS])
    for item in (*definitions, *runs):
        spec = REGISTRY.get(item.report_type)
        item.type_title = spec.title if spec else item.report_type
    context = {
        "form": form,
        "report_types": [REGISTRY[code] for code, _ in form.fields["report_type"].choices],
        "definitions": definitions,
        "runs": runs,
    }
    return render(request, "reports/builder.html", context, status=status)


def builder(request: HttpRequest) -> HttpResponse:
    """GET: the builder (a saved definition's choices with ?definition=); POST: build the files."""
    user = request.user
    if request.method == "POST":
        form = ReportBuilderForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                scope = form.scope()
                definition = None
                if data["save_as"].strip():
                    definition = services.definition_save(
                        user=user,
                        name=data["save_as"],
                        report_type=data["report_type"],
                        scope=scope,
                        formats=data["formats"],
                    )
                run = services.run_request(
                    user=user,
                    report_type=data["report_type"],
                    scope=scope,
                    formats=data["formats"],
                    definition=definition,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("reports:run_detail", pk=run.pk)
        return _page(request, form, status=400)
    initial = {}
    if "definition" in request.GET:
        definition = get_definition_for_user(user, request.GET["definition"])
        initial = ReportBuilderForm.initial_from(
            definition.report_type, ReportScope.from_json(definition.scope), definition.formats
        )
        initial["save_as"] = definition.name
    return _page(request, ReportBuilderForm(initial=initial, user=user))


@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The report as a web page, built in the request from the same builder as the files."""
    form = ReportBuilderForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    spec = services.report_type_for(request.user, form.cleaned_data["report_type"])
    scope = form.scope()
    try:
        report = spec.build(scope, request.user, no_progress)
    except ScopeProblem as problem:
        form.add_error(problem.field or None, problem.message)
        return _page(request, form, status=400)
    return render(
        request,
        "reports/preview.html",
        {"report": report, "report_type": spec, "query": request.GET.urlencode()},
    )


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request.user, pk)
    spec = REGISTRY.get(run.report_type)
    return render(
        request,
        "reports/run_detail.html",
        {
            "run": run,
            "spec": spec,
            "files": list(run.files.all()),
            "scope": ReportScope.from_json(run.scope),
            "mine": run.requested_by_id == request.user.pk,
        },
    )


@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_run_for_user(request.user, pk)
    return JsonResponse(
        {
            # What static/js/progress.js reads (shared with uploads).
            "determinate": run.progress_total > 0,
            "detail": "",
            "status": run.status,
            "status_label": run.get_status_display(),
            "busy": run.is_busy,
            "done": run.progress_done,
            "total": run.progress_total,
            "label": run.progress_label or run.get_status_display(),
            "percent": run.progress_percent,
        }
    )


@require_GET
def run_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    run = get_run_for_user(request.user, pk)
    record = run.files.filter(format=fmt).first()
    if record is None:
        raise Http404("This report has no such file.")
    spec = REGISTRY.get(run.report_type)
    stem = slugify(ReportScope.from_json(run.scope).title or (spec.title if spec else run.report_type))
    name = f"{stem}-{run.requested_at:%Y-%m-%d}-run{run.pk}.{fmt}"
    response = FileResponse(record.file.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = CONTENT_TYPES.get(fmt, "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def definition_run(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_definition_for_user(request.user, pk)
    try:
        run = services.definition_run(definition=definition, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:builder")
    return redirect("reports:run_detail", pk=run.pk)


@require_POST
def definition_delete(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_definition_for_user(request.user, pk)
    name = definition.name
    definition.delete()
    messages.success(request, f"The saved report “{name}” was deleted; its past runs and files stay.")
    return redirect("reports:builder")
