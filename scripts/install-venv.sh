#!/usr/bin/env bash
# Creates the controller's Python environment (when missing) and installs the lock file into
# it, every file checked against the lock's hashes, then the project itself in editable mode
# (no dependencies: the lock has them all).
#
#   scripts/install-venv.sh PYTHON VENV LOCK      (make venv)
set -euo pipefail
python="${1:?usage: install-venv.sh PYTHON VENV LOCK}"
venv="${2:?usage: install-venv.sh PYTHON VENV LOCK}"
lock="${3:?usage: install-venv.sh PYTHON VENV LOCK}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v "$python" >/dev/null || { echo "error: $python not found; run make setup-apt"; exit 2; }
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
echo "[venv] installing ${lock#"$root"/} into $venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$lock"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$root"
