# Terraform: the modules (terraform/modules/), the two roots (aws, emulated), each
# environment's inputs (terraform/environments/<env>/), checkov and the remote state's
# bootstrap. Everything here runs offline: providers come from a local plugin directory when
# one is given, checkov from its own environment (its pins conflict with .venv).

TF_DIR := $(ROOT)/terraform
TF_PLUGIN_DIR ?= $(if $(wildcard /opt/tf-plugins),/opt/tf-plugins,)
TF_CHECK := TF_PLUGIN_DIR=$(TF_PLUGIN_DIR) bash $(ROOT)/scripts/terraform-check.sh
CHECKOV_VENV := $(ROOT)/.venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

SETUP_TARGETS += setup-checkov
TEST_TARGETS += test-terraform
BENCH_TARGETS += bench-terraform

.PHONY: test-terraform tf-fmt tf-validate tf-test tf-test-envs tf-checkov \
        bootstrap bench-terraform setup-checkov checkov-lock

##@ Terraform
# The apply, re-plan, inventories, bootstrap and destroy against moto run in the `emulated`
# molecule scenario, on the platform they make (molecule/emulated/tests/test_terraform.py).
# One after another: validate and the tests initialise the same working directories.
TF_CHECKS := tf-fmt tf-validate tf-test tf-test-envs tf-checkov
test-terraform: $(CHECKOV) ## Every offline Terraform check, one after another (no moto)
	@for target in $(TF_CHECKS); do $(MAKE) --no-print-directory "$$target" || exit; done

tf-fmt: ## terraform fmt -check over terraform/
	terraform fmt -check -recursive -diff $(TF_DIR)

tf-validate: ## terraform validate in every root
	@$(TF_CHECK) validate

tf-test: ## terraform test in every module (mock provider)
	@$(TF_CHECK) test

tf-test-envs: ## The AWS root's policy tests and a plan with every environment's tfvars (mock provider)
	@$(TF_CHECK) test-envs

tf-checkov: $(CHECKOV) ## checkov over terraform/ (offline)
	$(CHECKOV) -d $(TF_DIR) --framework terraform --skip-download --quiet --compact

bootstrap: _require_venv ## The S3 state bucket and lock of ENV (boto3, idempotent) and its backend.hcl
	$(PY) -m platformctl.terraform bootstrap $(ENV)

bench-terraform: _require_venv ## Wall time of emulated apply and no-op plan against an empty plan -> bench/results/
	$(PY) $(ROOT)/bench/terraform_bench.py

setup-checkov: $(CHECKOV) ## .venv-checkov from requirements/checkov.lock

checkov-lock: _require_venv ## Re-resolve requirements/checkov.lock from requirements/checkov.in (needs PyPI)
	cd $(ROOT) && $(PIP_COMPILE) --output-file=requirements/checkov.lock requirements/checkov.in

$(CHECKOV): $(ROOT)/requirements/checkov.lock
	@bash $(ROOT)/scripts/install-venv.sh $(PYTHON) $(CHECKOV_VENV) $(ROOT)/requirements/checkov.lock
	touch $@
