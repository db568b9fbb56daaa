"""Passwords are stored with Argon2id at OWASP's parameters; older PBKDF2 (and Django-default Argon2) hashes
still verify and are replaced at the next sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from grants.models import User
from tests.factories import UserFactory
from tests.portfolio.test_settings import run_python

PRODUCTION_HASHERS = [
    "portfolio.security.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
OWASP_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
PASSWORD = "a long enough passphrase"


def test_the_settings_put_owasp_argon2_first(tmp_path):
    # The test settings swap in a fast hasher, so the real list is read from a fresh interpreter.
    result = run_python(
        tmp_path, "import portfolio.settings as s; print(s.PASSWORD_HASHERS)", DJANGO_DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(PRODUCTION_HASHERS)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_new_passwords_are_argon2id_with_owasp_parameters():
    encoded = make_password(PASSWORD)
    assert encoded.startswith(OWASP_PREFIX)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "!", encoded)


@pytest.mark.parametrize(
    "old_hasher",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # accounts made before this hasher
        "django.contrib.auth.hashers.Argon2PasswordHasher",  # Django's own Argon2 parameters
    ],
)
@pytest.mark.django_db
def test_an_older_hash_signs_in_and_is_replaced(client, old_hasher):
    with override_settings(PASSWORD_HASHERS=[old_hasher]):
        user = UserFactory(username="older", role=User.Role.MANAGER, password=PASSWORD)
    old = user.password
    assert not old.startswith(OWASP_PREFIX)

    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        response = client.post("/accounts/login/", {"username": "older", "password": PASSWORD})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password.startswith(OWASP_PREFIX)
        assert identify_hasher(user.password).algorithm == "argon2"
        assert check_password(PASSWORD, user.password)


@pytest.mark.django_db
def test_a_wrong_password_changes_nothing(client):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user = UserFactory(username="older", role=User.Role.MANAGER, password=PASSWORD)
    old = user.password
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        response = client.post("/accounts/login/", {"username": "older", "password": "not it at all"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old
