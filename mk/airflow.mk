# Airflow master/workers, Papermill runners and the multi-host platform scenario (issue 3).
#
#   make wheelhouse      wheels for the hosts' Python environment (requirements/hosts.lock) plus
#                        a wheel of the project itself; cached by the lock's hash
#   make hosts-lock      re-resolve requirements/hosts.lock from pyproject.toml (needs PyPI)
#   make image-python    the host image with that environment installed (cached by the lock)
#   make test-papermill  the runner CLI's tests on the controller (no containers)
#   make test-airflow    static checks of the DAG files (Airflow runs on the hosts)
#   make bench-airflow   platform converge from scratch, idempotent re-run, DAG run time

HOSTS_LOCK := $(ROOT)/requirements/hosts.lock
WHEELHOUSE_ROOT := $(ROOT)/.cache/wheelhouse
# Wheels of third-party packages change only with the lock: keyed by its hash.
WHEELHOUSE_ID = $(shell sha256sum $(HOSTS_LOCK) | cut -c1-16)
WHEELHOUSE_DIR = $(WHEELHOUSE_ROOT)/$(WHEELHOUSE_ID)
# The project's own wheel (integrations, samples) is rebuilt every time (seconds) with a fixed
# timestamp, so the same sources give the same bytes and hosts see no change.
WHEELHOUSE_PROJECT_DIR := $(WHEELHOUSE_ROOT)/project

# The Airflow roles' scenarios and the whole platform (seven hosts, DAG runs on both queues,
# the social sample end to end, the samples through the ingress) run in `make test`; their
# hosts start from the image with the Python environment installed (make image-python). The
# platform reaches its hosts over SSH with pipelining: about 8 min alone on 2 cores (it took
# ~30 min through `podman exec`). `make test-platform` runs just these.
ROLE_PYTHON_SCENARIOS := wheelhouse_venv airflow_master airflow_worker papermill
PLATFORM_SCENARIOS := platform $(ROLE_PYTHON_SCENARIOS)
MOLECULE_SCENARIOS += $(PLATFORM_SCENARIOS)
MOLECULE_SLOW += platform airflow_master airflow_worker
SETUP_TARGETS += wheelhouse image-python
# tests/papermill and tests/airflow run with the rest of pytest in `make test`.
BENCH_TARGETS += bench-airflow

.PHONY: test-platform wheelhouse image-python hosts-lock test-papermill test-airflow bench-airflow

# --allow-unsafe: setuptools is locked too (torch requires a newer one than Debian's venv seeds).
hosts-lock:
	cd $(ROOT) && pip-compile --quiet --allow-unsafe --extra=airflow --extra=video-archive --extra=web --extra=social --no-emit-find-links --no-emit-index-url \
	  --strip-extras --output-file=requirements/hosts.lock pyproject.toml requirements/hosts-tools.in

wheelhouse:
	@set -euo pipefail; dir="$(WHEELHOUSE_DIR)"; \
	if [[ -f "$$dir.tar" ]]; then \
	  echo "wheelhouse: $$dir.tar is up to date with requirements/hosts.lock"; \
	else \
	  echo "wheelhouse: building $$dir from requirements/hosts.lock"; \
	  rm -rf "$$dir.partial"; mkdir -p "$$dir.partial"; \
	  $(PY) -m pip wheel --quiet --no-deps --requirement $(HOSTS_LOCK) --wheel-dir "$$dir.partial"; \
	  cp $(HOSTS_LOCK) "$$dir.partial/hosts.lock"; \
	  rm -rf "$$dir"; mv "$$dir.partial" "$$dir"; \
	  ( cd "$$dir" && tar -cf "$$dir.tar.partial" --sort=name --mtime=@0 --owner=0 --group=0 \
	      --exclude=hosts.lock . && tar -rf "$$dir.tar.partial" --owner=0 --group=0 ./hosts.lock ); \
	  mv "$$dir.tar.partial" "$$dir.tar"; \
	  echo "wheelhouse: $$(ls "$$dir" | wc -l) files, $$(du -sh "$$dir.tar" | cut -f1) archive"; \
	fi; \
	ln -sfn "$$(basename "$$dir").tar" "$(WHEELHOUSE_ROOT)/hosts.tar"; \
	for old in "$(WHEELHOUSE_ROOT)"/*.tar; do \
	  case "$$old" in "$$dir.tar"|*/hosts.tar) ;; *) echo "wheelhouse: removing $$old (an earlier lock)"; \
	    rm -rf "$$old" "$${old%.tar}";; esac; \
	done; \
	mkdir -p "$(WHEELHOUSE_PROJECT_DIR)"; rm -f "$(WHEELHOUSE_PROJECT_DIR)"/*.whl; \
	SOURCE_DATE_EPOCH=315532800 $(PY) -m pip wheel --quiet --no-deps --no-build-isolation \
	  --wheel-dir "$(WHEELHOUSE_PROJECT_DIR)" $(ROOT) 2>&1 | grep -v -e '^$$' || true; \
	ls "$(WHEELHOUSE_PROJECT_DIR)"/*.whl >/dev/null; \
	echo "wheelhouse: project wheel $$(basename "$(WHEELHOUSE_PROJECT_DIR)"/*.whl)"

image-python: wheelhouse image ## The host image with the hosts' Python environment (rebuilt when the lock changes)
	@bash $(ROOT)/images/python-host/build.sh

test-papermill:
	cd $(ROOT) && $(PY) -m pytest -q tests/papermill

test-airflow:
	cd $(ROOT) && $(PY) -m pytest -q tests/airflow

bench-airflow: wheelhouse
	cd $(ROOT) && bash bench/airflow_platform.sh

test-platform: _require_venv wheelhouse ## The Airflow role scenarios and the multi-host platform scenario
	@$(MAKE) --no-print-directory molecule MOLECULE_SCENARIOS="$(PLATFORM_SCENARIOS)"
