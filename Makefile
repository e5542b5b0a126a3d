# The two commands in the README: `make run` and `make test`. Everything else is here to serve them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Served on this machine only: every demo account's password is public. `make run HOST=0.0.0.0` serves the network.
HOST ?= 127.0.0.1
# `make run DEMO=` starts without the demo organisation.
DEMO ?= --demo
PYTEST_ARGS ?=

.PHONY: run test test-fast bench demo clean-db lint reliability screenshots calibrate

# Two installs into one venv: what running the app needs (`make run`), and on top of it what the tests need
# (pytest, Playwright, Hypothesis...). Each stamp is redone when pyproject.toml changes.
RUN_INSTALL := $(BIN)/.installed-run
TEST_INSTALL := $(BIN)/.installed-test

$(RUN_INSTALL): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_INSTALL): $(RUN_INSTALL)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## make run: set up (only what running needs), migrate, load the demo organisation on first start,
## serve http://localhost:$(PORT) until Ctrl+C. `make run PORT=8600` serves another port.
run: $(RUN_INSTALL)
	$(BIN)/hero init $(DEMO)
	$(BIN)/streamlit run streamlit_app.py --server.address $(HOST) --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

## make test: set up (venv, Chromium, PostgreSQL running) and run the whole suite
test: $(TEST_INSTALL)
	bash scripts/ensure_system.sh
	HERO_REQUIRE_POSTGRES=$$(command -v pg_ctlcluster >/dev/null && echo 1 || echo 0) \
		$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## make test-fast: everything except the browser walks
test-fast: $(TEST_INSTALL)
	$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

## make reliability: the trust attacks at full size (20 kills of a 1M-row import, thorough Hypothesis profile)
reliability: $(TEST_INSTALL)
	bash scripts/ensure_system.sh
	HERO_REQUIRE_POSTGRES=1 HERO_CRASH_ROWS=1000000 HERO_CRASH_RUNS=20 HERO_HYPOTHESIS_PROFILE=thorough \
		$(BIN)/python -m pytest -s -p no:cacheprovider tests/trust $(PYTEST_ARGS)

## make screenshots: walk the compact in Chromium and refresh the README's pictures in docs/screenshots
screenshots: $(TEST_INSTALL)
	bash scripts/ensure_system.sh
	HERO_SCREENSHOTS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser/test_walk.py $(PYTEST_ARGS)

## make lint: ruff with the rules in pyproject.toml, then vulture for dead code (framework-called names are in
## vulture_whitelist.py and pyproject.toml's [tool.vulture])
lint: $(TEST_INSTALL)
	status=0; $(BIN)/ruff check . || status=1; $(BIN)/vulture || status=1; exit $$status

## make bench: the performance table (docs/performance.md)
bench: $(TEST_INSTALL)
	$(BIN)/python -m benchmarks.run

## make calibrate: the impact estimator's Monte Carlo (1,000 replications a family) into docs/impact-validation.md
calibrate: $(RUN_INSTALL)
	nice $(BIN)/python -m hero_core.impact_calibration --reps 1000 --out docs/impact-validation.md

demo: $(RUN_INSTALL)
	$(BIN)/hero init --demo

## make clean-db: delete the local SQLite database, its read-model snapshots and its audit key (they belong together: the key signs that
## database's audit trail); the next `make run` starts a fresh one with a fresh key and the demo.
## With HERO_DATABASE_URL or HERO_AUDIT_KEY_FILE set the key file is kept: it may sign another database's trail.
clean-db:
	rm -f data/hero.db data/hero.db-wal data/hero.db-shm data/hero-read-models.db data/read-models.db
	@if [ -z "$$HERO_DATABASE_URL" ] && [ -z "$$HERO_AUDIT_KEY_FILE" ]; then rm -f data/audit.key; \
	else echo "kept the audit key: HERO_DATABASE_URL or HERO_AUDIT_KEY_FILE is set, so it may sign another database"; fi
