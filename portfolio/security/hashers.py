"""The password hasher: Argon2id with the parameters OWASP's Password Storage Cheat Sheet recommends."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane: OWASP's first recommendation for password storage.

    Argon2 is memory-hard: every guess needs its own 19 MiB, which is what makes GPU and ASIC farms slow, where
    PBKDF2's iterations (Django's default, 1,000,000 of them) cost an attacker's GPU little. It also costs the
    server less: about 30 ms of CPU a sign-in here, against 230 ms for PBKDF2, so 50 people signing in within a
    minute no longer take a core from everyone else's pages. Django's own Argon2 defaults (100 MiB, 8 lanes)
    are heavier than the recommendation without a matching gain for a web sign-in.

    The name stays "argon2" (the algorithm field of stored hashes), so hashes made with Django's defaults, and
    the PBKDF2 hashes of accounts created before this hasher, still verify; Django rehashes them with these
    parameters at the next successful sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
