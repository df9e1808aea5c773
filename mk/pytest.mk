# pytest over tests/ (pyproject.toml: testpaths, markers). Tests that need containers or
# servers are marked slow; `make test-fast` leaves them out. Each area's own subset has its
# target in that area's file (test-airflow, test-web, ...).
#
# The two targets spread the tests over PYTEST_WORKERS processes (pytest-xdist), each with
# its own PostgreSQL cluster, databases and tmp_path; PYTEST_WORKERS=0 runs them in one
# process. --dist loadscope hands out whole modules: a module's tests run in one worker, in
# file order, and its module-scoped fixtures are built once (measured on 2 cores: no slower
# than test by test, --dist load, and less CPU). pytest-xdist's loadgroup (xdist_group marks)
# does not group on pytest 9.2: its tests are spread like --dist load's.
# pytest run by hand stays one process: `pytest tests/web` pays for no worker start-up.
PYTEST_WORKERS ?= 2
PYTEST_XDIST = -n $(PYTEST_WORKERS) --dist loadscope

.PHONY: pytest pytest-fast

##@ pytest
# pytest exits 5 when it selects nothing; that is not a failure of the suite.
pytest: _require_venv ## All Python tests (including slow ones against real services), PYTEST_WORKERS at a time
	cd $(ROOT) && pytest $(PYTEST_XDIST) || test $$? -eq 5

pytest-fast: _require_venv ## Python tests not marked slow, PYTEST_WORKERS at a time
	cd $(ROOT) && pytest $(PYTEST_XDIST) -m "not slow" || test $$? -eq 5
