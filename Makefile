# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-bench test-postgresql load install install-test lint format catalogues clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/pip install --quiet --require-virtualenv --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-virtualenv -r requirements-test.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Migrate, load the default decks and serve on http://127.0.0.1:8000 (SQLite in ./var/).
run: install
	$(BIN)/arbejdsglaede serve --host $(HOST) --port $(PORT)

PYTEST := $(BIN)/python -m pytest
# pytest-xdist workers, one per core; `make test WORKERS=1` runs one test at a time. A worker
# that runs out of tests takes some from the other (worksteal): the import benchmark alone
# takes a minute and a half, and the plain split left one core idle behind it.
WORKERS ?= auto

## The whole suite: lint, the areas' allowed imports (docs/architecture.md), unit, web,
## end-to-end (Chromium), benchmark reports, PostgreSQL run.
## The tests run on every core, then the benchmarks marked `alone` one at a time by themselves
## (their figures are wall-clock times, tests/bench/conftest.py), then the PostgreSQL run.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports
	$(PYTEST) -n $(WORKERS) --dist worksteal -m "not alone"
	$(PYTEST) -m "alone and not load_only"
	$(MAKE) --no-print-directory test-postgresql

## Every benchmark report (tests/bench, into test-artifacts/bench), one at a time.
test-bench: install-test
	$(PYTEST) -m bench

## Every unit test (the services and their SQL) and the web tests of what the database does
## behind the pages (marker `postgresql`: sessions, logins and their limits, the audit log,
## personal data, bad input, revisions, exports) again, each on its own database of a
## throwaway PostgreSQL server. The other web tests render pages over the same services.
test-postgresql: install-test
	ARBEJDSGLAEDE_TEST_DATABASE=postgresql $(PYTEST) -n $(WORKERS) --dist worksteal \
		-m "not sqlite and (not web or postgresql)" tests/unit tests/web

## 200 tablets at once (DESIGN §8): SQLite in one process, PostgreSQL in two and in one;
## 300–500 tablets on SQLite (the knee); two processes against one at capacity on PostgreSQL.
## Alone; `test` runs the first two.
load: install-test
	$(PYTEST) -s -p no:cacheprovider tests/bench/test_many_tablets.py tests/bench/test_capacity.py

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy app && $(BIN)/lint-imports

format: install-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

## Extract messages into app/locale/{da,en}; fails while a Danish translation is missing.
catalogues: install
	$(BIN)/python scripts/update_catalogues.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
