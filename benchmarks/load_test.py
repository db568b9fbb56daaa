"""Load test of the production stack (locust): grantees, program officers and managers at work at once.

Run it through benchmarks/load_run.py, which checks the stack, prepares the sign-ins and prints the table;
or directly:

    .venv/bin/locust -f benchmarks/load_test.py --headless -u 50 -r 5 -t 5m --host http://127.0.0.1:8000

The mix, by weight (of 10 users: 5 grantees, 3 officers, 2 managers):
- grantees: the home page, the reporting overview, their reports' data-entry pages, the calendar,
  notifications;
- program officers: the home page, the grant and milestone lists, a grant's page, the review queue and a
  report's review page, indicator performance of a grant;
- managers: the home page, portfolio indicator performance, the calendar, the report builder, and now and
  then a report run (the worker builds it) whose progress they poll.

Every request is named by its page (URL pattern), so the statistics are per page, not per URL. Users are
FastHttpUsers (geventhttpclient): locust runs on the same machine as the stack, and its lighter client leaves
more of the CPU to the server being measured. Redirects after a form are not followed, so a POST's time is
its own and not that of the page it leads to. Users sign in
through the login form like a person; staff pass the two-factor step with one of the backup codes that
load_run.py makes for their account (PORTFOLIO_LOAD_CODES_<USERNAME>).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = os.environ.get("PORTFOLIO_LOAD_PASSWORD", "portfolio-demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Each simulated person signing in takes the next unused backup code of their account (load_run.py makes a
# set per account): an authenticator's code is good once per 30 seconds, and many simulated sessions of the
# same account sign in within seconds of each other.
_next_code: dict[str, itertools.count] = {}


def backup_code(username: str) -> str:
    codes = os.environ.get(f"PORTFOLIO_LOAD_CODES_{username.upper()}", "").split(",")
    index = next(_next_code.setdefault(username, itertools.count()))
    return codes[index % len(codes)]


# SQL queries per page, from the X-Query-Count header the stack adds with PORTFOLIO_QUERY_COUNT_HEADER=true:
# every count seen, written where load_run.py reads it when the run ends.
QUERIES: dict[str, set[int]] = {}


@events.request.add_listener
def _count_queries(name: str, response, **kwargs) -> None:  # type: ignore[no-untyped-def]
    count = response.headers.get("X-Query-Count") if response is not None else None
    if count is not None:
        QUERIES.setdefault(name, set()).add(int(count))


@events.test_stop.add_listener
def _write_queries(**kwargs) -> None:  # type: ignore[no-untyped-def]
    path = os.environ.get("PORTFOLIO_LOAD_QUERIES_FILE")
    if path:
        with open(path, "w") as handle:
            json.dump({name: sorted(counts) for name, counts in QUERIES.items()}, handle)


class PortfolioUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    usernames: tuple[str, ...] = ()
    two_factor = False

    def on_start(self) -> None:
        self.username = random.choice(self.usernames)
        self.sign_in()
        self.links: dict[str, list[str]] = {}

    def csrf(self, html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else ""

    def sign_in(self) -> None:
        page = self.page("/accounts/login/", name="sign-in page")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page)},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused ({response.status_code})")
                return
        if self.two_factor:
            # Office staff must pass the second step before any page (TwoFactorMiddleware sends them here).
            step = self.page("/account/two-factor/", name="two-factor page")
            with self.client.post(
                "/account/two-factor/",
                {"code": backup_code(self.username), "csrfmiddlewaretoken": self.csrf(step)},
                name="two-factor",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"two-factor code refused ({response.status_code})")

    def page(self, path: str, name: str) -> str:
        """GET a page, which must answer 200 itself: a redirect (to the sign-in or two-factor page, say) is a
        failure, not a fast page."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                location = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {location}".strip())
            return response.text or ""

    def found(self, path: str, pattern: str, name: str) -> list[str]:
        """Links matching ``pattern`` on ``path`` (read once per user), to visit pages of real objects."""
        if name not in self.links:
            html = self.page(path, name=name)
            self.links[name] = sorted(set(re.findall(pattern, html)))
        return self.links[name]

    def visit_one(self, path: str, pattern: str, list_name: str, name: str) -> None:
        links = self.found(path, pattern, list_name)
        if links:
            self.page(random.choice(links), name=name)


class Grantee(PortfolioUser):
    weight = 5
    usernames = ("grantee_a", "grantee_b")

    @task(4)
    def dashboard(self) -> None:
        self.page("/", name="dashboard")

    @task(3)
    def reporting(self) -> None:
        self.page("/reporting/", name="reporting overview")

    @task(4)
    def entry(self) -> None:
        self.visit_one("/reporting/", r'href="(/submissions/\d+/)"', "reporting overview", "data entry")

    @task(2)
    def calendar(self) -> None:
        self.page("/calendar/", name="calendar month")

    @task(1)
    def notifications(self) -> None:
        self.page("/notifications/", name="notifications")


class Officer(PortfolioUser):
    weight = 3
    two_factor = True
    usernames = ("officer1", "officer2")

    @task(3)
    def dashboard(self) -> None:
        self.page("/", name="dashboard")

    @task(2)
    def grants(self) -> None:
        self.page("/grants/", name="grant list")

    @task(2)
    def milestones(self) -> None:
        self.page("/milestones/?timing=overdue", name="milestone list")

    @task(2)
    def grant(self) -> None:
        self.visit_one("/grants/", r'href="(/grants/\d+/)"', "grant list", "grant detail")

    @task(3)
    def review_queue(self) -> None:
        self.page("/review/", name="review queue")

    @task(3)
    def review(self) -> None:
        self.visit_one("/review/", r'href="(/submissions/\d+/review/)"', "review queue", "review")

    @task(1)
    def performance(self) -> None:
        grants = self.found("/grants/", r'href="(/grants/\d+/)"', "grant list")
        if grants:
            self.page(random.choice(grants) + "performance/", name="grant performance")


class Manager(PortfolioUser):
    weight = 2
    two_factor = True
    usernames = ("manager",)

    @task(4)
    def dashboard(self) -> None:
        self.page("/", name="dashboard")

    @task(2)
    def performance(self) -> None:
        self.page("/performance/", name="portfolio performance")

    @task(2)
    def calendar(self) -> None:
        self.page("/calendar/?view=list&state=overdue", name="calendar list")

    @task(1)
    def builder(self) -> None:
        self.page("/reports/", name="report builder")

    @task(1)
    def report_run(self) -> None:
        """Start a milestone tracker of one country (the worker builds it) and poll its progress twice."""
        page = self.page("/reports/", name="report builder")
        countries = re.findall(r'<option value="([A-Z]{2})"', page)
        if not countries:
            return
        with self.client.post(
            "/reports/",
            {
                "csrfmiddlewaretoken": self.csrf(page),
                "report_type": "milestones",
                "countries": random.choice(countries),
                "formats": "xlsx",
            },
            name="report run (start)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            match = re.search(r"/reports/runs/(\d+)/", location)
            if match is None:
                response.failure(f"no report run started ({response.status_code} {location})".strip())
        if match:
            for _ in range(2):
                time.sleep(1)
                self.page(f"/reports/runs/{match.group(1)}/status.json", name="report run (status)")
