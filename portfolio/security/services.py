"""Two-factor devices: who must have one, setting one up, backup codes, removal.

Devices are django-otp's: a ``TOTPDevice`` (an authenticator app) and one ``StaticDevice`` holding the
backup codes (each code works once). Every change is logged on the ``portfolio.security`` logger, which is
the 2FA part of the sign-in audit (sign-ins and failed attempts are axes' records in the admin).
"""

from __future__ import annotations

import logging
import secrets
from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.models import User

logger = logging.getLogger("portfolio.security")

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Seconds of clock difference accepted either way between the phone and the server: one 30-second step.
TOTP_TOLERANCE_STEPS = 1


def two_factor_required(user: User) -> bool:
    """Office staff (program officers, managers, administrators) and anyone with admin access must use a
    second factor; for grantees it is optional."""
    return user.is_staff or user.is_superuser or not user.is_grantee


def new_totp_key() -> str:
    """A fresh 160-bit secret as 40 hex digits, django-otp's key format."""
    return secrets.token_hex(20)


def totp_matches(*, key: str, code: str) -> int | None:
    """The time step at which ``code`` is valid for the hex ``key`` (now, give or take one step), else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    if totp.verify(int(code), tolerance=TOTP_TOLERANCE_STEPS):
        return totp.t()
    return None


@dataclass(frozen=True)
class NewBackupCodes:
    device: StaticDevice
    codes: tuple[str, ...]


@transaction.atomic
def totp_device_create(*, user: User, key: str, time_step: int, actor: User) -> TOTPDevice:
    """A confirmed authenticator for ``user`` from the secret they have just proved with a code.

    ``time_step`` is the step of that code: it is stored as used, so the same code cannot sign in again.
    """
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=True, last_t=time_step)
    device.full_clean()
    device.save()
    logger.info("2fa authenticator added user=%s actor=%s device=%s", user.pk, actor.pk, device.pk)
    return device


@transaction.atomic
def backup_codes_regenerate(*, user: User, actor: User) -> NewBackupCodes:
    """Replace all of ``user``'s backup codes with ``BACKUP_CODE_COUNT`` new ones (the old ones stop working).

    The codes are returned once, to be shown once; django-otp stores them as they are, like the TOTP key.
    """
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    logger.info("2fa backup codes regenerated user=%s actor=%s", user.pk, actor.pk)
    return NewBackupCodes(device=device, codes=tuple(codes))


@transaction.atomic
def two_factor_enable(
    *, user: User, key: str, time_step: int, actor: User
) -> tuple[TOTPDevice, NewBackupCodes]:
    """Set-up confirmed: the authenticator and its backup codes, together or not at all."""
    device = totp_device_create(user=user, key=key, time_step=time_step, actor=actor)
    return device, backup_codes_regenerate(user=user, actor=actor)


@transaction.atomic
def totp_device_remove(*, device: TOTPDevice, actor: User) -> None:
    """Remove an authenticator; with the last one go the backup codes, so two-factor sign-in is off."""
    user = device.user
    device.delete()
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        StaticDevice.objects.filter(user=user).delete()
    logger.info("2fa authenticator removed user=%s actor=%s", user.pk, actor.pk)


def confirmed_devices(user: User) -> list:
    """Every confirmed device of ``user`` (authenticators first, then backup codes)."""
    return list(devices_for_user(user, confirmed=True))


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def base32_secret(key: str) -> str:
    """The hex key as the base32 text authenticator apps accept for manual entry."""
    return b32encode(bytes.fromhex(key)).decode("ascii").rstrip("=")
