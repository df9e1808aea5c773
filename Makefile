# The platform's one interface. Every target takes ENV= (local by default).
#   make up / down            the whole platform on this machine (podman hosts)
#   make plan / apply / destroy ENV=...
#   make test / test-fast / bench
# Areas add their own targets in mk/*.mk and append to TEST_TARGETS / BENCH_TARGETS.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ENV ?= local
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(ROOT)/ansible/ansible.cfg
# The machine points TF_CLI_CONFIG_FILE at a file that does not exist; use ours.
export TF_CLI_CONFIG_FILE := $(ROOT)/terraform/terraformrc
PLATFORMCTL := $(PY) -m platformctl

TEST_TARGETS :=
BENCH_TARGETS :=

include $(sort $(wildcard $(ROOT)/mk/*.mk))

# The longest scenarios (MOLECULE_SLOW, from mk/*.mk) start first, so the parallel runner
# (MOLECULE_JOBS at a time) fills the other slot with the short ones.
MOLECULE_SCENARIOS := $(MOLECULE_SLOW) common $(filter-out $(MOLECULE_SLOW),$(MOLECULE_SCENARIOS))
PYTHON ?= python3
LOCK := requirements/dev.lock
WITH ?=

.PHONY: help setup setup-apt setup-podman venv image up down plan apply destroy \
        test test-fast lint pytest pytest-fast molecule bench clean

help: ## Show the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'
	@echo "  ENV=$(ENV) (local | emulated | dev | stage | prod)"

# --- setup -------------------------------------------------------------------------------

setup: setup-apt setup-podman venv $(SETUP_TARGETS) image ## Install everything this machine needs (root)

setup-apt: ## Install missing Debian packages from requirements/apt-packages.txt
	@bash scripts/install-apt-packages.sh requirements/apt-packages.txt

setup-podman: ## Apply the podman settings this machine needs (only those)
	@bash scripts/setup-podman.sh

venv: $(VENV)/.lock-installed ## Create .venv from the lock file

$(VENV)/.lock-installed: $(LOCK) pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; run make setup-apt"; exit 2; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "[venv] installing $(LOCK) into $(VENV)"
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(LOCK)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

image: ## Build the Debian 12 systemd host image (skipped when its recipe is unchanged)
	@bash images/host/build.sh

# --- environments ------------------------------------------------------------------------

_require_venv:
	@test -x $(PY) || { echo "error: .venv is missing: run 'make setup' first"; exit 2; }

up: setup ## Set up this machine if needed, bring the platform up (ENV=local) and print how to reach it
	@$(PLATFORMCTL) up --env $(ENV) --with "$(WITH)"

down: _require_venv ## Remove the environment's hosts (ENV=local: containers, network, inventory)
	@$(PLATFORMCTL) down --env $(ENV)

plan: _require_venv ## Show what apply would change, changing nothing
	@$(PLATFORMCTL) plan --env $(ENV) --with "$(WITH)"

apply: _require_venv ## Create/update the environment's hosts and configure them
	@$(PLATFORMCTL) apply --env $(ENV) --with "$(WITH)"

destroy: _require_venv ## Destroy the environment's hosts
	@$(PLATFORMCTL) destroy --env $(ENV)

# --- tests -------------------------------------------------------------------------------

test: lint pytest molecule $(TEST_TARGETS) ## Everything: linters, pytest, every molecule scenario, area checks
	@echo "make test: all checks passed"

test-fast: lint pytest-fast ## The edit loop: linters and fast pytest (no molecule, no slow tests)

lint: _require_venv ## ruff, yamllint, ansible-lint (production), playbook syntax
	ruff check .
	ruff format --check .
	yamllint --strict .
	cd ansible && ansible-lint --offline --profile production . ../molecule
	cd ansible && ansible-playbook -i localhost, --syntax-check playbook.yml provision_local.yml

# pytest exits 5 when it selects nothing; that is not a failure of the suite.
pytest: _require_venv ## All Python tests (including slow ones against real services)
	pytest || test $$? -eq 5

pytest-fast: _require_venv
	pytest -m "not slow" || test $$? -eq 5

molecule: _require_venv ## Every role's molecule scenario and the platform: create, converge, idempotence, verify, destroy
	@bash scripts/run-molecule.sh $(MOLECULE_SCENARIOS)

molecule-%: _require_venv ## One scenario, e.g. make molecule-common
	molecule test -s $*

bench: _require_venv bench-foundation $(BENCH_TARGETS) ## Benchmarks; results in bench/results/

bench-foundation:
	$(PY) bench/foundation.py --out bench/results/foundation.json

clean: ## Remove caches (not the venvs, not the image)
	rm -rf .cache .pytest_cache .ruff_cache

LOCK_EXTRAS := dev video-archive web social
lock: _require_venv ## Re-resolve requirements/dev.lock from pyproject.toml (needs PyPI)
	pip-compile --quiet $(foreach e,$(LOCK_EXTRAS),--extra $(e)) --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml
