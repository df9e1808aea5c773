# Airflow and Papermill: the DAG files (airflow/dags/, plugins in airflow/plugins/) and the
# notebook runner (papermill/). Airflow itself runs on the hosts (roles airflow_master,
# airflow_worker, papermill); on the controller these targets check the files. tests/airflow
# and tests/papermill also run with the rest of pytest in `make test`.

BENCH_TARGETS += bench-airflow

.PHONY: test-airflow test-papermill bench-airflow

##@ Airflow and Papermill
test-airflow: _require_venv ## Static checks of the DAG files (tests/airflow)
	cd $(ROOT) && $(PY) -m pytest -q tests/airflow

test-papermill: _require_venv ## The notebook runner's tests on the controller, no containers (tests/papermill)
	cd $(ROOT) && $(PY) -m pytest -q tests/papermill

bench-airflow: wheelhouse ## Platform converge from scratch, idempotent re-run, DAG run time -> bench/results/
	cd $(ROOT) && bash bench/airflow_platform.sh
