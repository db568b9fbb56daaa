from django.urls import path

from indicators.views import entry_views

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
urlpatterns += []

# Results frameworks, project indicators and targets.
urlpatterns += []

# Indicator library and reporting periods.
urlpatterns += []

# Indicator performance.
urlpatterns += []
