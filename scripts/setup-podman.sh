#!/usr/bin/env bash
# Applies the podman settings that systemd "host" containers need on this machine, and only
# the ones it needs: a normal cgroup-v2 host with crun and high limits is left untouched.
set -euo pipefail

conf_dir=/etc/containers/containers.conf.d
conf_file="$conf_dir/50-cdaprod-hosts.conf"
containers_section=()
engine_section=()

# crun refuses cgroup v1/hybrid hierarchies ("cgroups in hybrid mode not supported").
if [[ "$(stat -fc %T /sys/fs/cgroup)" != "cgroup2fs" ]]; then
  engine_section+=('runtime = "runc"')
fi

# Podman asks for nofile=1048576 by default; a VM that cannot raise its own hard limit
# must start containers with lower ones or every start fails.
if (( $(ulimit -Hn) < 1048576 )); then
  containers_section+=('default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]')
fi

if (( ${#containers_section[@]} + ${#engine_section[@]} == 0 )); then
  echo "podman: this host needs no extra settings"
  rm -f "$conf_file"
  exit 0
fi

content="# Written by scripts/setup-podman.sh: settings this host needs for systemd containers."
if (( ${#containers_section[@]} )); then
  content+=$'\n[containers]\n'"$(printf '%s\n' "${containers_section[@]}")"
fi
if (( ${#engine_section[@]} )); then
  content+=$'\n[engine]\n'"$(printf '%s\n' "${engine_section[@]}")"
fi

mkdir -p "$conf_dir"
if [[ -f "$conf_file" ]] && [[ "$(cat "$conf_file")" == "$content" ]]; then
  echo "podman: settings already in place ($conf_file)"
else
  printf '%s\n' "$content" > "$conf_file"
  echo "podman: wrote $conf_file"
fi
