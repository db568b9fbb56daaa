"""Playwright infrastructure for the browser tests (tests/browser/).

- Debian's Chromium at /usr/bin/chromium is driven, never a browser downloaded by Playwright.
- Every test here is marked `browser` and runs against pytest-django's `live_server` with a transactional
  database (the server thread must see the test's data); `serialized_rollback` restores the reference
  lists seeded by migrations, which the flush after a transactional test would otherwise wipe.
- Playwright's sync API keeps an asyncio event loop running in the main thread for the rest of the session;
  Django's ORM would then refuse to run there ("SynchronousOnlyOperation"), in the browser tests and in
  every ordinary test after them. DJANGO_ALLOW_ASYNC_UNSAFE lifts that check: there is no real async
  code in the test process, so nothing is unsafe about it.
- Without Chromium the browser tests are skipped with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Matches tests/factories.py: every persona's password.
from tests.factories import PASSWORD  # noqa: E402

HERE = Path(__file__).resolve().parent


# tryfirst, and registered after pytest-django, so this runs before pytest-django sorts the session: it then
# sees the transactional marker and puts the browser tests last. A transactional test ends with a flush, and
# an ordinary test after it would find the reference lists seeded by migrations gone.
# pytest then groups the tests that share pytest-playwright's session-scoped `browser_name` parameter; an
# ordinary test that asks for a Playwright fixture by accident (a parameter called `page`) would pull the
# browser tests into the middle of the session, so that is refused by name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        elif "browser_name" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(
                f"{item.nodeid} uses a Playwright fixture outside tests/browser/ (a parameter named "
                "`page`, `browser` or `context`?): rename it, or move the test to tests/browser/."
            )


def _require_chromium() -> None:
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return
    reason = (
        f"{CHROMIUM} is missing: browser tests need Debian's chromium "
        "(scripts/ensure-chromium installs it; `make test` runs that)."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} CI must run the browser tests.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def page(page):  # type: ignore[no-untyped-def]
    # Pages are served on localhost: seconds, not Playwright's default 30, before a wait counts as failed.
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


@pytest.fixture
def login_through_form(page, live_server) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """login_through_form(username, password) -> the page after pressing "Sign in" on the real form."""

    def submit(username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return submit


@pytest.fixture
def logged_in_page(login_through_form) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """logged_in_page(user) -> a Playwright page signed in as that user through the login form."""

    def sign_in(user, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        page = login_through_form(user.username, password)
        current = page.get_by_test_id("current-user")
        current.wait_for()
        return page

    return sign_in
