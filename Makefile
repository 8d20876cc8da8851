# Everything a newcomer needs, from a machine with only Python 3.11+ and git:
#   make demo    build a sample slice in a temporary folder and check its specs
#   make test    create .venv from uv.lock and run the test suite
#   make check   format check, lint, types, tests (what a reviewer runs)
#   make bench   measure the checker and write docs/performance.md

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test check lint format types bench clean lock

# uv itself comes from PyPI into a private folder, so nothing needs installing by hand.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode --python $(PYTHON) --quiet
	@touch $@

# After editing dependencies in pyproject.toml: make lock, and commit uv.lock.
lock: | $(UV)
	$(UV) lock --python $(PYTHON)

demo: $(VENV)/.synced
	$(BIN)/python scripts/demo.py

test: $(VENV)/.synced
	$(BIN)/pytest -q

format: $(VENV)/.synced
	$(BIN)/ruff format .

lint: $(VENV)/.synced
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: $(VENV)/.synced
	$(BIN)/mypy

check: lint types test

bench: $(VENV)/.synced
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
