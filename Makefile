PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all test-timing lint format docs bench clean

# One environment with every extra and the developer tools: make demo, test, lint and docs all use it.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/coldroute demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

test-timing: $(STAMP)
	COLDROUTE_TIMING=1 $(BIN)/python -m pytest -q -m "slow or not slow" tests/engine

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m ""

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_imports.py
	$(BIN)/python scripts/check_sizes.py
	$(BIN)/python scripts/check_docstrings.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_matrix.py
	$(BIN)/python benchmarks/bench_classic.py solomon --time-limit 5 --pyvrp c101 r101 rc101

clean:
	rm -rf $(VENV) out site .pytest_cache
