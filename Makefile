# flext developer tasks. `make help` lists them.
#
# Every target runs inside the project's own virtual environment ($(VENV)), created on
# first use from a real interpreter (never a version-manager shim, see build/find-python)
# and refreshed when pyproject.toml or requirements/*.txt change.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV        ?= .venv
VPY         := $(VENV)/bin/python
REQS        := $(sort $(wildcard requirements/*.txt))
STAMP       := $(VENV)/.flext-installed
DIST        ?= dist/flext
# Reproducible builds: every timestamp in the zipapp is this one (the last commit's time).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
export SOURCE_DATE_EPOCH
PYTEST_ARGS ?=
# Most tests wait on real processes (taps, servers, Airflow, shells), not on the CPU: four
# workers keep two cores busy. worksteal balances the long tests (dbt, meltano, Airflow).
TEST_WORKERS ?= 4

.PHONY: help venv test check lint typecheck build bench completions demo clean distclean shell-picture

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# --- environment ------------------------------------------------------------------------

$(VPY):
	@base="$$(build/find-python)"; \
	echo "creating $(VENV) with $$base"; \
	rm -rf "$(VENV)"; \
	"$$base" -m venv "$(VENV)"

$(STAMP): $(VPY) pyproject.toml $(REQS)
	@# A venv whose interpreter vanished (pyenv uninstall, OS upgrade) is rebuilt from scratch.
	@$(VPY) -c pass 2>/dev/null || { rm -rf "$(VENV)"; "$$(build/find-python)" -m venv "$(VENV)"; }
	$(VPY) -m pip install --quiet --disable-pip-version-check -e '.[test,build,dev]' $(addprefix -r ,$(REQS))
	@touch $@

venv: $(STAMP) ## create or refresh the virtual environment

# --- quality gates ----------------------------------------------------------------------

test: $(STAMP) ## run the test suite with line coverage of flext/ (subprocesses included; at least 90%)
	$(VPY) -m pytest -n $(TEST_WORKERS) --dist worksteal --cov=flext --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

check: lint typecheck ## ruff and mypy --strict

lint: $(STAMP)
	$(VPY) -m ruff check flext tests build bench

typecheck: $(STAMP)
	$(VPY) -m mypy --strict flext

# --- the single file --------------------------------------------------------------------

build: $(STAMP) ## write dist/flext, the single-file zipapp
	$(VPY) build/zipapp.py --output $(DIST)

bench: build ## run every benchmark under bench/
	@for script in bench/[!_]*.py; do echo "== $$script"; $(VPY) "$$script"; done

shell-picture: $(STAMP) ## redraw docs/shell.svg from the shell in a real terminal (needs tmux)
	$(VPY) docs/shell_picture.py --out docs/shell.svg

completions: $(STAMP) ## regenerate completions/* from the command tree
	@mkdir -p completions
	$(VPY) -m flext completion bash > completions/flext.bash.tmp && mv completions/flext.bash.tmp completions/flext.bash
	$(VPY) -m flext completion zsh > completions/_flext.tmp && mv completions/_flext.tmp completions/_flext
	$(VPY) -m flext completion fish > completions/flext.fish.tmp && mv completions/flext.fish.tmp completions/flext.fish

# --- demo: OWNED BY THE ENGINE HELPER ---------------------------------------------------
# `make demo` runs scripts/demo.sh, the end-to-end walk-through (real tap -> target, runs,
# logs). The engine work writes that script; until then this target says so and fails.
demo: $(STAMP) ## run the end-to-end demo (scripts/demo.sh)
	@if [ ! -x scripts/demo.sh ] && [ ! -f scripts/demo.sh ]; then \
	  echo "make demo: scripts/demo.sh does not exist yet (it comes with the embedded engine)" >&2; exit 1; \
	fi
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

# --- housekeeping -----------------------------------------------------------------------

clean: ## remove build output and caches (keeps the venv)
	rm -rf dist build/out .pytest_cache .mypy_cache .ruff_cache htmlcov .coverage .coverage.* *.egg-info
	find flext tests bench build -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)
