#!/usr/bin/env bash
# Installs the Debian packages listed in $1 that are not installed yet (needs root).
set -euo pipefail
list="${1:?usage: install-apt-packages.sh FILE}"
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( ${#missing[@]} == 0 )); then
  echo "[apt] all ${#wanted[@]} packages present"
  exit 0
fi
if [[ $EUID -ne 0 ]]; then
  echo "error: missing Debian packages (${missing[*]}); run 'make setup' as root" >&2
  exit 2
fi
echo "[apt] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "[apt] done"
