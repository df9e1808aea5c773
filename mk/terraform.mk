# Terraform: the modules (terraform/modules/), the two roots (aws, emulated), each
# environment's inputs (terraform/environments/<env>/), checkov, the emulated AWS cycle and
# the remote state's bootstrap. Everything runs offline: providers come from a local plugin
# directory when one is given, checkov from its own environment (its pins conflict with .venv).

TF_DIR := $(ROOT)/terraform
TF_PLUGIN_DIR ?= $(if $(wildcard /opt/tf-plugins),/opt/tf-plugins,)
TF_CHECK := TF_PLUGIN_DIR=$(TF_PLUGIN_DIR) bash $(ROOT)/scripts/terraform-check.sh
CHECKOV_VENV := $(ROOT)/.venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

SETUP_TARGETS += setup-checkov
TEST_TARGETS += test-terraform
BENCH_TARGETS += bench-terraform

.PHONY: test-terraform tf-static tf-fmt tf-validate tf-test tf-test-envs tf-checkov tf-emulated \
        bootstrap bench-terraform setup-checkov checkov-lock

##@ Terraform
test-terraform: $(CHECKOV) ## Every Terraform check: tf-static, and the emulated AWS cycle beside it
	@bash $(ROOT)/scripts/test-terraform.sh $(ROOT)/.cache/terraform-test

tf-static: tf-fmt tf-validate tf-test tf-test-envs tf-checkov ## The offline Terraform checks (no moto)

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

# The emulated cycle runs here and only here; the repository-wide pytest run skips it.
tf-emulated: _require_venv ## Emulated AWS: apply against moto, clean re-plan, inventories, bootstrap twice, destroy
	PLATFORM_TF_EMULATED=1 $(PY) -m pytest -q -p no:cacheprovider --durations=0 $(ROOT)/tests/terraform

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
