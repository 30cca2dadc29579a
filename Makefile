# Two commands for a fresh machine:  `make run`  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501

.PHONY: install run test test-fast lint typecheck format-check mutate bench chromium clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the real-browser tests (Playwright drives /usr/bin/chromium; never `playwright install`)
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium; \
	fi

run: $(STAMP)
	$(BIN)/python -m dashboard --port $(PORT)

test: $(STAMP) chromium
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

format-check: $(STAMP)
	$(BIN)/ruff format --check .

# mutation testing of the cost, memory and KV-transfer formulas ([tool.mutmut] in pyproject.toml);
# CPU heavy (~15 min on 1 core), not part of CI. Prints the kill rate.
mutate: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $${MUTATE_JOBS:-2}
	$(BIN)/python benchmarks/mutation_report.py

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache mutants test-artifacts
