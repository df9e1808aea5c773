#!/usr/bin/env bash
# Runs molecule scenarios (create, converge, idempotence, verify, destroy), up to
# MOLECULE_JOBS at a time. Scenarios are independent (own containers, own networks), and
# most of their time is spent waiting on services and container round trips, so two at a
# time finish much sooner than one after another even on 2 cores.
#
# Each scenario writes its own log under .cache/molecule-logs/; a scenario's result is
# printed when it ends (the tail of its log when it failed), and the lines that say why
# each failed scenario failed are printed again at the end. A failing scenario does not
# stop the others; the exit code is non-zero when any failed.
#
#   scripts/run-molecule.sh SCENARIO...     (list the longest first)
set -uo pipefail

jobs_max="${MOLECULE_JOBS:-2}"
log_dir="${MOLECULE_LOG_DIR:-.cache/molecule-logs}"
mkdir -p "$log_dir"
[[ $# -gt 0 ]] || { echo "usage: $0 SCENARIO..." >&2; exit 2; }

declare -A name_of=() start_of=()
running=0
failed=()
suite_start=$(date +%s)
# Total and idle (idle + iowait) CPU ticks: the share left idle says whether more scenarios
# at a time could finish sooner or only contend for the same cores.
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat; }
read -r cpu_total_start cpu_idle_start < <(cpu_ticks)

finish_one() {
  local pid rc
  wait -n -p pid; rc=$?
  local s="${name_of[$pid]}" took=$(( $(date +%s) - ${start_of[$pid]} ))
  if [[ $rc -eq 0 ]]; then
    echo "=== molecule $s passed in ${took}s"
  else
    echo "=== molecule $s FAILED (rc $rc) after ${took}s; last lines of $log_dir/$s.log:"
    tail -n 80 "$log_dir/$s.log" | sed 's/^/    /'
    failed+=("$s")
  fi
  unset "name_of[$pid]"
  running=$(( running - 1 ))
}

for s in "$@"; do
  while [[ $running -ge $jobs_max ]]; do finish_one; done
  echo "=== molecule test -s $s (log: $log_dir/$s.log)"
  molecule test -s "$s" > "$log_dir/$s.log" 2>&1 &
  name_of[$!]="$s"; start_of[$!]=$(date +%s); running=$(( running + 1 ))
done
while [[ $running -gt 0 ]]; do finish_one; done

# CI shows only the end of the output: repeat why each failed scenario failed, last.
for s in "${failed[@]}"; do
  echo "=== why $s failed (from $log_dir/$s.log):"
  python3 "$(dirname "$0")/molecule_why.py" "$log_dir/$s.log" | tail -n 60 | sed 's/^/    /'
done
read -r cpu_total_end cpu_idle_end < <(cpu_ticks)
cpu_idle=$(( 100 * (cpu_idle_end - cpu_idle_start) / (cpu_total_end - cpu_total_start + 1) ))
echo "=== molecule: $# scenario(s) in $(( $(date +%s) - suite_start ))s, ${#failed[@]} failed ${failed[*]}"
echo "=== molecule: CPU ${cpu_idle} % idle over the run ($(nproc) cores, ${jobs_max} scenarios at a time)"
[[ ${#failed[@]} -eq 0 ]]
