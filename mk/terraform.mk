# Terraform: modules, the two roots (aws, emulated), per-environment inputs, checkov,
# the emulated AWS cycle, state bootstrap.
#   make test-terraform     fmt, validate, terraform test (modules and every environment's
#                           tfvars), checkov, emulated cycle (moto)
#   make bootstrap ENV=...  the S3 state bucket (boto3, idempotent) + backend.hcl
#   make bench-terraform    wall time of emulated apply / no-op plan vs an empty plan
#   make setup-checkov      .venv-checkov from requirements/checkov.lock

TF_DIR := $(ROOT)/terraform
# Root configurations; environments are data for them (terraform/environments/<env>/<env>.tfvars).
TF_ROOTS := $(sort $(wildcard $(TF_DIR)/roots/*/))
TF_AWS_ROOT := $(TF_DIR)/roots/aws
TF_TFVARS := $(sort $(wildcard $(TF_DIR)/environments/*/*.tfvars))
TF_MODULES := $(sort $(wildcard $(TF_DIR)/modules/*/))
TF_PLUGIN_DIR ?= $(if $(wildcard /opt/tf-plugins),/opt/tf-plugins,)
TF_INIT := terraform init -input=false -backend=false $(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR),)
CHECKOV_VENV := $(ROOT)/.venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

TEST_TARGETS += test-terraform
BENCH_TARGETS += bench-terraform
SETUP_TARGETS += setup-checkov

TF_TEST_LOG_DIR := $(ROOT)/.cache/terraform-test

.PHONY: test-terraform tf-static tf-fmt tf-validate tf-test tf-test-envs tf-checkov tf-emulated bootstrap bench-terraform setup-checkov

# The emulated cycle mostly waits on provider polling, so it runs in the background while
# the static checks use the CPU; its log is printed when it ends. Either failing fails the target.
test-terraform: $(CHECKOV)
	@mkdir -p $(TF_TEST_LOG_DIR)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory tf-emulated > $(TF_TEST_LOG_DIR)/emulated.log 2>&1 & pid=$$!; \
	static=0; $(MAKE) --no-print-directory tf-static || static=$$?; \
	emulated=0; wait $$pid || emulated=$$?; \
	echo "== emulated AWS cycle (log: .cache/terraform-test/emulated.log)"; \
	cat $(TF_TEST_LOG_DIR)/emulated.log; \
	echo "== test-terraform: $$(( $$(date +%s) - start )) s wall"; \
	test $$static -eq 0 && test $$emulated -eq 0

tf-static: tf-fmt tf-validate tf-test tf-test-envs tf-checkov

tf-fmt:
	terraform fmt -check -recursive -diff $(TF_DIR)

# Validation needs no backend: each root's own .terraform here is backend-less, and
# platformctl never uses it (it runs with TF_DATA_DIR=terraform/environments/<env>/.terraform).
tf-validate:
	@for d in $(TF_ROOTS); do \
	  echo "== validate $${d#$(ROOT)/}"; \
	  (cd $$d && $(TF_INIT) -no-color >/dev/null && terraform validate -no-color) || exit 1; \
	done

tf-test:
	@for d in $(TF_MODULES); do \
	  echo "== terraform test $${d#$(ROOT)/}"; \
	  (cd $$d && $(TF_INIT) -no-color >/dev/null && terraform test -no-color) || exit 1; \
	done

# Every environment's inputs, proven offline: the AWS root planned with each tfvars
# (emulated's too) against the mock provider, after its policy tests.
tf-test-envs:
	@cd $(TF_AWS_ROOT) && $(TF_INIT) -no-color >/dev/null && \
	echo "== terraform test $${PWD#$(ROOT)/} (policy)" && \
	terraform test -no-color -filter=tests/policy.tftest.hcl && \
	for f in $(TF_TFVARS); do \
	  echo "== terraform test $${PWD#$(ROOT)/} -var-file=$${f#$(ROOT)/}"; \
	  terraform test -no-color -filter=tests/environment.tftest.hcl -var-file=$$f || exit 1; \
	done

$(CHECKOV): $(ROOT)/requirements/checkov.lock
	python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet -r $(ROOT)/requirements/checkov.lock
	touch $@

setup-checkov: $(CHECKOV)

tf-checkov: $(CHECKOV)
	$(CHECKOV) -d $(TF_DIR) --framework terraform --skip-download --quiet --compact

# The emulated AWS cycle (apply, clean re-plan, inventories, bootstrap twice, destroy)
# runs here and only here; the repository-wide pytest run skips it.
tf-emulated:
	PLATFORM_TF_EMULATED=1 $(PY) -m pytest -q -p no:cacheprovider --durations=0 $(ROOT)/tests/terraform

bootstrap:
	$(PY) -m platformctl.terraform bootstrap $(ENV)

bench-terraform:
	$(PY) $(ROOT)/bench/terraform_bench.py
