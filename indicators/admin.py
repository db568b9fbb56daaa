"""Administrators maintain the reference lists (disaggregations, indicator library) here. Frameworks, periods,
targets and submissions change through the app's screens and services, where their rules and trail live: the
admin shows them read-only."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    ActualValue,
    CalendarFeed,
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
from indicators.services.feeds import calendar_feed_revoke


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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Administrators see who subscribes to what and may revoke a subscription (a leaked address, say); the
    addresses themselves are nowhere to be seen, only their hashes are stored."""

    list_display = ("user", "label", "created_at", "last_read_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "label")
    exclude = ("token_hash",)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("indicators.delete_calendarfeed")

    def delete_model(self, request: HttpRequest, obj: CalendarFeed) -> None:
        calendar_feed_revoke(feed=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        # One by one, so each revocation is logged like one made on the subscriptions page.
        for feed in queryset:
            calendar_feed_revoke(feed=feed, actor=request.user)
