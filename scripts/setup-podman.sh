#!/usr/bin/env bash
# Applies the podman settings that systemd "host" containers need on this controller, and
# only those, for the Debian release it runs (read from /etc/os-release). Prints one line
# saying which release it found and what it assumes. The hosts' images stay Debian 12
# (bookworm) whatever the controller runs.
#
#   Debian 12  podman 4.3; runc, because crun refuses the cgroup v1/hybrid hierarchy these
#              machines boot with ("cgroups in hybrid mode not supported")
#   Debian 13  podman 5 on cgroup v2, where either runtime works: crun when it is installed
#              and runs (podman's own default), else runc. This branch is simple on purpose:
#              the build machines measured so far run Debian 12.
#
# On both, a machine that cannot raise its hard open-files limit to podman's default
# (nofile=1048576) gets lower default ulimits, or every container start fails.
#
# SETUP_OS_RELEASE and SETUP_CONTAINERS_CONF_DIR replace /etc/os-release and
# /etc/containers/containers.conf.d (tests/make runs the Debian 13 branch that way).
set -euo pipefail

conf_dir="${SETUP_CONTAINERS_CONF_DIR:-/etc/containers/containers.conf.d}"
conf_file="$conf_dir/50-cdaprod-hosts.conf"

# shellcheck disable=SC1090,SC1091
. "${SETUP_OS_RELEASE:-/etc/os-release}"
release="${VERSION_ID:-unknown}"
codename="${VERSION_CODENAME:-unknown}"

runtime_works() { command -v "$1" >/dev/null && "$1" --version >/dev/null 2>&1; }

case "${ID:-}:$release" in
  debian:12)
    runtime=runc
    assumes="podman 4, cgroup $(stat -fc %T /sys/fs/cgroup | sed 's/cgroup2fs/v2/; s/tmpfs/v1 or hybrid/')"
    ;;
  debian:13)
    if runtime_works crun; then
      runtime=crun
    elif runtime_works runc; then
      runtime=runc
    else
      echo "error: Debian 13 needs crun or runc for podman: apt-get install crun" >&2
      exit 2
    fi
    assumes="podman 5, cgroup v2"
    ;;
  *)
    echo "error: this controller runs ${PRETTY_NAME:-an unknown system}; make setup supports" \
      "Debian 12 (bookworm) and 13 (trixie)" >&2
    exit 2
    ;;
esac
runtime_works "$runtime" || {
  echo "error: the container runtime $runtime does not run; make setup-apt installs it" >&2
  exit 2
}

ulimits=""
if (( $(ulimit -Hn) < 1048576 )); then
  ulimits='default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]'
fi

echo "podman: Debian $release ($codename) controller: $assumes, runtime $runtime," \
  "${ulimits:+lowered container ulimits, }hosts' images Debian 12 (bookworm)"

content="# Written by scripts/setup-podman.sh: settings this host needs for systemd containers."
if [[ -n "$ulimits" ]]; then
  content+=$'\n[containers]\n'"$ulimits"
fi
content+=$'\n[engine]\n'"runtime = \"$runtime\""

mkdir -p "$conf_dir"
if [[ -f "$conf_file" ]] && [[ "$(cat "$conf_file")" == "$content" ]]; then
  echo "podman: settings already in place ($conf_file)"
else
  printf '%s\n' "$content" > "$conf_file"
  echo "podman: wrote $conf_file"
fi
