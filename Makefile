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

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## make run: set up, migrate, load the demo organisation on first start, serve http://localhost:$(PORT)
run: $(BIN)/.installed
	$(BIN)/hero init $(DEMO)
	$(BIN)/streamlit run streamlit_app.py --server.address $(HOST) --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

## make test: set up (venv, Chromium, PostgreSQL running) and run the whole suite
test: $(BIN)/.installed
	bash scripts/ensure_system.sh
	HERO_REQUIRE_POSTGRES=$$(command -v pg_ctlcluster >/dev/null && echo 1 || echo 0) \
		$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## make test-fast: everything except the browser walks
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

## make reliability: the trust attacks at full size (20 kills of a 1M-row import, thorough Hypothesis profile)
reliability: $(BIN)/.installed
	bash scripts/ensure_system.sh
	HERO_REQUIRE_POSTGRES=1 HERO_CRASH_ROWS=1000000 HERO_CRASH_RUNS=20 HERO_HYPOTHESIS_PROFILE=thorough \
		$(BIN)/python -m pytest -s -p no:cacheprovider tests/trust $(PYTEST_ARGS)

## make screenshots: walk the compact in Chromium and refresh the README's pictures in docs/screenshots
screenshots: $(BIN)/.installed
	bash scripts/ensure_system.sh
	HERO_SCREENSHOTS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser/test_walk.py $(PYTEST_ARGS)

## make bench: the performance table (docs/performance.md)
bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks.run

## make calibrate: the impact estimator's Monte Carlo (1,000 replications a family) into docs/impact-validation.md
calibrate: $(BIN)/.installed
	nice $(BIN)/python -m hero_core.impact_calibration --reps 1000 --out docs/impact-validation.md

demo: $(BIN)/.installed
	$(BIN)/hero init --demo

clean-db:
	rm -f data/hero.db data/hero.db-wal data/hero.db-shm
