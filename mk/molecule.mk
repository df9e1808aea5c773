# Molecule scenarios: one per role (molecule/<role>/) and the whole platform
# (molecule/platform/, every host group of the local topology together). Every directory of
# molecule/ with a molecule.yml is a scenario `make molecule` runs, so `make test` runs a new
# role's scenario without a line here (tests/make checks that it does). All scenarios share
# .config/molecule/config.yml.

MOLECULE_ALL := $(sort $(patsubst $(ROOT)/molecule/%/molecule.yml,%,$(wildcard $(ROOT)/molecule/*/molecule.yml)))
# The slowest scenarios, slowest first: platform (eight hosts) and emulated AWS (four hosts and
# moto), ~22 min each side by side on 2 cores, then the Airflow roles (3-5 min each). scripts/run-molecule.sh runs MOLECULE_JOBS at a time in
# list order, so starting these first lets the short ones fill the other slot meanwhile
# instead of one long scenario running alone at the end.
MOLECULE_SLOW := platform emulated airflow_master airflow_worker
MOLECULE_SCENARIOS := $(foreach s,$(MOLECULE_SLOW),$(filter $(s),$(MOLECULE_ALL))) \
  $(filter-out $(MOLECULE_SLOW),$(MOLECULE_ALL))
# The platform and the scenarios of the roles that install the hosts' Python environment.
PLATFORM_SCENARIOS := platform wheelhouse_venv airflow_master airflow_worker papermill

.PHONY: molecule print-scenarios test-platform

##@ Molecule scenarios
# The hosts install the project from .cache/wheelhouse/project: rebuilt first (seconds), so a
# scenario deploys the code of this checkout and not the code of the last `make setup`.
molecule: _require_venv wheelhouse ## Every scenario (create, converge, idempotence, verify, destroy), MOLECULE_JOBS at a time
	@cd $(ROOT) && bash scripts/run-molecule.sh $(MOLECULE_SCENARIOS)

molecule-%: _require_venv wheelhouse ## One scenario, e.g. make molecule-common
	cd $(ROOT) && molecule test -s $*

print-scenarios: ## Print the scenarios make molecule runs, in the order it starts them
	@echo $(MOLECULE_SCENARIOS)

test-platform: _require_venv wheelhouse ## The platform scenario and the Python environment, Airflow and Papermill role scenarios
	@$(MAKE) --no-print-directory molecule MOLECULE_SCENARIOS="$(PLATFORM_SCENARIOS)"
