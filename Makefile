# Two commands for a fresh machine:  `make run`  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501

.PHONY: install install-dev run test test-fast lint typecheck format-check mutate bench chromium clean

# `make run` needs only the runtime dependencies; the dev extras (pytest, hypothesis, ruff,
# playwright) are installed by the targets that test, lint or benchmark.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# Debian's chromium for the real-browser tests (Playwright drives /usr/bin/chromium; never
# `playwright install`) and a CJK font, so the 简体中文 pages render (and screenshot) as text, not boxes.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends \
	    chromium fonts-noto-cjk; \
	fi

# another port: `make run PORT=8600`
run: $(STAMP)
	$(BIN)/python -m dashboard --port $(PORT)

test: $(DEV_STAMP) chromium
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow"

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

format-check: $(DEV_STAMP)
	$(BIN)/ruff format --check .

# mutation testing of the cost, memory and KV-transfer formulas ([tool.mutmut] in pyproject.toml);
# CPU heavy (~15 min on 1 core), not part of CI. Prints the kill rate.
mutate: $(DEV_STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $${MUTATE_JOBS:-2}
	$(BIN)/python benchmarks/mutation_report.py

bench: $(DEV_STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache mutants test-artifacts
