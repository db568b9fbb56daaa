"""Password reset (Django's names, which its views and emails reverse) and the account security pages.

Everything under ``/account/two-factor/`` and ``/accounts/password-reset/`` is reachable before the second
sign-in step (see ``middleware._exempt_prefixes``).
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio.security import views

security_patterns = [
    path("security/", views.security, name="security"),
    path("security/backup-codes/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
    path("security/authenticators/<int:pk>/remove/", views.authenticator_remove, name="authenticator_remove"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
]

urlpatterns = [
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", include((security_patterns, "security"))),
]
