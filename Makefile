# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# `make run` is a local development server over plain HTTP: DEBUG on, TLS-only settings off, and two-factor
# sign-in not enforced, so the published demo logins work without an authenticator app (`make prod` enforces it).
HOST ?= 127.0.0.1
PORT ?= 8000
RUN_ENV := DJANGO_DEBUG=true DJANGO_SECURE=false PORTFOLIO_REQUIRE_2FA=false
# Two pytest-xdist workers cut the suite's time by about a quarter on 2 cores (browser tests included);
# PYTEST_WORKERS=0 runs in one process (for -x, --pdb). Extra arguments: PYTEST_ARGS="-k milestone".
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
# 340 synthetic grants give about 20,000 milestones and over 500,000 disaggregated indicator values.
SCALE_GRANTS ?= 340

.PHONY: run test lint format install migrate demo scale benchmark benchmark-upload check-deploy prod load-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Set up, migrate, load the demo once (a loaded demo is left as it is), then the server with a task worker.
run: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo --if-missing
	$(RUN_ENV) $(BIN)/python manage.py load_indicator_demo --if-missing
	$(RUN_ENV) HOST=$(HOST) PORT=$(PORT) scripts/run-dev

test: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-libreoffice
	scripts/ensure-apt-package pdftotext poppler-utils "the report tests read PDFs back with pdftotext"
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

migrate: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

# Delete and reload the demo portfolio (users and passwords are reset too).
demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_demo --reset
	$(RUN_ENV) $(BIN)/python manage.py load_indicator_demo --reset

# Add (or replace) the large synthetic portfolio beside the demo.
scale: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_indicator_demo --scale --delete
	$(RUN_ENV) $(BIN)/python manage.py load_demo --scale --reset --grants $(SCALE_GRANTS)
	$(RUN_ENV) $(BIN)/python manage.py load_indicator_demo --scale

benchmark: $(STAMP)
	$(BIN)/python benchmarks/scale_load.py --grants $(SCALE_GRANTS)

# A 10,000-row indicator-data upload against a bare openpyxl read and django-import-export (fresh SQLite
# database; PostgreSQL too with DATABASE_URL=postgres://...). Fails when a target of issue 4 is missed.
benchmark-upload: $(STAMP)
	$(BIN)/python benchmarks/upload_import.py --repeat 5

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP)
	scripts/check-deploy

# The production stack on this machine (README, "Production"): PostgreSQL (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/portfolio_prod), Redis, gunicorn and PORTFOLIO_TASK_WORKERS task workers
# over plain HTTP on HOST:PORT. PROD_ARGS=--demo loads the demo portfolio when missing.
PROD_ARGS ?=
prod: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) scripts/run-prod $(PROD_ARGS)

# The load test against a running production stack (started with PORTFOLIO_QUERY_COUNT_HEADER=true make prod):
# LOAD_ARGS="--users 50 --run-time 5m" by default; prints the table of pages and exits 1 when a target is missed.
LOAD_ARGS ?= --users 50 --run-time 5m
load-test: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portfolio_prod} \
		$(BIN)/python benchmarks/load_run.py --host http://$(HOST):$(PORT) $(LOAD_ARGS)
