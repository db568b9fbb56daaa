"""Run the load test against a running production stack and print requests a second, p50, p95, p99, errors
and SQL queries per page.

    make prod                          # in another terminal, with PORTFOLIO_QUERY_COUNT_HEADER=true
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio_prod \\
        .venv/bin/python benchmarks/load_run.py --users 50 --run-time 5m

It talks to the same database as the stack only to give the office staff's accounts a set of backup codes for
the two-factor step (removed afterwards), then drives benchmarks/load_test.py with locust, headless, and reads
its statistics. Exit status 1 when a page's p95 is above --max-p95-ms (300 by default) or any request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAFF = ("officer1", "officer2", "manager")
DEVICE_NAME = "load test"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()


def make_codes(per_user: int) -> dict[str, list[str]]:
    """A confirmed backup-code device per staff account, with ``per_user`` one-time codes."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from grants.models import User

    codes: dict[str, list[str]] = {}
    for user in User.objects.filter(username__in=STAFF):
        StaticDevice.objects.filter(user=user, name=DEVICE_NAME).delete()
        device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        tokens = [StaticToken.random_token() for _ in range(per_user)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in tokens)
        codes[user.username] = tokens
    return codes


def remove_codes() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.filter(user__username__in=STAFF, name=DEVICE_NAME).delete()


def ready(host: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(f"{host}/health/ready", timeout=10) as response:
            return response.status == 200, response.read().decode()
    except Exception as exc:  # HTTPError (503) or no server at all
        return False, str(exc)


def seconds(duration: str) -> int:
    """Locust's duration syntax ("5m", "90s", "1h30m") in seconds."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration.strip())
    if not duration.strip() or match is None:
        raise argparse.ArgumentTypeError(f"{duration!r} is not a duration like 5m, 90s or 1h30m")
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


def cpu_check(loops: int = 30_000_000) -> float:
    """Seconds for a bare Python loop of ``loops`` additions: the machine's speed beside the figures, measured
    before and after the run. Page times scale with it, so runs on different (or host-throttled) machines can
    be compared, and a run whose two checks differ much was measured on a CPU whose speed changed under it."""
    started = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return time.perf_counter() - started


def table(stats_csv: Path, queries: dict[str, list[int]]) -> tuple[list[list[str]], list[str]]:
    rows, problems = [], []
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if name == "Aggregated":
                continue
            p95 = float(row["95%"])
            failures = int(row["Failure Count"])
            counts = queries.get(name, [])
            rows.append(
                [
                    name,
                    row["Request Count"],
                    f"{float(row['Requests/s']):.2f}",
                    row["50%"],
                    row["95%"],
                    row["99%"],
                    str(failures),
                    f"{min(counts)}-{max(counts)}" if counts else "",
                ]
            )
            if failures:
                problems.append(f"{name}: {failures} failed requests")
            if p95 > ARGS.max_p95_ms:
                problems.append(f"{name}: p95 {p95:.0f} ms > {ARGS.max_p95_ms} ms")
    rows.sort(key=lambda r: r[0])
    return rows, problems


def main() -> int:
    out = Path(ARGS.out)
    out.mkdir(parents=True, exist_ok=True)
    ok, body = ready(ARGS.host)
    if not ok:
        print(f"The stack at {ARGS.host} is not ready: {body}", file=sys.stderr)
        return 2
    _django()
    codes = make_codes(per_user=ARGS.users * 4)
    env = dict(os.environ)
    for username, tokens in codes.items():
        env[f"PORTFOLIO_LOAD_CODES_{username.upper()}"] = ",".join(tokens)
    queries_file = out / "queries.json"
    env["PORTFOLIO_LOAD_QUERIES_FILE"] = str(queries_file)
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "load_test.py"),
        "--headless",
        "--users",
        str(ARGS.users),
        "--spawn-rate",
        str(ARGS.spawn_rate),
        "--run-time",
        # The users arrive at --spawn-rate, then all of them work together for --run-time.
        f"{math.ceil(ARGS.users / ARGS.spawn_rate) + seconds(ARGS.run_time)}s",
        "--host",
        ARGS.host,
        "--csv",
        str(out / "load"),
        "--only-summary",
    ]
    cpu_before = cpu_check()
    try:
        subprocess.run(command, env=env, check=False)
    finally:
        remove_codes()
    cpu_after = cpu_check()
    queries = json.loads(queries_file.read_text()) if queries_file.exists() else {}
    rows, problems = table(out / "load_stats.csv", queries)
    header = ["page", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "SQL queries"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    with (out / "load_stats.csv").open() as handle:
        total = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    print(
        f"\nAll pages: {total['Request Count']} requests, {float(total['Requests/s']):.1f} req/s, "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms, {total['Failure Count']} errors "
        f"({ARGS.users} users arriving {ARGS.spawn_rate:g} a second, then {ARGS.run_time} together)."
    )
    print(
        f"CPU check (a bare Python loop of 30 million additions): {cpu_before:.2f} s before the run, "
        f"{cpu_after:.2f} s after."
    )
    failures_csv = out / "load_failures.csv"
    if failures_csv.exists():
        with failures_csv.open() as handle:
            for failure in csv.DictReader(handle):
                print(f"Failed: {failure['Name']}: {failure['Error']} ({failure['Occurrences']} times)")
    if problems:
        print("\nTarget missed:\n- " + "\n- ".join(problems))
        return 1
    print(f"\nEvery page's p95 is under {ARGS.max_p95_ms} ms and no request failed.")
    return 0


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--host", default="http://127.0.0.1:8000")
parser.add_argument("--users", type=int, default=50)
# An office's people sign in over minutes, not all in one second: one a second already puts 50 sign-ins (each a
# deliberately slow password hash) into the first 50 seconds.
parser.add_argument("--spawn-rate", type=float, default=1)
parser.add_argument(
    "--run-time", default="5m", help="how long all the users work together, after they have all arrived"
)
parser.add_argument("--max-p95-ms", type=float, default=300)
parser.add_argument("--out", default=str(ROOT / "var" / "load"))
ARGS = parser.parse_args()

if __name__ == "__main__":
    sys.exit(main())
