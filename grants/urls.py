from django.urls import path

from grants.views import grant_views, milestone_views, notification_views

app_name = "grants"

urlpatterns = [
    # Grants, their modifications and status.
    path("grants/", grant_views.GrantListView.as_view(), name="grant_list"),
    path("grants/export.<str:fmt>", grant_views.grant_export, name="grant_export"),
    path("grants/new/", grant_views.GrantCreateView.as_view(), name="grant_create"),
    path("grants/<int:pk>/", grant_views.GrantDetailView.as_view(), name="grant_detail"),
    path("grants/<int:pk>/edit/", grant_views.GrantUpdateView.as_view(), name="grant_update"),
    path("grants/<int:pk>/status/", grant_views.grant_transition, name="grant_transition"),
    path("grants/<int:pk>/history/", grant_views.grant_history, name="grant_history"),
    path("grants/<int:pk>/modifications/new/", grant_views.modification_create, name="modification_create"),
    # Country projects.
    path("grants/<int:grant_pk>/projects/new/", grant_views.project_create, name="project_create"),
    path("projects/<int:pk>/", grant_views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", grant_views.project_update, name="project_update"),
    # Milestones and their evidence.
    path("milestones/", milestone_views.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/export.<str:fmt>", milestone_views.milestone_export, name="milestone_export"),
    path(
        "projects/<int:project_pk>/milestones/new/", milestone_views.milestone_create, name="milestone_create"
    ),
    path("milestones/<int:pk>/", milestone_views.milestone_detail, name="milestone_detail"),
    path("milestones/<int:pk>/edit/", milestone_views.milestone_update, name="milestone_update"),
    path("milestones/<int:pk>/status/", milestone_views.milestone_transition, name="milestone_transition"),
    path("milestones/<int:pk>/evidence/", milestone_views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", milestone_views.evidence_download, name="evidence_download"),
    # A person's notifications and their choices about them.
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path(
        "notifications/read-all/",
        notification_views.notification_mark_all_read,
        name="notification_mark_all_read",
    ),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification_open"),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
]
