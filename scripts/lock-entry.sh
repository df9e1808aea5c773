#!/usr/bin/env bash
# Prints one package's entry of a hashed lock (its pin and every --hash line), as a
# requirements file of its own: how uv is installed, hash-checked, before the rest of a lock.
# Fails when the lock has no hashed entry for the package.
#
#   scripts/lock-entry.sh PACKAGE LOCK > PACKAGE.requirements
set -euo pipefail
package="${1:?usage: lock-entry.sh PACKAGE LOCK}"
lock="${2:?usage: lock-entry.sh PACKAGE LOCK}"

entry="$(awk -v pin="$package==" \
  'index($0, pin) == 1 {keep = 1; print; next} keep && /^ / {print; next} {keep = 0}' "$lock")"
grep -q -- '--hash=sha256:' <<<"$entry" \
  || { echo "error: $lock has no hashed entry for $package" >&2; exit 1; }
printf '%s\n' "$entry"
