# Frontdoor: `make run` to start it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FRONTDOOR_PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/frontdoor
VENDOR := src/frontdoor/static/vendor/.built

.PHONY: run test install install-dev assets chromium dovecot postgres lint migrations-check \
        test-sqlite test-postgres benchmark benchmark-intake benchmark-routing \
        benchmark-selfservice benchmark-reporting clean

run: install assets
	$(BIN)/frontdoor run --port $(FRONTDOOR_PORT)

test: install-dev assets chromium dovecot lint migrations-check test-sqlite test-postgres
	@echo "make test: everything passed on SQLite and PostgreSQL"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end assets come from npm at build time and are served from our own static files.
$(VENDOR): package.json package-lock.json tools/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

assets: $(VENDOR) | $(BIN)/python

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The IMAP poller tests run against Debian's dovecot on loopback; install it when it is missing.
dovecot:
	@test -x /usr/sbin/dovecot || { \
	  echo "Installing Debian's dovecot for the IMAP tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; }

postgres:
	@tools/ensure-postgres "$${DATABASE_URL:-$(PG_TEST_URL)}"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

migrations-check: install-dev
	$(BIN)/frontdoor makemigrations --check --dry-run

test-sqlite: install-dev assets
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -p no:cacheprovider

# A PostgreSQL pass that does not run is a failure: tests/conftest.py checks the vendor.
test-postgres: install-dev assets postgres
	DATABASE_URL=$${DATABASE_URL:-$(PG_TEST_URL)} FRONTDOOR_EXPECT_DB=postgresql \
	  $(BIN)/pytest -p no:cacheprovider

# Seeds var/bench.sqlite3 (or DATABASE_URL) with a million contacts on first run.
benchmark: install-dev assets
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} $(BIN)/python benchmarks/console.py

# Starts from an empty var/bench-intake.sqlite3 (or DATABASE_URL, whose name must contain
# "bench": it is dropped and created again) each run.
benchmark-intake: install-dev
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench-intake.sqlite3} $(BIN)/python benchmarks/intake.py

# Starts from an empty var/bench-routing.sqlite3 (or DATABASE_URL, named like the above) each run.
benchmark-routing: install-dev
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench-routing.sqlite3} $(BIN)/python benchmarks/routing.py

# Open311 against `frontdoor run` for 60 seconds, on a fresh PostgreSQL database (the name must
# contain "bench"; DATABASE_URL may name another, or an SQLite file).
benchmark-selfservice: install-dev assets postgres
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/frontdoor_bench_selfservice} \
	  $(BIN)/python benchmarks/selfservice.py

# Seeds var/bench-reporting.sqlite3 (or DATABASE_URL) up to ten million contacts on first run.
benchmark-reporting: install-dev
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench-reporting.sqlite3} $(BIN)/python benchmarks/reporting.py

clean:
	rm -rf $(VENV) node_modules src/frontdoor/static/vendor
