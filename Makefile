PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all test-timing bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/coldroute demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

test-timing: $(STAMP)
	COLDROUTE_TIMING=1 $(BIN)/python -m pytest -q tests/test_timelimits.py tests/test_solve.py

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m ""

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_matrix.py
	$(BIN)/python benchmarks/bench_classic.py solomon --time-limit 5 --pyvrp c101 r101 rc101

clean:
	rm -rf $(VENV) out .pytest_cache
