#!/usr/bin/env bash
# Puts promtool and amtool (the checkers of Prometheus's and Alertmanager's files) into
# DIR (default .cache/tools/bin) from Debian's own packages, without installing the packages:
# installing `prometheus` on the controller would start a Prometheus server here. The .debs
# are fetched with `apt-get download` (the versions of this machine's Debian release: 2.42 and
# 0.25 on Debian 12, as on the hosts) and only the two binaries are unpacked. Skipped when
# both are there and run.
#
#   scripts/install-monitoring-tools.sh [DIR]
set -euo pipefail

dir="${1:-.cache/tools/bin}"
log() { printf '[monitoring-tools] %s\n' "$*"; }

if [[ -x "$dir/promtool" && -x "$dir/amtool" ]] \
   && "$dir/promtool" --version >/dev/null 2>&1 && "$dir/amtool" --version >/dev/null 2>&1; then
  log "promtool and amtool are in $dir; nothing to do"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory as the _apt user when it can.
chmod 0755 "$work"
download() { (cd "$work" && apt-get download -q prometheus prometheus-alertmanager >/dev/null 2>"$work/apt.log"); }
# Package lists that are missing or older than the mirror's files: update them once (root).
if ! download; then
  log "apt-get download failed; updating the package lists and trying again"
  apt-get update -q >/dev/null 2>>"$work/apt.log" && download \
    || { cat "$work/apt.log" >&2; log "error: apt-get download failed (as root, with a Debian mirror?)"; exit 1; }
fi
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
mkdir -p "$dir"
install -m 0755 "$work/root/usr/bin/promtool" "$work/root/usr/bin/amtool" "$dir/"
log "$("$dir/promtool" --version 2>&1 | head -1)"
log "$("$dir/amtool" --version 2>&1 | head -1)"
