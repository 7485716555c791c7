# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev browser lint typecheck pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .

# The spark extra too: the Spark engine's tests (marker `spark`) run in `make test`.
install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,spark]'

# Headless Chromium for the review page's end-to-end test: Debian's package (Playwright drives
# /usr/bin/chromium; it never downloads a browser). Idempotent: nothing happens when it is there.
# apt-get runs non-interactively (as root, or through sudo for a developer's account).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "installing Debian's chromium (for the review page's browser test)"; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium fonts-liberation </dev/null; \
	fi

run: install
	$(BIN)/canonym serve

lint: install-dev
	$(BIN)/ruff check app tests scripts benchmarks
	$(BIN)/ruff format --check app tests scripts benchmarks

typecheck: install-dev
	$(BIN)/mypy app

pytest: install-dev browser
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
