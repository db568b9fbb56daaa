"""Administrators maintain the reference lists (disaggregations, indicator library) here. Frameworks, periods,
targets and submissions change through the app's screens and services, where their rules and trail live: the
admin shows them read-only."""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    ActualValue,
    CrossIndicatorRule,
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    ProjectIndicator,
    ReportingPeriod,
    ReportingPeriodChange,
    ResultNode,
    ReviewComment,
    Submission,
    SubmissionEvidence,
    SubmissionTransition,
    Target,
    TargetRevision,
)


class DisaggregationOptionInline(admin.TabularInline):
    model = DisaggregationOption
    extra = 0
    fields = ("code", "name", "sort_order")


@admin.register(DisaggregationCategory)
class DisaggregationCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "complete", "sort_order")
    list_editable = ("sort_order",)
    inlines = [DisaggregationOptionInline]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "domain", "level", "measure_type", "aggregation", "is_active")
    list_filter = ("domain", "level", "measure_type", "is_active", "categories")
    search_fields = ("code", "name", "definition")
    filter_horizontal = ("categories",)
    fieldsets = (
        (None, {"fields": ("code", "name", "definition", "domain", "level", "is_active")}),
        ("Measurement", {"fields": ("unit", "measure_type", "direction", "aggregation", "categories")}),
        ("Data", {"fields": ("data_source", "collection_method")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


@admin.register(ProjectIndicator)
class ProjectIndicatorAdmin(ReadOnlyHistoryAdmin):
    list_display = ("indicator", "country_project", "lop_target", "original_lop_target")
    list_select_related = ("indicator", "country_project__grant")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ("label", "grant", "start_date", "end_date", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("grant",)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("country_project", "period", "status", "version", "updated_by", "updated_at")
    list_filter = ("status",)
    list_select_related = ("country_project__grant", "period", "updated_by")


@admin.register(ActualValue)
class ActualValueAdmin(ReadOnlyAdmin):
    list_display = ("submission", "project_indicator", "cell_key", "value", "numerator", "denominator")
    list_select_related = (
        "submission__country_project__grant",
        "submission__period",
        "project_indicator__indicator",
    )


for model in (
    ResultNode,
    Target,
    TargetRevision,
    CrossIndicatorRule,
    ReportingPeriodChange,
    SubmissionTransition,
    ReviewComment,
    SubmissionEvidence,
):
    admin.site.register(model, ReadOnlyAdmin)
