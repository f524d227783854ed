# Every routine command of the project. `make run` and `make test` work on a fresh
# machine with only Python 3.11: the first call installs uv and the locked dependencies.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run serve migrate demo test test-slow test-all test-fast lint format messages translations browser oidc-provider worker check-deploy bench-import clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet 'uv==0.13.9'

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed translations ## Install the locked dependencies and compile translations

translations: $(VENV)/.installed ## Compile locale/*.po to .mo (pure Python, no gettext needed)
	@$(MANAGE) compile_translations

messages: $(VENV)/.installed ## Extract new strings into locale/ (needs GNU gettext)
	$(MANAGE) makemessages --locale nn --locale en --no-obsolete --ignore '.venv/*' --ignore '.tools/*' --ignore 'tests/*'

migrate: install ## Apply database migrations
	$(MANAGE) migrate --no-input

demo: migrate ## Load (or refresh) the demo municipality
	$(MANAGE) load_demo

# Without REDIS_URL a Celery worker (with beat) runs beside runserver on the folder broker
# in var/celery, its log in var/celery/worker.log; it stops when runserver stops
# (config/launcher.py). With REDIS_URL, runserver alone, as the worker is a service.
run: demo ## Install, migrate, load the demo and serve on http://127.0.0.1:8000 (with a worker)
	@echo "Kvalitetsportalen: http://127.0.0.1:8000"
	DEBUG=$${DEBUG:-true} $(PY) -m config.launcher run 127.0.0.1:8000

worker: install ## Run a Celery worker (on Redis if REDIS_URL is set, else on var/celery)
	$(PY) -m config.launcher worker

browser: ## Install Debian's Chromium for the browser tests, if missing and we are root
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	      || echo "Chromium could not be installed; browser tests will be skipped."; \
	  else echo "No /usr/bin/chromium and not root: browser tests will be skipped (sudo apt-get install chromium)."; fi; \
	fi

# The sign-in tests log in through a real OpenID Connect provider (node-oidc-provider,
# tests/oidc_provider/); npm installs its locked packages. Without Node the tests skip, and
# fail under CI=true (tests/oidc/conftest.py).
oidc-provider: ## Install the test OpenID Connect provider's locked npm packages, if Node is there
	@if command -v npm >/dev/null; then \
	  [ tests/oidc_provider/node_modules/.package-lock.json -nt tests/oidc_provider/package-lock.json ] \
	    || npm ci --prefix tests/oidc_provider --no-audit --no-fund --silent; \
	else echo "No Node.js/npm: the OpenID Connect sign-in tests will be skipped."; fi

# Two processes (pytest-xdist), one per core; each gets its own test database. Work
# stealing: each starts with half, and the one that finishes first takes over the other's
# remaining tests, so a long test at the end of the collection does not leave a core idle.
TEST_WORKERS ?= 2

test: install browser oidc-provider ## Run the test suite but the slow drills (SQLite unless DATABASE_URL is set)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal -m "not slow"

test-slow: install browser oidc-provider ## Run only the slow drills (CI runs them after `make test`)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal -m slow

test-all: install browser oidc-provider ## Run every test, the slow drills included
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

test-fast: install ## Run the tests without the browser and real-service tests
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal -m "not browser and not services and not slow"

# The service and read layers are type-checked: every app's services/ and selectors/
# packages and its querysets.py, found by name so a new module in them is checked from its
# first commit (tests/test_layout.py keeps every app on that layout). The other modules
# follow as they are annotated.
APPS := plans indicators btitracker competence reports demo identity
LAYERS := $(sort \
	$(wildcard $(foreach app,$(APPS),$(app)/querysets*.py)) \
	$(patsubst %/__init__.py,%,$(wildcard $(foreach app,$(APPS),$(app)/services/__init__.py $(app)/selectors/__init__.py))))
TYPED := $(LAYERS) \
	config/env.py config/local_broker.py config/launcher.py plans/access.py plans/disclosure.py plans/text_limits.py plans/login_guard.py \
	plans/text.py plans/converters.py \
	documents/pdf.py documents/layout.py documents/tablib_formats.py \
	indicators/findings.py indicators/targets.py indicators/parsing/streaming.py indicators/checks.py \
	btitracker/crypto.py btitracker/audit.py btitracker/statistics.py btitracker/reminders.py \
	btitracker/anonymity.py btitracker/consultation_calendar.py btitracker/meeting_rules.py \
	plans/report_statistics.py plans/navigation.py plans/trace_sections.py \
	reports/snapshot.py reports/charts.py reports/bti.py reports/schema.py plans/demo_data.py

lint: install ## ruff lint and format check, the app arrows (import-linter), djLint, mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/mypy $(TYPED)

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: install ## Run Django's deployment checks against production-like settings
	DEBUG=false HTTPS=true SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  BTI_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	  BTI_HASH_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))') \
	  BTI_AUDIT_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))') \
	  BTI_AUDIT_CHECKPOINT_FILE=/tmp/bti-audit-checkpoints \
	  ALLOWED_HOSTS=kvalitet.example.no $(MANAGE) check --deploy --fail-level WARNING

# Benchmarks print figures (bench/README.md); they need PostgreSQL and make a throwaway
# database beside the one BENCH_DATABASE_URL names.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kvalitetsportalen_bench

bench-import: install ## Measure the indicator import against the baselines (PostgreSQL)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/import $(BENCH_ARGS)

clean: ## Remove the virtualenv, compiled files and the local database
	rm -rf $(VENV) .tools staticfiles .pytest_cache .ruff_cache var
	find locale locale_overrides -name '*.mo' -delete
