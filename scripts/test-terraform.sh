#!/usr/bin/env bash
# Runs every Terraform check (make test-terraform): the emulated AWS cycle (make tf-emulated)
# in the background, since it mostly waits on provider polling, while the offline checks
# (make tf-static) use the CPU. The cycle's log is printed when it ends; either failing fails
# the whole.
#
#   scripts/test-terraform.sh LOG_DIR
set -uo pipefail
log_dir="${1:?usage: test-terraform.sh LOG_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make_cmd=("${MAKE:-make}" --no-print-directory -C "$root")

mkdir -p "$log_dir"
start=$(date +%s)
"${make_cmd[@]}" tf-emulated > "$log_dir/emulated.log" 2>&1 &
emulated_pid=$!
static=0
"${make_cmd[@]}" tf-static || static=$?
emulated=0
wait "$emulated_pid" || emulated=$?
echo "== emulated AWS cycle (log: ${log_dir#"$root"/}/emulated.log)"
cat "$log_dir/emulated.log"
echo "== test-terraform: $(( $(date +%s) - start )) s wall"
[[ $static -eq 0 && $emulated -eq 0 ]]
