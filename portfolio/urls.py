from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio import health, views

admin.site.site_header = "Grant Portfolio administration"
admin.site.site_title = "Grant Portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset, two-factor sign-in and the Security page (issue 7, portfolio/security/).
    path("", include("portfolio.security.urls")),
    path("admin/", admin.site.urls),
    # Probes for a load balancer (issue 7): public, never cached, JSON (portfolio/health.py).
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("", include("grants.urls")),
    path("", include("indicators.urls")),
    path("", include("reports.urls")),
]
