# Journées PTCE. Quick start: `make run`, then open http://127.0.0.1:8000; `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
PTCE := $(VENV)/bin/ptce
PYTEST := $(VENV)/bin/pytest
RUFF := $(VENV)/bin/ruff
# Written after a successful install: pip runs again only when pyproject.toml changes.
STAMP := $(VENV)/.installed

# `make test` runs every test on PostgreSQL, then on SQLite those that reach the database
# (tests/conftest.py decides, README "Testing"); DB=postgres or DB=sqlite runs one pass.
DB ?= all
# The PostgreSQL pass: pytest-django creates a fresh test_<name> database from this URL.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ptce_test
# Extra pytest arguments, e.g. PYTEST_ARGS='tests/test_health.py -x'.
PYTEST_ARGS ?=
# Test processes (pytest-xdist), one per core of the 2-core machines the project runs on;
# TEST_WORKERS=0 runs everything in this process (a debugger, a single test). The tests
# marked many_connections (tens of PostgreSQL connections at once) run alone afterwards, so
# that they never meet the other process's connections under PostgreSQL's limit. (Not
# --dist loadgroup: it runs once the schemathesis cases, which share one node id.)
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS)
# Each pass ends with its slowest tests: what to look at before adding a slow one.
DURATIONS := --durations=25
# COVERAGE=1 measures the PostgreSQL pass with coverage.py (branches too, and the processes
# the tests start: [tool.coverage] in pyproject.toml) and prints the total; `make coverage`
# prints the report per module. No threshold: it shows what no test runs. The concurrency
# tests (many_connections) run unmeasured: they run the same code as the others, 64 threads
# at a time, and the tracer would only slow them.
COVERAGE ?=
COV := $(if $(COVERAGE),--cov --cov-report=)

.PHONY: help install messages static run test coverage lint bench

help:
	@echo "make run    install, migrate, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test   every test on PostgreSQL, then those that reach the database on SQLite (DB=postgres|sqlite: one pass)"
	@echo "make coverage  the PostgreSQL pass under coverage.py, then the report per module"
	@echo "make lint   ruff check, ruff format --check, makemigrations --check"
	@echo "make bench  time the public pages, the directory, a registration rush, check-in and the organisers' dashboard and exports (prints figures)"

$(PYTHON):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP)

# Our own catalogues only: the packages in .venv ship theirs compiled.
messages: $(STAMP)
	@if find src -name '*.po' -print -quit | grep -q .; then \
		$(PTCE) compilemessages --ignore=.venv --ignore=.git --ignore=var --ignore=node_modules \
			--verbosity=0; \
	fi

static: $(STAMP)
	$(PTCE) collectstatic --noinput --verbosity=0

run: $(STAMP)
	$(PTCE) migrate --noinput
	$(MAKE) --no-print-directory messages static
	$(PTCE) demo
	$(PTCE) serve

# Tests render static files with the plain storage (tests/conftest.py), so they need no
# collectstatic; it runs first all the same, because it is the production pipeline (hashed
# names, compression, url() references in CSS) and fails on a broken reference.
# pytest's exit code 5 (no test collected) is not 0, so it fails the target like any failure.
test: $(STAMP) messages static
	@case "$(DB)" in all|postgres|sqlite) ;; \
		*) echo "make test: DB must be all, postgres or sqlite, not '$(DB)'" >&2; exit 2;; \
	esac
	@if [ "$(DB)" != sqlite ]; then \
		echo "=== Tests on PostgreSQL ($(TEST_DATABASE_URL))"; \
		first=0; DATABASE_URL='$(TEST_DATABASE_URL)' $(PYTEST) --create-db $(XDIST) \
			-m 'not many_connections' $(DURATIONS) $(COV) $(PYTEST_ARGS) || first=$$?; \
		echo "=== Tests on PostgreSQL that open many connections, alone"; \
		second=0; DATABASE_URL='$(TEST_DATABASE_URL)' $(PYTEST) --create-db \
			-m many_connections $(DURATIONS) $(PYTEST_ARGS) || second=$$?; \
		if [ -n "$(PYTEST_ARGS)" ]; then \
			[ $$first -eq 5 ] && [ $$second -eq 0 ] && first=0; \
			[ $$second -eq 5 ] && [ $$first -eq 0 ] && second=0; \
		fi; \
		if [ -n "$(COVERAGE)" ]; then \
			echo "Coverage of the PostgreSQL pass (lines and branches): $$($(VENV)/bin/coverage report --format=total)%"; \
		fi; \
		[ $$first -eq 0 ] && [ $$second -eq 0 ]; \
	fi
	@if [ "$(DB)" != postgres ]; then \
		echo "=== Tests on SQLite: those that reach the database, and one browser journey"; \
		status=0; env -u DATABASE_URL $(PYTEST) -m sqlite $(XDIST) $(DURATIONS) $(PYTEST_ARGS) \
			|| status=$$?; \
		if [ -n "$(PYTEST_ARGS)" ] && [ $$status -eq 5 ]; then \
			echo "(none of these tests runs on SQLite: they run once, on PostgreSQL)"; status=0; \
		fi; \
		exit $$status; \
	fi

coverage: $(STAMP)
	$(MAKE) --no-print-directory test DB=postgres COVERAGE=1
	$(VENV)/bin/coverage report

lint: $(STAMP)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PTCE) makemigrations --check --dry-run

# Each script makes its own throw-away SQLite database, or fills the one DATABASE_URL names
# (give it an empty one); registration_rush.py drops and creates RUSH_DATABASE_URL
# (default ptce_bench_rush on the local PostgreSQL). Figures depend on the machine: see
# bench/README.md.
bench: $(STAMP)
	@for script in bench/[!_]*.py; do \
		echo "=== $$script"; \
		$(PYTHON) "$$script"; \
	done
