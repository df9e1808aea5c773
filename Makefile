# The platform's one interface. `make help` lists every target, grouped by area.
#
# This file holds what every area shares (the shell, the paths, ENV=) and the targets that
# gather the areas' work: setup, test, test-fast, bench. Each area keeps its own targets in
# mk/<area>.mk and adds to SETUP_TARGETS (controller setup), SETUP_IMAGE_TARGETS (images built
# on the host image), TEST_TARGETS (checks that `make test` runs beyond lint, pytest and
# molecule) and BENCH_TARGETS (benchmarks). Those lists are read by the rules below, which
# therefore come after the includes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Which environment the targets act on (platformctl/environments.py): local, emulated, dev,
# stage or prod. WITH= names optional host groups (WITH=weaviate).
ENV ?= local
WITH ?=

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
PLATFORMCTL := $(PY) -m platformctl
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(ROOT)/ansible/ansible.cfg
# Roles get the DAGs, plugins, notebooks and the wheelhouse from this checkout
# (ansible/group_vars/all/repository.yml reads it; molecule's shared config sets the same).
export PLATFORM_REPOSITORY_DIR := $(ROOT)
# The build machines point TF_CLI_CONFIG_FILE at a file that does not exist; use ours.
export TF_CLI_CONFIG_FILE := $(ROOT)/terraform/terraformrc

SETUP_TARGETS :=
SETUP_IMAGE_TARGETS :=
TEST_TARGETS :=
BENCH_TARGETS :=

# The platform's own areas first, so `make help` reads from setup to tests; then the samples
# and any other area, alphabetically.
MK_CORE := setup images environments lint pytest molecule terraform airflow
include $(MK_CORE:%=$(ROOT)/mk/%.mk)
include $(filter-out $(MK_CORE:%=$(ROOT)/mk/%.mk),$(sort $(wildcard $(ROOT)/mk/*.mk)))

.PHONY: help setup setup-controller setup-tools setup-images test test-fast bench

##@ Everything at once
help: ## Show the targets by area
	@echo "Usage: make TARGET [ENV=local|emulated|dev|stage|prod] [WITH=weaviate]   (now ENV=$(ENV))"
	@awk -f $(ROOT)/scripts/make-help.awk $(MAKEFILE_LIST)

# Two steps of two jobs each. First the host image (debootstrap: disk and CPU) while the
# controller installs .venv (mostly downloads); then the images made from it (each building the
# hosts' wheelhouse it needs first) while the controller installs its other tools, one at a
# time as some of them call apt.
setup: setup-apt setup-podman ## Install everything this machine needs (root; Debian 12 or 13)
	@$(MAKE) --no-print-directory -j2 --output-sync=target image venv
	@$(MAKE) --no-print-directory -j2 --output-sync=target setup-images setup-tools

setup-controller: venv setup-tools ## The controller's tools only: .venv and each area's SETUP_TARGETS (no images)

setup-tools: venv ## Each area's SETUP_TARGETS, one at a time
	@for target in $(SETUP_TARGETS); do $(MAKE) --no-print-directory "$$target" || exit; done

setup-images: venv ## Each area's SETUP_IMAGE_TARGETS, one at a time (the host image is made first)
	@for target in $(SETUP_IMAGE_TARGETS); do $(MAKE) --no-print-directory "$$target" || exit; done

# pytest runs in PYTEST_WORKERS processes (mk/pytest.mk) and the areas' checks mostly wait
# (Terraform on its providers), so the two run side by side, each one's output printed whole
# when it ends; molecule needs both cores and runs alone after them.
test: lint ## Everything: linters, pytest and each area's checks side by side, every molecule scenario
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest $(TEST_TARGETS)
	@$(MAKE) --no-print-directory molecule
	@echo "make test: all checks passed"

test-fast: lint pytest-fast ## The edit loop: linters and fast pytest (no molecule, no slow tests)

bench: _require_venv $(BENCH_TARGETS) ## Every benchmark; results in bench/results/
