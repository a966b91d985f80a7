# Every target builds its own virtual environment from nothing when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# durable-rules 2.0.28 builds from source and predates Python 3.13's removal of
# PyEval_CallObject; on 3.13 and later, map it to its replacement.
PY313 := $(shell $(PYTHON) -c 'import sys; print(int(sys.version_info >= (3, 13)))' 2>/dev/null)
ifeq ($(PY313),1)
export CPPFLAGS += -DPyEval_CallObject=PyObject_CallObject
endif

.PHONY: all install demo test lint typecheck pytest bench fuzz clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/flexpolicy demo

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/lint-imports --no-logo --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy src

# The case book's tests need a real PostgreSQL on loopback: as root (CI), the script
# installs Debian's package and starts a private cluster; elsewhere those tests skip
# unless FLEXPOLICY_TEST_PG_URL is set (and fail when CI is set without it).  Likewise
# the one-page check of `flexpolicy doc` prints with a real headless Chromium, which
# scripts/chromium.sh finds or (as root) installs from Debian's packages.
# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=1 for one process): the
# durable differential alone is minutes of work, and `make test` stays within 15 minutes
# on two cores.  Each PostgreSQL test takes a schema of its own, so workers share a server.
pytest: $(STAMP)
	@if [ -z "$${FLEXPOLICY_TEST_PG_URL:-}" ] && [ "$$(id -u)" = 0 ]; then \
		FLEXPOLICY_TEST_PG_URL="$$(scripts/pg-test-server.sh)"; export FLEXPOLICY_TEST_PG_URL; \
	fi; \
	if [ -z "$${FLEXPOLICY_CHROMIUM:-}" ]; then \
		FLEXPOLICY_CHROMIUM="$$(scripts/chromium.sh || true)"; export FLEXPOLICY_CHROMIUM; \
	fi; \
	$(BIN)/pytest -q -n $${PYTEST_WORKERS:-auto}

test: lint typecheck pytest

# Not part of `make test`: the peers are measured in the same run, never asserted on.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/peers.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/curve.py
	$(BIN)/python benchmarks/diff_bench.py --profile
	$(BIN)/python benchmarks/report.py

# Not part of `make test`: the fuzz tests with ten times the inputs CI tries (about 10 minutes).
fuzz: $(STAMP)
	FLEXPOLICY_FUZZ_EXAMPLES=$${FLEXPOLICY_FUZZ_EXAMPLES:-1000000} $(BIN)/pytest -q tests/test_fuzz.py -s

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache src/*.egg-info
