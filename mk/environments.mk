# An environment's hosts, whatever ENV= names: provision them (podman or Terraform), write the
# inventory from what was provisioned and run ansible/playbook.yml on it. platformctl does the
# work; these targets only pass ENV= and WITH= on.

BENCH_TARGETS += bench-foundation bench-emulated

.PHONY: up down plan apply destroy bench-foundation bench-emulated _check_env

# The environments platformctl knows (platformctl/environments.py). Checked here too, before
# `make up` spends minutes on setup for a name that cannot work.
ENVS := local emulated dev stage prod

_check_env:
	@case " $(ENVS) " in *" $(ENV) "*) ;; *) \
	  echo "platformctl: error: unknown ENV '$(ENV)': choose one of $(ENVS) (e.g. make up ENV=local)" >&2; \
	  exit 2;; esac

##@ Environments (ENV=local by default)
up: _check_env setup ## Set this machine up if needed, bring the platform up and print how to reach it
	@$(PLATFORMCTL) up --env $(ENV) --with "$(WITH)"

down: _require_venv ## Remove the environment's hosts (ENV=local: containers, network, inventory)
	@$(PLATFORMCTL) down --env $(ENV)

plan: _require_venv ## Show what apply would change, changing nothing
	@$(PLATFORMCTL) plan --env $(ENV) --with "$(WITH)"

apply: _require_venv ## Create or update the environment's hosts and configure them
	@$(PLATFORMCTL) apply --env $(ENV) --with "$(WITH)"

destroy: _require_venv ## Destroy the environment's hosts
	@$(PLATFORMCTL) destroy --env $(ENV)

bench-foundation: _require_venv ## Host image build, one molecule scenario, make up of six hosts -> bench/results/foundation.json
	cd $(ROOT) && $(PY) bench/foundation.py --out bench/results/foundation.json

bench-emulated: _require_venv wheelhouse ## Emulated AWS vs the local platform: apply, converge, re-converge, destroy -> bench/results/
	cd $(ROOT) && bash bench/emulated_platform.sh
