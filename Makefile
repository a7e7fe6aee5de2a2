# Two commands do all the set-up on a fresh machine:
#   make run    installs everything into .venv, then runs the default scenario
#   make test   installs everything into .venv, then runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench baseline clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: setup
	$(VENV)/bin/willsim run baseline

test: setup
	$(PY) -m ruff check willsim tests benchmarks
	$(PY) -m pytest -n 2 -q

lint: setup
	$(PY) -m ruff check willsim tests benchmarks
	$(PY) -m ruff format --check willsim tests benchmarks

bench: setup
	$(PY) benchmarks/bench_engine.py

baseline: setup
	$(PY) tests/update_baseline.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
