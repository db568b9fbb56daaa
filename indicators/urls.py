from django.urls import path

from indicators.views import (
    calendar_views,
    entry_views,
    feed_views,
    framework_views,
    library_views,
    performance_views,
    period_views,
    review_views,
    timeliness_views,
    upload_views,
)

app_name = "indicators"

# Grantee data entry.
urlpatterns = [
    path("reporting/", entry_views.reporting_overview, name="reporting_overview"),
    path("projects/<int:pk>/reporting/", entry_views.project_reporting_detail, name="project_reporting"),
    path(
        "projects/<int:pk>/reporting/<int:period_pk>/start/",
        entry_views.submission_start,
        name="submission_start",
    ),
    path("submissions/<int:pk>/", entry_views.SubmissionEntryView.as_view(), name="submission_entry"),
]

# Review: the queue, the officer's review screen, comments and evidence.

urlpatterns += [
    path("review/", review_views.review_queue_view, name="review_queue"),
    path("submissions/<int:pk>/review/", review_views.submission_review_view, name="submission_review"),
    path(
        "submissions/<int:pk>/approve/",
        review_views.submission_review_action,
        {"action": "approve"},
        name="submission_approve",
    ),
    path(
        "submissions/<int:pk>/return/",
        review_views.submission_review_action,
        {"action": "return"},
        name="submission_return",
    ),
    path(
        "submissions/<int:pk>/reopen/",
        review_views.submission_review_action,
        {"action": "reopen"},
        name="submission_reopen",
    ),
    path(
        "submissions/<int:pk>/comments/", review_views.submission_comment_add, name="submission_comment_add"
    ),
    path(
        "submissions/<int:pk>/evidence/", review_views.submission_evidence_add, name="submission_evidence_add"
    ),
    path(
        "submission-evidence/<int:pk>/",
        review_views.submission_evidence_download,
        name="submission_evidence_download",
    ),
    path(
        "submission-evidence/<int:pk>/remove/",
        review_views.submission_evidence_remove,
        name="submission_evidence_remove",
    ),
]

# Results frameworks, project indicators and targets.

urlpatterns += [
    path("projects/<int:pk>/framework/", framework_views.project_framework, name="project_framework"),
    path(
        "projects/<int:pk>/framework/results/new/",
        framework_views.result_node_create,
        name="result_node_create",
    ),
    path("result-nodes/<int:pk>/edit/", framework_views.result_node_update, name="result_node_update"),
    path("result-nodes/<int:pk>/delete/", framework_views.result_node_delete, name="result_node_delete"),
    path(
        "projects/<int:pk>/framework/indicators/new/",
        framework_views.project_indicator_create,
        name="project_indicator_create",
    ),
    path(
        "project-indicators/<int:pk>/edit/",
        framework_views.project_indicator_update,
        name="project_indicator_update",
    ),
    path(
        "project-indicators/<int:pk>/remove/",
        framework_views.project_indicator_remove,
        name="project_indicator_remove",
    ),
    path(
        "project-indicators/<int:pk>/targets/",
        framework_views.project_indicator_targets,
        name="project_indicator_targets",
    ),
    path(
        "project-indicators/<int:pk>/targets/lop/",
        framework_views.project_indicator_lop_revise,
        name="project_indicator_lop_revise",
    ),
    path(
        "projects/<int:pk>/framework/rules/new/",
        framework_views.cross_indicator_rule_create,
        name="cross_indicator_rule_create",
    ),
    path(
        "cross-indicator-rules/<int:pk>/delete/",
        framework_views.cross_indicator_rule_delete,
        name="cross_indicator_rule_delete",
    ),
]

# Indicator library and reporting periods.

urlpatterns += [
    path("indicators/", library_views.IndicatorListView.as_view(), name="library"),
    path("indicators/export.<str:fmt>", library_views.library_export, name="library_export"),
    path("indicators/new/", library_views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("indicators/<int:pk>/", library_views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("indicators/<int:pk>/edit/", library_views.IndicatorUpdateView.as_view(), name="indicator_update"),
    path("indicators/<int:pk>/active/", library_views.indicator_set_active, name="indicator_set_active"),
    path("grants/<int:pk>/periods/", period_views.grant_periods, name="grant_periods"),
    path(
        "grants/<int:pk>/periods/generate/",
        period_views.grant_periods_generate,
        name="grant_periods_generate",
    ),
    path("grants/<int:pk>/periods/status/", period_views.period_set_status, name="period_set_status"),
    path("grants/<int:pk>/periods/reopen/", period_views.period_reopen, name="period_reopen"),
]

# Indicator performance.

urlpatterns += [
    path("performance/", performance_views.portfolio_performance, name="portfolio_performance"),
    path("grants/<int:pk>/performance/", performance_views.grant_performance, name="grant_performance"),
    path("projects/<int:pk>/performance/", performance_views.project_performance, name="project_performance"),
]

# Spreadsheet templates and uploads.

urlpatterns += [
    path(
        "projects/<int:pk>/reporting/<int:period_pk>/template.xlsx",
        upload_views.project_template,
        name="project_template",
    ),
    path(
        "grants/<int:pk>/periods/<int:period_pk>/template.xlsx",
        upload_views.grant_template,
        name="grant_template",
    ),
    path("reporting/upload/", upload_views.upload_create, name="upload_create"),
    path(
        "projects/<int:pk>/reporting/<int:period_pk>/upload/",
        upload_views.project_upload,
        name="project_upload",
    ),
    path("uploads/<int:pk>/", upload_views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/status.json", upload_views.upload_status, name="upload_status"),
    path("uploads/<int:pk>/apply/", upload_views.upload_apply, name="upload_apply"),
    path("uploads/<int:pk>/checked.xlsx", upload_views.upload_checked_file, name="upload_checked_file"),
    path("uploads/<int:pk>/file/", upload_views.upload_file, name="upload_file"),
]

# The reporting calendar: every due date (reports, deliverables, milestones).

urlpatterns += [
    path("calendar/", calendar_views.portfolio_calendar, name="calendar"),
    path("calendar.ics", calendar_views.calendar_ics, name="calendar_ics"),
    path("calendar/subscriptions/", feed_views.calendar_feeds, name="calendar_feeds"),
    path(
        "calendar/subscriptions/<int:pk>/revoke/",
        feed_views.calendar_feed_revoke_view,
        name="calendar_feed_revoke",
    ),
    # Read by calendar apps without signing in: the secret in the address is the credential.
    path("calendar/feed/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    path("grants/<int:pk>/calendar/", calendar_views.grant_calendar, name="grant_calendar"),
]

# Timeliness by grant: on-time shares, days late and review turnaround.

urlpatterns += [
    path("timeliness/", timeliness_views.timeliness_list, name="timeliness"),
    path("timeliness/export.<str:fmt>", timeliness_views.timeliness_export, name="timeliness_export"),
]
