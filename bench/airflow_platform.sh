#!/usr/bin/env bash
# Benchmark of the multi-host platform (molecule scenario `platform`), all in one run:
#   converge from scratch (warm wheelhouse), idempotent re-run, notebook_smoke DAG run time,
#   and as baseline the common role alone on freshly created containers of the same topology.
# Results: bench/results/airflow-platform-<UTC timestamp>.json (targets: converge <= 600 s,
# re-run <= 120 s on 2 cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/airflow-platform-$stamp.json"
timings="$(mktemp)"
trap 'rm -f "$timings"' EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }
step() { echo "[bench-airflow] $*"; }

step "fresh containers"
molecule destroy -s platform >/dev/null
molecule create -s platform >/dev/null

# The slowest tasks of each run are listed at the end of its log (bench/results/*.log.tmp).
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=25

step "platform converge from scratch"
t0=$(now); molecule converge -s platform > bench/results/airflow-converge.log.tmp 2>&1; t1=$(now)
converge=$(elapsed "$t0" "$t1")

step "idempotent re-run"
# A re-run that changes something is a result too: recorded, not a reason to stop measuring.
idempotent=true
t0=$(now)
molecule idempotence -s platform > bench/results/airflow-idempotence.log.tmp 2>&1 || idempotent=false
t1=$(now)
idempotence=$(elapsed "$t0" "$t1")

step "verify (notebook_smoke DAG run)"
t0=$(now); PLATFORM_TIMINGS_FILE="$timings" molecule verify -s platform > bench/results/airflow-verify.log.tmp 2>&1; t1=$(now)
verify=$(elapsed "$t0" "$t1")
dag_run=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dag_run_seconds'])" "$timings")

step "baseline: common role only on fresh containers"
molecule destroy -s platform >/dev/null
molecule create -s platform >/dev/null
t0=$(now)
ANSIBLE_CONFIG="$PWD/ansible/ansible.cfg" ansible-playbook -i molecule/platform/inventory/hosts.yml \
  bench/airflow_common_only.yml > bench/results/airflow-baseline.log.tmp 2>&1
t1=$(now)
baseline=$(elapsed "$t0" "$t1")
molecule destroy -s platform >/dev/null

python3 - "$out" "$idempotent" "$converge" "$idempotence" "$verify" "$dag_run" "$baseline" <<'PY'
import json, os, sys
out, idempotent = sys.argv[1], sys.argv[2] == "true"
converge, idem, verify, dag, base = map(float, sys.argv[3:])
result = {
    "benchmark": "airflow-platform",
    "cores": os.cpu_count(),
    "rerun_changed_nothing": idempotent,
    "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    "seconds": {"converge_from_scratch": converge, "idempotent_rerun": idem,
                "verify_total": verify, "dag_run": dag, "baseline_common_only_converge": base},
    "ratios_to_baseline": {"converge_from_scratch": round(converge / base, 2),
                           "idempotent_rerun": round(idem / base, 2)},
    "targets": {"converge_from_scratch": 600, "idempotent_rerun": 120},
    "within_targets": {"converge_from_scratch": converge <= 600, "idempotent_rerun": idem <= 120},
}
with open(out, "w") as fh:
    json.dump(result, fh, indent=2)
    fh.write("\n")
print(json.dumps(result, indent=2))
PY
step "results in $out"
