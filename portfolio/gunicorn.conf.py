"""gunicorn configuration, read from the environment (`gunicorn -c portfolio/gunicorn.conf.py portfolio.wsgi`).

Loading Django's settings here validates them in the master, before any worker forks: a missing or malformed
variable stops start-up once, with its name, instead of in every worker. Logs use settings.LOGGING (JSON to
stdout when DEBUG is off), access lines included.
"""

from __future__ import annotations

import gc
import os

import django
from django.conf import settings

from portfolio.env import Env
from portfolio.logging import ACCESS_LOG_FORMAT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
django.setup(set_prefix=False)
env = Env()

bind = env.list("PORTFOLIO_WEB_BIND", default=["127.0.0.1:8000"])
# gunicorn's advice is 2 x cores + 1 processes; the cap keeps a big machine from starting dozens (each holds
# its own Django and database connection).
workers = env.int("PORTFOLIO_WEB_WORKERS", default=min(2 * (os.cpu_count() or 1) + 1, 8), minimum=1)
# Threads let one process wait on the database for several requests; gthread also keeps connections alive.
worker_class = "gthread"
threads = env.int("PORTFOLIO_WEB_THREADS", default=2, minimum=1)
# A request taking longer than this is killed and logged (large uploads and reports run in the task workers).
timeout = env.int("PORTFOLIO_WEB_TIMEOUT", default=60, minimum=5)
graceful_timeout = env.int("PORTFOLIO_WEB_GRACEFUL_TIMEOUT", default=30, minimum=1)
keepalive = 5
# Restart a worker after this many requests (with jitter, so they do not all restart together): bounds any
# slow memory growth.
max_requests = env.int("PORTFOLIO_WEB_MAX_REQUESTS", default=2000)
max_requests_jitter = max_requests // 10
# The X-Forwarded-* headers are believed only from these addresses (the TLS proxy).
forwarded_allow_ips = ",".join(env.list("PORTFOLIO_FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"]))

accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logconfig_dict = settings.LOGGING
loglevel = settings.LOG_LEVEL.lower()
# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn): two stacks on one machine would
# fight over it, and nothing here uses gunicornc.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded Django and the app, move those objects (about 170,000) out of the garbage
    collector's reach: they live as long as the process, yet every full collection walked them all, an 80 ms
    pause in the middle of some request (20 ms after freezing). Young collections run every 10,000 new
    container objects instead of 700: a page builds tens of thousands, and each collection cost a fraction of a
    millisecond several times a page."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
