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
