#!/usr/bin/env bash
# Builds the image of emulated AWS's moto host: the Python host image plus moto's server
# (requirements/moto.lock: its closure at the versions of requirements/dev.lock, the ones the
# controller's tests use), served one request at a time (platformctl/moto_one_at_a_time.py), run by systemd as `moto.service` on port 5000 with the settings
# the platform needs from moto
# (platformctl/terraform_moto.py: managed IAM policies, the Debian AMIs, ACM validating at
# once). platformctl starts one such host on the emulated VPC's network (platformctl/emulated.py).
#
# Wheels come from the package index through the controller's pip (a test stand-in, not a
# platform host: the hosts themselves install only from the wheelhouse). The image is
# labelled with its recipe and rebuilt only when that changes.
#
# Settings (environment):
#   PYTHON_HOST_IMAGE  the base (default localhost/cdaprod-host-python:bookworm)
#   MOTO_IMAGE         the image built here (default localhost/cdaprod-moto:bookworm)
#   MOTO_IMAGE_FORCE=1 rebuild even when the recipe is unchanged
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${PYTHON_HOST_IMAGE:-localhost/cdaprod-host-python:bookworm}"
image="${MOTO_IMAGE:-localhost/cdaprod-moto:bookworm}"
python="$root/.venv/bin/python"
amis="$root/terraform/roots/emulated/moto-amis.json"
builder="cdaprod-moto-image-build"

log() { printf '[moto-image] %s\n' "$*"; }
die() { printf '[moto-image] error: %s\n' "$*" >&2; exit 1; }

[[ -x "$python" ]] || die "no .venv; run 'make venv' first"
base_id="$(podman image inspect --format '{{.Id}}' "$base" 2>/dev/null)" \
  || die "the Python host image $base does not exist; run 'make image-python' first"
lock="$root/requirements/moto.lock"
pin="$(grep -oE '^moto==[^ ]+' "$lock")" || die "requirements/moto.lock pins no moto"

environment="$("$python" -c '
from platformctl.terraform_moto import moto_environment
env = moto_environment()
env["MOTO_AMIS_PATH"] = "/etc/moto/amis.json"
print(" ".join(f"{k}={v}" for k, v in sorted(env.items())))
')"
server="$root/platformctl/moto_one_at_a_time.py"
recipe_hash="$(
  { echo "$base_id $environment"; cat "$0" "$amis" "$lock" "$server"; } | sha256sum | cut -c1-16
)"
current="$(podman image inspect --format '{{index .Labels "cdaprod.recipe"}}' "$image" 2>/dev/null || true)"
if [[ "$current" == "$recipe_hash" && "${MOTO_IMAGE_FORCE:-0}" != 1 ]]; then
  log "$image is up to date ($pin, recipe $recipe_hash); nothing to build"
  exit 0
fi

start=$(date +%s)
wheels="$(mktemp -d /tmp/cdaprod-moto-wheels.XXXXXX)"
podman rm --force --ignore "$builder" >/dev/null
trap 'podman rm --force --ignore "$builder" >/dev/null; rm -rf "$wheels"' EXIT
log "collecting wheels for $pin[server] (requirements/moto.lock, hashes checked)"
"$python" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$wheels" \
  --no-deps --require-hashes --only-binary=:all: --requirement "$lock"

log "installing into a container of $base"
podman run --detach --name "$builder" "$base" /sbin/init >/dev/null
cp "$lock" "$wheels/moto.lock"
tar -C "$wheels" -cf - . | podman exec -i "$builder" sh -c 'mkdir -p /var/tmp/moto-wheels && tar -C /var/tmp/moto-wheels -xf -'
podman exec "$builder" /opt/cdaprod/venv/bin/pip install --quiet --no-index --no-deps \
  --require-hashes --find-links /var/tmp/moto-wheels --requirement /var/tmp/moto-wheels/moto.lock
podman exec "$builder" sh -c 'rm -rf /var/tmp/moto-wheels && mkdir -p /etc/moto'
podman cp "$amis" "$builder:/etc/moto/amis.json"
# moto's application served one request at a time: moto is not thread-safe.
podman cp "$server" "$builder:/usr/local/lib/moto_one_at_a_time.py"
podman exec -i "$builder" sh -c 'cat > /etc/systemd/system/moto.service' <<UNIT
[Unit]
Description=moto: the AWS APIs of the emulated environment
After=network-online.target

[Service]
Environment=$environment
ExecStart=/opt/cdaprod/venv/bin/python /usr/local/lib/moto_one_at_a_time.py -H 0.0.0.0 -p 5000
User=nobody
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
podman exec "$builder" systemctl enable --quiet moto.service
# Host keys made at the builder's boot must not be shared by every host of the image.
podman exec "$builder" sh -c 'rm -f /etc/ssh/ssh_host_*'
podman stop --time 10 "$builder" >/dev/null
log "committing $image"
podman commit --quiet \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL cdaprod.recipe=$recipe_hash" \
  "$builder" "$image" >/dev/null
podman image prune --force >/dev/null
log "$image built in $(( $(date +%s) - start )) s"
