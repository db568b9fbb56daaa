"""Sign-in hardening (issue 7): login throttling (django-axes), two-factor authentication (django-otp),
password reset by email, session expiry after inactivity, and the sign-in audit in the admin.

An app of its own (label ``security``, no models) so that its ``ready()`` can connect the sign-in signal
that starts a session's clocks; see ``apps.py``.
"""
