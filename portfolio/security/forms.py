"""Forms for the second sign-in step and for managing devices. They validate; services and views act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from grants.models import User
from portfolio.security import services

WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your "
    "backup codes."
)


def _clean_code(value: str) -> str:
    # People copy codes with spaces ("123 456") or in capitals (backup codes are stored in lower case).
    return "".join(value.split()).lower()


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Code")
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "form-control",
                    "autocomplete": "one-time-code",
                    "autofocus": True,
                    "spellcheck": "false",
                }
            ),
        )
        kwargs.setdefault("error_messages", {"required": "Enter the code."})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return _clean_code(super().to_python(value))


class DeviceCodeForm(forms.Form):
    """A code from any of the user's confirmed devices: the authenticator's 6 digits or a backup code.

    A valid form has ``device`` set to the device that accepted the code (a backup code is then used up).
    django-otp throttles each device: after a wrong code the next try must wait 1, 2, 4, 8 ... seconds, and a
    try made too soon is refused without checking the code.
    """

    code = CodeField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        # Six digits go to the authenticator, anything else to the backup codes, so that a backup code
        # does not count as a wrong authenticator code in the other device's throttle (and vice versa).
        is_app_code = code.isdigit() and len(code) == 6
        wait_until = None
        for device in services.confirmed_devices(self.user):
            if isinstance(device, StaticDevice) == is_app_code:
                continue
            allowed, info = device.verify_is_allowed()
            if not allowed:
                locked_until = (info or {}).get("locked_until")
                if locked_until and (wait_until is None or locked_until > wait_until):
                    wait_until = locked_until
                continue
            if device.verify_token(code):
                self.device = device
                return code
        if wait_until is not None:
            seconds = max(1, int((wait_until - timezone.now()).total_seconds() + 0.999))
            raise forms.ValidationError(
                f"Too many wrong codes: wait {seconds} second{'s' if seconds != 1 else ''} and try again.",
                code="throttled",
            )
        raise forms.ValidationError(WRONG_CODE, code="wrong")


class AuthenticatorSetupForm(forms.Form):
    """The first code from a new authenticator, proving it holds the secret shown on the page."""

    code = CodeField(label="Code from your authenticator app")

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key
        self.time_step: int | None = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.", code="format")
        self.time_step = services.totp_matches(key=self.key, code=code)
        if self.time_step is None:
            raise forms.ValidationError(
                "That code does not match. Check that the app was set up with the key on this page and that "
                "the phone's clock is right, then enter the code it shows now.",
                code="wrong",
            )
        return code


class _BootstrapFieldsMixin:
    """Django's auth forms with Bootstrap's input class on every field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            field.widget.attrs.setdefault("class", "form-control")


class ResetRequestForm(_BootstrapFieldsMixin, PasswordResetForm):
    """The email address to send a reset link to. Unknown addresses are accepted silently (Django sends
    nothing), so the page never tells whether an account exists."""


class NewPasswordForm(_BootstrapFieldsMixin, SetPasswordForm):
    """A new password, twice, checked against ``AUTH_PASSWORD_VALIDATORS``."""
