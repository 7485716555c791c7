# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev lint typecheck pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'

run: install
	$(BIN)/canonym serve

lint: install-dev
	$(BIN)/ruff check app tests scripts benchmarks
	$(BIN)/ruff format --check app tests scripts benchmarks

typecheck: install-dev
	$(BIN)/mypy app

pytest: install-dev
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
