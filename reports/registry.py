"""The report types: each a spec that names its builder, its renderers and who may run it.

A report is spec + builder + data + renderer (house style). The builder is the only part that touches the
ORM; it returns a frozen dataclass of Decimal, date and str. Renderers take that dataclass and write xlsx or
pdf bytes to a stream without importing models or seeing a request. The same builder and renderers serve the
HTML preview, the download, the ``build_report`` command and the task worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from grants.models import User
from reports.scope import ReportScope

# progress(done, total, what): builders call it every so often; runs store it for the progress bar.
Progress = Callable[[int, int, str], None]
Builder = Callable[[ReportScope, "User | None", Progress], Any]
Renderer = Callable[[Any, IO[bytes]], None]

XLSX, PDF = "xlsx", "pdf"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PDF: "application/pdf",
}


def no_progress(done: int, total: int, what: str) -> None:
    """The progress callback of a preview or a test: nothing to report to."""


@dataclass(frozen=True)
class ReportType:
    code: str
    title: str
    description: str
    build: Builder
    renderers: Mapping[str, Renderer]
    preview_template: str  # renders the built data as HTML; context: {"report": data, "report_type": spec}
    allowed: Callable[[User], bool]  # who may run it at all; the scope limits what it covers

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.renderers)


REGISTRY: dict[str, ReportType] = {}


def register(report_type: ReportType) -> ReportType:
    if report_type.code in REGISTRY:
        raise ValueError(f"Report type {report_type.code!r} is registered twice.")
    REGISTRY[report_type.code] = report_type
    return report_type


def report_types_for(user: User) -> list[ReportType]:
    return [spec for spec in REGISTRY.values() if spec.allowed(user)]


def staff_only(user: User) -> bool:
    """Portfolio-wide reports: program officers, managers and administrators."""
    return user.is_authenticated and not user.is_grantee


def anyone(user: User) -> bool:
    """Reports a grantee may build for its own projects too (the scope keeps them to those)."""
    return user.is_authenticated
