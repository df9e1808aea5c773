#!/usr/bin/env bash
# Builds the Debian 12 systemd image that every local "host" and molecule instance runs.
# Nothing can be pulled from a registry, so the root filesystem comes from debootstrap.
# The image carries a label with the hash of its recipe; a rebuild is skipped when the
# recipe (this script, the package list, the extra CA certificates) has not changed.
#
# Settings (environment):
#   HOST_IMAGE           image name (default localhost/cdaprod-host:bookworm)
#   HOST_IMAGE_EXTRA_CA  a PEM file or a directory of *.crt files added to the image's
#                        trust store (off by default; set it behind an intercepting proxy)
#   DEBIAN_MIRROR        default http://deb.debian.org/debian
#   HOST_IMAGE_FORCE=1   rebuild even when the recipe is unchanged
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="${HOST_IMAGE:-localhost/cdaprod-host:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
extra_ca="${HOST_IMAGE_EXTRA_CA:-}"

log() { printf '[host-image] %s\n' "$*"; }
die() { printf '[host-image] error: %s\n' "$*" >&2; exit 1; }

command -v podman >/dev/null || die "podman is not installed; run 'make setup' first"
command -v debootstrap >/dev/null || die "debootstrap is not installed; run 'make setup' first"
[[ $EUID -eq 0 ]] || die "debootstrap needs root; run as root"

ca_files=()
if [[ -n "$extra_ca" ]]; then
  if [[ -d "$extra_ca" ]]; then
    mapfile -t ca_files < <(find "$extra_ca" -maxdepth 1 -name '*.crt' | sort)
  elif [[ -f "$extra_ca" ]]; then
    ca_files=("$extra_ca")
  else
    die "HOST_IMAGE_EXTRA_CA=$extra_ca is neither a file nor a directory"
  fi
fi

packages="$(grep -v -e '^#' -e '^$' "$here/packages.txt" | paste -sd, -)"
recipe_hash="$(
  { cat "$here/build.sh" "$here/packages.txt" "$here"/python/*; echo "$mirror";
    for f in "${ca_files[@]}"; do sha256sum < "$f"; done; } | sha256sum | cut -c1-16
)"

current="$(podman image inspect --format '{{index .Labels "cdaprod.recipe"}}' "$image" 2>/dev/null || true)"
if [[ "$current" == "$recipe_hash" && "${HOST_IMAGE_FORCE:-0}" != 1 ]]; then
  log "$image is up to date (recipe $recipe_hash); nothing to build"
  exit 0
fi

rootfs="$(mktemp -d /var/tmp/cdaprod-host-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
log "debootstrap bookworm into $rootfs (packages: $packages)"
debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" \
  > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
rm -f "$rootfs.log"

# Sources for updates and security fixes, in the deb822 format Debian 12 uses.
rm -f "$rootfs/etc/apt/sources.list"
cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

if (( ${#ca_files[@]} )); then
  log "adding ${#ca_files[@]} extra CA certificate file(s)"
  mkdir -p "$rootfs/usr/local/share/ca-certificates/cdaprod-extra"
  # update-ca-certificates wants one certificate per file: split bundles.
  cat "${ca_files[@]}" | awk -v dir="$rootfs/usr/local/share/ca-certificates/cdaprod-extra" '
    /-----BEGIN CERTIFICATE-----/ { n++; out = sprintf("%s/extra-%04d.crt", dir, n) }
    out { print > out }
    /-----END CERTIFICATE-----/ { close(out); out = "" }'
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
fi

# The locale the role `common` generates by default (community.general.locale_gen), made
# once here instead of by localedef on every container of every scenario.
sed -i 's/^# *\(en_US.UTF-8 UTF-8\)$/\1/' "$rootfs/etc/locale.gen"
chroot "$rootfs" locale-gen >/dev/null
# The node exporter (packages.txt) starts only once its role has written its flags and web
# config: until then it would answer on every address without a password.
chroot "$rootfs" systemctl disable prometheus-node-exporter.service >/dev/null 2>&1

# A container needs no getty, no kernel-facing units, and a machine-id made at first boot.
chroot "$rootfs" systemctl mask getty.target console-getty.service systemd-udevd.service \
  systemd-modules-load.service sys-kernel-config.mount >/dev/null 2>&1 || true
: > "$rootfs/etc/machine-id"

# SSH: every container makes its own host keys at first boot (the package made one set for
# all of them here); keys only, no passwords. The controller's public key is mounted in as
# root's authorized_keys by ansible/provision_local.yml.
rm -f "$rootfs"/etc/ssh/ssh_host_*
mkdir -p "$rootfs/etc/systemd/system/ssh.service.d"
cat > "$rootfs/etc/systemd/system/ssh.service.d/host-keys.conf" <<'UNIT'
[Service]
# Debian's unit tests the config first, which needs the keys: make them before that.
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
UNIT
cat > "$rootfs/etc/ssh/sshd_config.d/cdaprod.conf" <<'SSHD'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
SSHD
chroot "$rootfs" systemctl enable ssh.service >/dev/null 2>&1

# Ansible's payloads import from zips, which Python never caches bytecode for: the hook in
# python/ compiles them once per host instead of at every task (see its docstring).
site_dir="$(chroot "$rootfs" python3 -c 'import site; print(site.getsitepackages()[0])')"
install -D -m 0644 -t "$rootfs$site_dir" "$here"/python/ansiballz_bytecode_cache.{py,pth}
install -d -m 0755 "$rootfs/var/cache/ansiballz-bytecode"
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
# Mark the (emptied) package lists as stale so the first apt task refreshes them. partial/ is
# made now: apt makes it when missing (unattended-upgrades does, at boot), which dates the
# directory to that moment, and Ansible's apt cache_valid_time then takes the empty lists
# for fresh ones ("No package matching").
mkdir -p "$rootfs/var/lib/apt/lists/partial"
touch -d @0 "$rootfs/var/lib/apt/lists"

log "importing into podman as $image"
tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["/sbin/init"]' \
  --change 'STOPSIGNAL=SIGRTMIN+3' \
  --change "LABEL cdaprod.recipe=$recipe_hash" \
  --quiet - "$image" >/dev/null
log "built $image (recipe $recipe_hash)"
