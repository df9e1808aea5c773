#!/usr/bin/env bash
# Checks the alert rules of a rules directory with promtool, as `make lint` does: every
# *.yml must load (`promtool check rules`) and every unit test in tests/*.yml must pass
# (`promtool test rules`). Exits non-zero on a rule file with a syntax error or a failing test.
#
#   scripts/check-alert-rules.sh [RULES_DIR]   (default: the role monitoring's files/rules)
#   PROMTOOL=/path/to/promtool scripts/check-alert-rules.sh ...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rules_dir="${1:-$root/ansible/roles/monitoring/files/rules}"
promtool="${PROMTOOL:-$root/.cache/tools/bin/promtool}"

[[ -x "$promtool" ]] || {
  echo "error: promtool is missing at $promtool: run 'make monitoring-tools' (part of make setup)" >&2
  exit 2
}
shopt -s nullglob
rules=("$rules_dir"/*.yml)
tests=("$rules_dir"/tests/*.yml)
(( ${#rules[@]} )) || { echo "error: no rule files (*.yml) in $rules_dir" >&2; exit 2; }
(( ${#tests[@]} )) || { echo "error: no unit tests (tests/*.yml) in $rules_dir" >&2; exit 2; }

"$promtool" check rules "${rules[@]}"
# promtool resolves each test's rule_files relative to the test file.
"$promtool" test rules "${tests[@]}"
