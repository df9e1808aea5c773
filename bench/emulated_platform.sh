#!/usr/bin/env bash
# Benchmark of emulated AWS (molecule scenario `emulated`), all in one run: Terraform apply
# against moto with the stand-in hosts (create), the playbook from scratch (converge), the
# idempotent re-run, and destroy to nothing. Run beside `make bench-airflow` (the local
# platform's converge and re-run) in the same `make bench`, so the two compare.
# Results: bench/results/emulated-platform-<UTC timestamp>.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p bench/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/results/emulated-platform-$stamp.json"

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }
step() { echo "[bench-emulated] $*"; }
timed() {  # timed NAME molecule-step
  local t0 t1
  t0=$(now)
  molecule "$2" -s emulated > "bench/results/emulated-$1.log.tmp" 2>&1 || status[$1]=failed
  t1=$(now)
  seconds[$1]=$(elapsed "$t0" "$t1")
  step "$1: ${seconds[$1]} s ${status[$1]:-}"
}
declare -A seconds=() status=()

molecule destroy -s emulated >/dev/null
timed apply create
timed converge converge
timed reconverge idempotence
timed destroy destroy

python3 - "$out" "${seconds[apply]}" "${seconds[converge]}" "${seconds[reconverge]}" \
  "${seconds[destroy]}" "${status[reconverge]:-ok}" <<'PY'
import json, os, sys
out, apply, converge, reconverge, destroy, idempotent = sys.argv[1:]
result = {
    "benchmark": "emulated-platform",
    "cores": os.cpu_count(),
    "load_average_at_end": round(os.getloadavg()[0], 1),
    "hosts": 4,
    "apply_s": float(apply),
    "converge_s": float(converge),
    "reconverge_s": float(reconverge),
    "reconverge_changed_nothing": idempotent == "ok",
    "destroy_s": float(destroy),
    "note": "apply = Terraform against moto + the stand-in hosts + inventory + secrets; "
    "compare with bench/results/airflow-platform-*.json of the same make bench run",
}
open(out, "w").write(json.dumps(result, indent=2) + "\n")
print(json.dumps(result, indent=2))
PY
