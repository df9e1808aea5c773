# pytest over tests/ (pyproject.toml: testpaths, markers). Tests that need containers or
# servers are marked slow; `make test-fast` leaves them out. Each area's own subset has its
# target in that area's file (test-airflow, test-web, ...).

.PHONY: pytest pytest-fast

##@ pytest
# pytest exits 5 when it selects nothing; that is not a failure of the suite.
pytest: _require_venv ## All Python tests (including slow ones against real services)
	cd $(ROOT) && pytest || test $$? -eq 5

pytest-fast: _require_venv ## Python tests not marked slow
	cd $(ROOT) && pytest -m "not slow" || test $$? -eq 5
