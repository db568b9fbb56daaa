"""Security headers on every kind of response, and no inline script or style anywhere the policy would refuse.

The Content Security Policy allows only the app's own files (no 'unsafe-inline'), so an inline ``<script>``,
an ``onclick=`` handler or a ``style="..."`` attribute would silently stop working in the browser. The scans
here fail first, naming the file and line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from indicators.charts import ChartPoint, target_actual_svg
from portfolio.middleware import permissions_policy_header
from reports.models import ReportRun
from tests.indicators.conftest import framework  # noqa: F401  (the fixture, for the chart pages)
from tests.indicators.test_performance_views import reported  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PYTHON_PACKAGES = ("grants", "indicators", "reports", "portfolio")

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


# --- the inline-content scanner ---------------------------------------------------------------------------

TAG = re.compile(r"<[a-zA-Z][^>]*>")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.I)


@dataclass(frozen=True)
class Inline:
    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def inline_content(text: str, where: str, first_line: int = 1) -> list[Inline]:
    """Every place in ``text`` (HTML, or a template of it) a CSP without 'unsafe-inline' would refuse."""
    found: list[Inline] = []

    def line_of(offset: int) -> int:
        return first_line + text.count("\n", 0, offset)

    for tag in SCRIPT_TAG.finditer(text):
        if not re.search(r"\ssrc\s*=", tag.group(0), re.I):
            found.append(Inline(where, line_of(tag.start()), f"inline script {tag.group(0)[:60]!r}"))
    for element in STYLE_ELEMENT.finditer(text):
        found.append(Inline(where, line_of(element.start()), "<style> element"))
    for tag in TAG.finditer(text):
        for pattern, what in (
            (HANDLER, "inline event handler"),
            (STYLE_ATTRIBUTE, "style attribute"),
            (JAVASCRIPT_URL, "javascript: URL"),
        ):
            hit = pattern.search(tag.group(0))
            if hit:
                found.append(
                    Inline(where, line_of(tag.start() + hit.start()), f"{what} in {tag.group(0)[:80]!r}")
                )
    return sorted(found, key=lambda item: item.line)


def page_templates() -> list[Path]:
    # Email bodies are read in mail programs, which ignore linked stylesheets and are outside the page's
    # policy: their inline styles are the only way to style them.
    return sorted(p for p in TEMPLATES.rglob("*.html") if "email" not in p.relative_to(TEMPLATES).parts)


def python_html_strings(path: Path) -> list[tuple[str, int]]:
    """The string literals in a Python file that hold an HTML tag (format_html, mark_safe...), with lines."""
    strings = []
    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            if token.type == tokenize.STRING and TAG.search(token.string):
                strings.append((token.string, token.start[0]))
    return strings


def test_the_scanner_finds_each_kind_of_inline_content():
    sample = (
        "<p>fine</p>\n"
        "<script>alert(1)</script>\n"
        '<script src="/static/js/x.js"></script>\n'
        '<button type="button"\n  onclick="go()">Go</button>\n'
        '<div class="x" style="width: 10%">\n'
        "<style>p { color: red }</style>\n"
        '<a href="javascript:void(0)">x</a>\n'
        '<div data-style="ok" data-onclick="ok">Based on=this, style=that</div>\n'
    )
    found = inline_content(sample, "sample.html")
    assert [(item.line, item.what.split(" ")[0]) for item in found] == [
        (2, "inline"),  # the script without src
        (5, "inline"),  # onclick, on the tag's second line
        (6, "style"),
        (7, "<style>"),
        (8, "javascript:"),
    ]
    assert str(found[0]).startswith("sample.html:2: inline script")


def test_no_template_has_inline_scripts_handlers_or_style_attributes():
    templates = page_templates()
    assert len(templates) > 60 and TEMPLATES / "base.html" in templates
    for path in templates:
        found = inline_content(path.read_text(), str(path.relative_to(ROOT)))
        assert not found, f"Move this to static/js or static/css/portfolio.css: {found[0]}"


def test_no_python_code_builds_html_with_inline_scripts_handlers_or_styles():
    files = [
        path
        for package in PYTHON_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    assert any(path.name == "charts.py" for path in files)
    for path in files:
        for string, line in python_html_strings(path):
            found = inline_content(string, str(path.relative_to(ROOT)), first_line=line)
            assert not found, f"Use a class instead: {found[0]}"


def test_charts_use_presentation_attributes_not_style_attributes():
    points = [ChartPoint("FY2024 H1", D(100), D(80)), ChartPoint("FY2024 H2", D(200), None)]
    svg = target_actual_svg(points, title="Children reached", chart_id="e1")
    assert svg.startswith('<svg class="perf-chart" role="img"')
    assert " style=" not in svg
    # The looks reportlab wrote as inline CSS are all still there, as attributes.
    assert 'fill="rgb(5%,43%,99%)"' in svg  # the actual bar, Bootstrap primary
    assert 'fill="rgb(67%,70%,74%)"' in svg  # the target bar
    assert 'font-size="8px"' in svg and 'font-family="Helvetica"' in svg
    assert 'clip-path="url(#e1-clip)"' in svg and 'id="e1-clip"' in svg


# --- headers on every kind of response ------------------------------------------------------------------


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "nonce-" not in csp
    assert csp_directives(response) == EXPECTED_CSP
    permissions = response["Permissions-Policy"]
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in permissions
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def finished_run(client_for, manager, world, django_capture_on_commit_callbacks) -> tuple[Client, ReportRun]:
    """A report the manager built through the builder (the worker runs at once in tests)."""
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:builder"),
            {"report_type": "milestones", "countries": ["GT"], "formats": ["xlsx"], "save_as": "GT"},
        )
    return client, ReportRun.objects.get()


def test_an_html_page_has_every_security_header(client_for, officer, world):
    response = client_for(officer).get(reverse("dashboard"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert_security_headers(response)


def test_the_login_page_has_every_security_header(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_json_view_has_every_security_header(finished_run):
    client, run = finished_run
    response = client.get(reverse("reports:run_status", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert_security_headers(response)


def test_file_downloads_have_every_security_header(finished_run):
    client, run = finished_run
    report = client.get(reverse("reports:run_download", args=[run.pk, "xlsx"]))
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    assert_security_headers(report)
    export = client.get(reverse("grants:grant_export", args=["csv"]))
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert_security_headers(export)


def test_the_admin_has_every_security_header(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:index"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_hsts_is_sent_over_https_when_secure(client_for, officer, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client_for(officer).get(reverse("dashboard"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


@pytest.mark.parametrize(
    "screen",
    ["dashboard", "grant_list", "grant_detail", "project_performance", "admin", "login", "preview"],
)
@pytest.mark.usefixtures("reported")
def test_rendered_pages_hold_no_inline_content(client_for, manager, admin_user, world, screen):
    """Widgets, tables and filters rendered by libraries are checked in their output, not only our templates."""
    urls = {
        "dashboard": reverse("dashboard"),
        "grant_list": reverse("grants:grant_list"),
        "grant_detail": reverse("grants:grant_detail", args=[world.grant_a.pk]),
        "project_performance": reverse("indicators:project_performance", args=[world.project_a.pk]),
        "admin": reverse("admin:grants_grant_change", args=[world.grant_a.pk]),
        "login": reverse("login"),
        "preview": reverse("reports:preview") + "?report_type=iptt&formats=xlsx",
    }
    client = Client() if screen == "login" else client_for(admin_user if screen == "admin" else manager)
    response = client.get(urls[screen])
    assert response.status_code == 200
    body = response.content.decode()
    if screen == "project_performance":
        assert body.count('<svg class="perf-chart"') == 3
    found = inline_content(body, urls[screen])
    assert not found, found[0]


# --- configuration ---------------------------------------------------------------------------------------


def test_permissions_policy_header_syntax():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self", "https://maps.example.org"]}) == (
        'camera=(), fullscreen=(self "https://maps.example.org")'
    )
    assert permissions_policy_header({}) == ""


def _settings_with(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTFOLIO_", "DATABASE_URL"))
    }
    env.update({"PORTFOLIO_VAR_DIR": str(tmp_path), **variables})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portfolio.settings'; django.setup(); "
        "from csp.utils import build_policy; print(build_policy())"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_report_uri_from_the_environment_is_added_to_the_policy(tmp_path):
    result = _settings_with(tmp_path, PORTFOLIO_CSP_REPORT_URI="https://csp.example.org/report")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("; report-uri https://csp.example.org/report")
    unset = _settings_with(tmp_path)
    assert unset.returncode == 0, unset.stderr
    assert "report-uri" not in unset.stdout


@pytest.mark.parametrize("value", ["not a url", "https://x.org/r; script-src *", "ftp://x.org/r"])
def test_a_malformed_report_uri_stops_start_up_naming_the_variable(tmp_path, value):
    result = _settings_with(tmp_path, PORTFOLIO_CSP_REPORT_URI=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PORTFOLIO_CSP_REPORT_URI" in result.stderr


def test_a_refused_form_gets_the_apps_own_page_without_inline_styles(db):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be sent" in html and "Nothing was saved." in html
    assert "<style" not in html and " style=" not in html
