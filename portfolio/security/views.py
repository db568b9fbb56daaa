"""Views: the second sign-in step, setting up an authenticator, backup codes, the Security page and
password reset by email."""

from __future__ import annotations

import logging
from typing import Any

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from indicators.access import calendar_feeds_of
from portfolio.security import services
from portfolio.security.forms import AuthenticatorSetupForm, DeviceCodeForm, NewPasswordForm, ResetRequestForm
from portfolio.security.middleware import NO_DEVICE_SEEN, url_with_next

logger = logging.getLogger("portfolio.security")

SETUP_KEY = "security_setup_key"
NEW_BACKUP_CODES = "security_new_backup_codes"


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` parameter if it points into this site, else ``default`` (the home page)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the authenticator app, or a backup code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        return redirect(url_with_next("security:two_factor_setup", next_url))
    form = DeviceCodeForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, form.device)
            logger.info("2fa verified user=%s device=%s", user.pk, form.device.persistent_id)
            if isinstance(form.device, StaticDevice):
                left = services.backup_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a backup code; it cannot be used again. {left} left. "
                    "Make new ones on your Security page before they run out.",
                )
            return redirect(next_url)
        logger.warning("2fa code refused user=%s reason=%s", user.pk, form.errors.as_data()["code"][0].code)
    return render(request, "portfolio/two_factor_verify.html", {"form": form, "next": next_url})


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a first code.

    The secret stays in the session until it is confirmed, so an abandoned set-up leaves no device behind.
    Someone with a device who has not entered a code in this session cannot add another one.
    """
    user = request.user
    next_url = _next_url(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if not user.is_verified():
            return redirect(url_with_next("security:two_factor_verify", next_url))
        messages.info(request, "You already have an authenticator app set up.")
        return redirect("security:security")
    key = request.session.get(SETUP_KEY) or services.new_totp_key()
    request.session[SETUP_KEY] = key
    form = AuthenticatorSetupForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        device, new_codes = services.two_factor_enable(
            user=user, key=key, time_step=form.time_step, actor=user
        )
        otp_login(request, device)
        del request.session[SETUP_KEY]
        request.session.pop(NO_DEVICE_SEEN, None)
        request.session[NEW_BACKUP_CODES] = list(new_codes.codes)
        messages.success(request, "Two-factor authentication is on.")
        return redirect(url_with_next("security:two_factor_backup_codes", next_url))
    unsaved = TOTPDevice(user=user, key=key, name=services.AUTHENTICATOR_NAME)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": segno.make(unsaved.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff"),
        "secret": _grouped(services.base32_secret(key)),
        "required": services.two_factor_required(user),
    }
    return render(request, "portfolio/two_factor_setup.html", context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once: they leave the session as the page is drawn."""
    codes = request.session.pop(NEW_BACKUP_CODES, None)
    if not codes:
        messages.info(request, "Backup codes are shown only once. You can make new ones here.")
        return redirect("security:security")
    return render(
        request,
        "portfolio/two_factor_backup_codes.html",
        {"codes": codes, "next": _next_url(request, reverse("security:security"))},
    )


def security(request: HttpRequest) -> HttpResponse:
    """The Security page: two-factor devices, backup codes left, and the actions on them."""
    return _security_page(request)


def _security_page(
    request: HttpRequest, *, remove_form: DeviceCodeForm | None = None, device_pk: int | None = None
) -> HttpResponse:
    user = request.user
    authenticators = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))
    context = {
        "authenticators": authenticators,
        "backup_codes_left": services.backup_codes_left(user),
        "required": services.two_factor_required(user),
        "code_needed_to_remove": not user.is_grantee,
        "remove_form": remove_form or DeviceCodeForm(user=user, prefix="remove"),
        "failed_device_pk": device_pk,
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        # Addresses that read the user's due dates without a sign-in: listed with the other credentials.
        "calendar_feeds": calendar_feeds_of(user).count(),
    }
    return render(request, "portfolio/security.html", context)


@require_POST
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.error(request, "Set up an authenticator app first; backup codes come with it.")
        return redirect("security:security")
    new_codes = services.backup_codes_regenerate(user=user, actor=user)
    request.session[NEW_BACKUP_CODES] = list(new_codes.codes)
    messages.success(request, "New backup codes made: the old ones no longer work.")
    return redirect(url_with_next("security:two_factor_backup_codes", reverse("security:security")))


@require_POST
def authenticator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an authenticator app. Grantees (for whom 2FA is optional) just confirm; everyone else proves
    they hold a device with a current code or a backup code, and is then asked to set up a new one."""
    user = request.user
    device = get_object_or_404(TOTPDevice, pk=pk, user=user, confirmed=True)
    if not user.is_grantee:
        form = DeviceCodeForm(request.POST, user=user, prefix="remove")
        if not form.is_valid():
            return _security_page(request, remove_form=form, device_pk=device.pk)
    services.totp_device_remove(device=device, actor=user)
    request.session.pop(NO_DEVICE_SEEN, None)
    messages.success(request, "The authenticator app was removed.")
    if services.two_factor_required(user):
        return redirect("security:two_factor_setup")
    return redirect("security:security")


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email address and sends a reset link to the accounts that have it (none: same page)."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # Links point at the configured address, never at whatever Host header the request came with.
        return {"site_url": settings.SITE_URL}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets the new password; a sign-in lock on the account is lifted, since its owner has proved who they
    are through their mailbox."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        logger.info("password reset user=%s", form.user.pk)
        return response
