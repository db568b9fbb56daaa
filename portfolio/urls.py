from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio import views

admin.site.site_header = "Grant Portfolio administration"
admin.site.site_title = "Grant Portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("grants.urls")),
    path("", include("indicators.urls")),
    path("", include("reports.urls")),
]
