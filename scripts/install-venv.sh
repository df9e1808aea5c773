#!/usr/bin/env bash
# Creates a Python environment (when missing) and installs a lock into it with uv, every file
# checked against the lock's hashes. uv itself comes first, checked against its entry in the
# hosts' lock (the hosts install their environment the same way). With --project, the
# project is then installed in editable mode, without dependencies (the lock has them all).
#
#   scripts/install-venv.sh [--project] PYTHON VENV LOCK    (make venv, make setup-checkov)
set -euo pipefail
project=0
if [[ "${1:-}" == --project ]]; then project=1; shift; fi
python="${1:?usage: install-venv.sh [--project] PYTHON VENV LOCK}"
venv="${2:?usage: install-venv.sh [--project] PYTHON VENV LOCK}"
lock="${3:?usage: install-venv.sh [--project] PYTHON VENV LOCK}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v "$python" >/dev/null || { echo "error: $python not found; run make setup-apt"; exit 2; }
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
uv_entry="$(mktemp)"
trap 'rm -f "$uv_entry"' EXIT
bash "$root/scripts/lock-entry.sh" uv "$root/requirements/hosts.lock" > "$uv_entry"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r "$uv_entry"

# uv does not read pip's configuration: hand it the wheel directories and indexes pip is
# configured with (the build machines keep some wheels on disk, torch's CPU build among them).
sources=()
while IFS= read -r line; do
  key="${line%%=*}"; values="${line#*=}"; values="${values//\'/}"
  for value in $values; do
    [[ $value != file://* || -e ${value#file://} ]] || continue
    case "$key" in
      *.find-links) sources+=(--find-links "$value") ;;
      *.extra-index-url) sources+=(--extra-index-url "$value") ;;
      *.index-url) sources+=(--index-url "$value") ;;
    esac
  done
done < <("$venv/bin/pip" config list 2>/dev/null)

echo "[venv] installing ${lock#"$root"/} into ${venv#"$root"/}"
# uv downloads and installs in parallel: several times faster than pip on a fresh machine.
# Every file must match a hash of the lock, so taking a pin from whichever index has it (as
# pip does) cannot bring in a file the lock did not choose.
"$venv/bin/uv" pip install --quiet --require-hashes --index-strategy unsafe-best-match \
  --python "$venv/bin/python" "${sources[@]}" -r "$lock"
if [[ $project == 1 ]]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    -e "$root"
fi
