# What the hosts are made from: the Debian 12 systemd image every local host and molecule
# instance runs, the wheelhouse the hosts install their Python environment from (no index on
# the hosts), and the image with that environment already installed (the local stand-in for a
# baked machine image), and emulated AWS's moto host. Each is rebuilt only when its recipe or
# the hosts' lock changes.

HOSTS_LOCK := $(ROOT)/requirements/hosts.lock
# Extras of pyproject.toml in the hosts' lock: Airflow and the samples' runtimes (notebooks on
# the workers import the samples, and the sample services run from the same environment).
HOSTS_LOCK_EXTRAS := airflow video-archive web social assistant app

# The wheelhouse is made by image-python, its first user.
SETUP_IMAGE_TARGETS += image-python image-moto

.PHONY: image wheelhouse image-python image-moto hosts-lock moto-lock

##@ Images and the hosts' wheelhouse
image: ## The Debian 12 systemd host image (skipped when its recipe is unchanged)
	@bash $(ROOT)/images/host/build.sh

wheelhouse: _require_venv ## Wheels of requirements/hosts.lock and of the project, in .cache/wheelhouse/
	@bash $(ROOT)/scripts/build-wheelhouse.sh $(HOSTS_LOCK) $(ROOT)/.cache/wheelhouse

image-python: wheelhouse image ## The host image with the hosts' Python environment (rebuilt when the lock changes)
	@bash $(ROOT)/images/python-host/build.sh

image-moto: image-python ## Emulated AWS's moto host: the Python host image plus moto's server
	@bash $(ROOT)/images/moto/build.sh

hosts-lock: _require_venv ## Re-resolve requirements/hosts.lock from pyproject.toml (needs PyPI)
	cd $(ROOT) && $(PIP_COMPILE) $(HOSTS_LOCK_EXTRAS:%=--extra=%) \
	  --output-file=requirements/hosts.lock pyproject.toml requirements/hosts-tools.in

# moto's closure at the versions of the controller's lock, for emulated AWS's moto host.
moto-lock: _require_venv ## Re-resolve requirements/moto.lock from requirements/moto.in (needs PyPI)
	cd $(ROOT) && $(PIP_COMPILE) --output-file=requirements/moto.lock requirements/moto.in
