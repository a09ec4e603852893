# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install PersonaCo TUI with its dependencies, start the app
#   make test   the same set-up, then the test suite
# CI (.ci/run) runs `make check` (lint, format, types, layer contracts), then `make test`.
# llama-cpp-python builds from source the first time (about 4 minutes on 2 cores); pip caches the wheel.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/personaco

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check personaco_tui tests
	$(VENV)/bin/ruff format --check personaco_tui tests

# The gates CI runs before the tests: ruff, mypy (strict on the domain core, see pyproject.toml)
# and the import-linter layer contracts declared in pyproject.toml.
check: lint
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build dist *.egg-info
