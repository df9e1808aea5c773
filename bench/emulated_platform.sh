#!/usr/bin/env bash
# Benchmark of emulated AWS (molecule scenario `emulated`), all in one run: Terraform apply
# against moto with the stand-in hosts (create), the playbook from scratch (converge), the
# idempotent re-run, and destroy to nothing; then, as the baseline of the same run, the same
# four steps of the local platform (molecule scenario `platform`, podman hosts, no Terraform).
# The ratios say what emulating AWS costs over the local path.
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
measured="$(mktemp)"
trap 'rm -f "$measured"' EXIT

timed() {  # timed SCENARIO STEP MOLECULE-ACTION: one line "scenario step seconds ok|failed"
  local t0 t1 result=ok
  t0=$(now)
  molecule "$3" -s "$1" > "bench/results/emulated-bench-$1-$2.log.tmp" 2>&1 || result=failed
  t1=$(now)
  local line="$1 $2 $(elapsed "$t0" "$t1") $result"
  echo "$line" >> "$measured"
  step "$line"
}

for scenario in emulated platform; do
  molecule destroy -s "$scenario" >/dev/null
  timed "$scenario" apply create
  timed "$scenario" converge converge
  timed "$scenario" reconverge idempotence
  timed "$scenario" destroy destroy
done

python3 - "$measured" "$out" <<'PY'
import json, os, sys
measured, out = sys.argv[1:]
seconds, outcome = {}, {}
for line in open(measured):
    scenario, step, value, result = line.split()
    seconds.setdefault(scenario, {})[step] = float(value)
    outcome[f"{scenario} {step}"] = result
emulated, local = seconds["emulated"], seconds["platform"]
result = {
    "benchmark": "emulated-platform",
    "cores": os.cpu_count(),
    "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    "emulated_seconds": emulated,
    "local_platform_seconds": local,
    "ratios_to_local_platform": {s: round(emulated[s] / local[s], 2) for s in emulated},
    # idempotence fails when the second converge changed something
    "failed_steps": sorted(k for k, v in outcome.items() if v != "ok"),
    "note": "emulated apply = Terraform against moto, the stand-in hosts, the inventory and the "
    "secrets; local apply = the podman hosts of the local topology. Emulated AWS has no Weaviate "
    "host and one worker per kind.",
}
with open(out, "w") as fh:
    fh.write(json.dumps(result, indent=2) + "\n")
print(json.dumps(result, indent=2))
PY
step "results in $out"
