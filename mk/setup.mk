# The controller: its Debian packages, the podman settings systemd containers need here, and
# the Python environment (.venv) every other target runs from. `make setup` (Makefile) runs
# these first, then each area's SETUP_TARGETS.

LOCK := requirements/dev.lock
# Extras of pyproject.toml that the controller's lock resolves.
LOCK_EXTRAS := dev platformctl video-archive web social assistant app
PYTHON ?= python3

.PHONY: setup-apt setup-podman venv lock clean _require_venv

##@ Setup: this machine as the controller
setup-apt: ## Install missing Debian packages from requirements/apt-packages.txt (root)
	@bash $(ROOT)/scripts/install-apt-packages.sh $(ROOT)/requirements/apt-packages.txt

setup-podman: ## Apply the podman settings this machine needs, for its Debian release (root)
	@bash $(ROOT)/scripts/setup-podman.sh

venv: $(VENV)/.lock-installed ## Create or update .venv from requirements/dev.lock

$(VENV)/.lock-installed: $(ROOT)/$(LOCK) $(ROOT)/pyproject.toml
	@bash $(ROOT)/scripts/install-venv.sh --project $(PYTHON) $(VENV) $(ROOT)/$(LOCK)
	@touch $@

# Every lock records the hashes of its files (--generate-hashes) and every install checks them
# (--require-hashes); --allow-unsafe pins pip and setuptools too, as hash checking needs.
PIP_COMPILE := pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links

lock: _require_venv ## Re-resolve requirements/dev.lock from pyproject.toml (needs PyPI)
	cd $(ROOT) && $(PIP_COMPILE) $(foreach e,$(LOCK_EXTRAS),--extra $(e)) -o $(LOCK) pyproject.toml

clean: ## Remove .cache (wheelhouse and logs included) and the linters' caches; not the venvs or images
	rm -rf $(ROOT)/.cache $(ROOT)/.pytest_cache $(ROOT)/.ruff_cache

# Prerequisite of every target that runs from .venv: one clear line instead of a traceback.
_require_venv:
	@test -x $(PY) || { echo "error: .venv is missing: run 'make setup' first"; exit 2; }
