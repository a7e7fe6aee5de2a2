# Two commands do all the set-up on a fresh machine:
#   make run    installs everything into .venv (with the app's offline front-end assets), then
#               starts the web app on the default scenario at http://127.0.0.1:8765/
#   make test   installs everything into .venv (plus Debian's Chromium and the app's offline
#               front-end assets, for the browser tests), then runs the whole test suite
#   make app    installs everything, then starts the web app on http://127.0.0.1:8765/
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
ASSETS := .cache/solara-cdn
# apt-get needs root: use sudo only when not root
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run summary test lint bench baseline clean app assets browser load-workshop

setup: $(STAMP)

# solara's front end, fetched once from npm so the app works offline (willsim/app/assets.py)
assets: setup
	$(PY) -m willsim.app.assets $(ASSETS)

# Debian's Chromium for the browser tests, installed only if missing
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

app: setup assets
	$(VENV)/bin/willsim app

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: app

summary: setup
	$(VENV)/bin/willsim run baseline

test: setup assets browser lint
	$(PY) -m pytest -n 2 -q

# lint, format and type checks (mypy's packages: [tool.mypy] in pyproject.toml)
lint: setup
	$(PY) -m ruff check willsim tests benchmarks
	$(PY) -m ruff format --check willsim tests benchmarks
	$(PY) -m mypy

bench: setup
	$(PY) benchmarks/bench_engine.py

# 30 simulated workshop participants joining and submitting at once (local, no network)
load-workshop: setup
	$(PY) benchmarks/load_workshop.py --participants 30 --run

baseline: setup
	$(PY) tests/update_baseline.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
