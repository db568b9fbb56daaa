from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.builder, name="builder"),
    path("reports/preview/", views.preview, name="preview"),
    path("reports/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("reports/runs/<int:pk>/status.json", views.run_status, name="run_status"),
    path("reports/runs/<int:pk>/file.<str:fmt>", views.run_download, name="run_download"),
    path("reports/saved/<int:pk>/run/", views.definition_run, name="definition_run"),
    path("reports/saved/<int:pk>/delete/", views.definition_delete, name="definition_delete"),
]
