#!/usr/bin/env bash
# Builds the wheelhouse the hosts install their Python environment from, offline
# (role wheelhouse_venv). In WHEELHOUSE_ROOT (.cache/wheelhouse):
#
#   <lock hash>.tar  every wheel of the hosts' lock, plus the lock itself as hosts.lock and
#                    uv.requirements (uv's entry of the lock, which the hosts install first);
#                    wheels only, each checked against the lock's hashes, so the hosts can
#                    check every file they install against the same lock;
#                    built only when no archive of this lock exists (third-party wheels
#                    change only with the lock), with sorted names and fixed owners and
#                    times, so the same lock gives the same bytes
#   hosts.tar        a symlink to it: what the roles read; its target names the lock
#   project/*.whl    the project's own wheel (core, integrations, samples, services),
#                    rebuilt every time (seconds) with a fixed timestamp: unchanged sources
#                    give the same bytes, so hosts see no change
#
# Archives of earlier locks are removed. Uses the controller's .venv (pip wheel).
#
#   scripts/build-wheelhouse.sh LOCK WHEELHOUSE_ROOT     (make wheelhouse)
set -euo pipefail

lock="${1:?usage: build-wheelhouse.sh LOCK WHEELHOUSE_ROOT}"
wheelhouse_root="${2:?usage: build-wheelhouse.sh LOCK WHEELHOUSE_ROOT}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="$repo/.venv/bin/python"

log() { printf 'wheelhouse: %s\n' "$*"; }

dir="$wheelhouse_root/$(sha256sum "$lock" | cut -c1-16)"
if [[ -f "$dir.tar" ]]; then
  log "$dir.tar is up to date with ${lock#"$repo"/}"
else
  log "building $dir from ${lock#"$repo"/}"
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  # pip downloads one file at a time: the lock's entries are dealt into four parts, fetched
  # side by side (about twice as fast on a fresh machine). A wheel built here from an sdist
  # would have a hash the lock does not know: the hosts would refuse it. --only-binary makes
  # such a dependency fail now, by name.
  awk -v dir="$dir.partial" \
    '/^[A-Za-z0-9]/ {part = n++ % 4} /^[A-Za-z0-9]/ || /^ / {print > (dir "/part" part ".txt")}' \
    "$lock"
  pids=()
  for part in "$dir.partial"/part*.txt; do
    "$python" -m pip wheel --quiet --no-deps --require-hashes --only-binary=:all: \
      --requirement "$part" --wheel-dir "$dir.partial" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  rm "$dir.partial"/part*.txt
  cp "$lock" "$dir.partial/hosts.lock"
  bash "$repo/scripts/lock-entry.sh" uv "$lock" > "$dir.partial/uv.requirements"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  # The lock goes last, so the wheels' part of the archive is the same for the same wheels.
  (
    cd "$dir"
    tar -cf "$dir.tar.partial" --sort=name --mtime=@0 --owner=0 --group=0 \
      --exclude=hosts.lock --exclude=uv.requirements .
    tar -rf "$dir.tar.partial" --mtime=@0 --owner=0 --group=0 ./hosts.lock ./uv.requirements
  )
  mv "$dir.tar.partial" "$dir.tar"
  log "$(find "$dir" -mindepth 1 -maxdepth 1 | wc -l) files, $(du -sh "$dir.tar" | cut -f1) archive"
fi
ln -sfn "$(basename "$dir").tar" "$wheelhouse_root/hosts.tar"

for old in "$wheelhouse_root"/*.tar; do
  case "$old" in
    "$dir.tar" | */hosts.tar) ;;
    *)
      log "removing $old (an earlier lock)"
      rm -rf "$old" "${old%.tar}"
      ;;
  esac
done

project_dir="$wheelhouse_root/project"
mkdir -p "$project_dir"
rm -f "$project_dir"/*.whl
# pip prints an empty line or two even with --quiet; anything else is shown.
SOURCE_DATE_EPOCH=315532800 "$python" -m pip wheel --quiet --no-deps --no-build-isolation \
  --wheel-dir "$project_dir" "$repo" 2>&1 | grep -v -e '^$' || true
wheels=("$project_dir"/*.whl)
[[ -e "${wheels[0]}" ]] || { echo "wheelhouse: error: no project wheel was built" >&2; exit 1; }
log "project wheel $(basename "${wheels[0]}")"
