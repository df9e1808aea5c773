#!/usr/bin/env bash
# Builds the host image with the hosts' Python environment already installed: the local
# stand-in for a baked machine image. Every host that runs Python services (Airflow master
# and workers, the sample services) starts from it, so a converge finds the environment
# matching the lock and installs nothing; hosts from the plain image install it themselves
# (the molecule scenario `wheelhouse_venv` tests that path).
#
# The environment is installed by the same role the hosts use (ansible/roles/wheelhouse_venv)
# into a container of the plain host image, which is then committed. The image is labelled
# with its recipe (the wheelhouse id, the plain image, the role) and rebuilt only when that
# changes. The project's own wheel is not part of the recipe: converges update it in seconds.
#
# Settings (environment):
#   HOST_IMAGE          the plain image (default localhost/cdaprod-host:bookworm)
#   PYTHON_HOST_IMAGE   the image built here (default localhost/cdaprod-host-python:bookworm)
#   PYTHON_HOST_IMAGE_FORCE=1  rebuild even when the recipe is unchanged
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${HOST_IMAGE:-localhost/cdaprod-host:bookworm}"
image="${PYTHON_HOST_IMAGE:-localhost/cdaprod-host-python:bookworm}"
archive="$root/.cache/wheelhouse/hosts.tar"
builder="cdaprod-python-image-build"

log() { printf '[python-image] %s\n' "$*"; }
die() { printf '[python-image] error: %s\n' "$*" >&2; exit 1; }

[[ -e "$archive" ]] || die "no wheelhouse at $archive; run 'make wheelhouse' first"
base_id="$(podman image inspect --format '{{.Id}}' "$base" 2>/dev/null)" \
  || die "the host image $base does not exist; run 'make image' first"

wheelhouse_id="$(basename "$(readlink -f "$archive")" .tar)"
recipe_hash="$(
  { echo "$wheelhouse_id $base_id"; cat "$root/images/python-host/build.sh";
    find "$root/ansible/roles/wheelhouse_venv" -type f -name '*.yml' | sort | xargs cat; } \
    | sha256sum | cut -c1-16
)"
current="$(podman image inspect --format '{{index .Labels "cdaprod.recipe"}}' "$image" 2>/dev/null || true)"
if [[ "$current" == "$recipe_hash" && "${PYTHON_HOST_IMAGE_FORCE:-0}" != 1 ]]; then
  log "$image is up to date (wheelhouse $wheelhouse_id, recipe $recipe_hash); nothing to build"
  exit 0
fi

start=$(date +%s)
podman rm --force --ignore "$builder" >/dev/null
playbook="$(mktemp /tmp/cdaprod-python-image.XXXXXX.yml)"
trap 'podman rm --force --ignore "$builder" >/dev/null; rm -f "$playbook"' EXIT
log "installing wheelhouse $wheelhouse_id into a container of $base"
podman run --detach --name "$builder" "$base" /sbin/init >/dev/null

# ffmpeg too: the archive hosts and the notebook runners need it (their roles install it
# where the image lacks it); the apt lists are emptied again afterwards, as in the plain image.
cat > "$playbook" <<PLAY
- name: Install the hosts' Python environment and ffmpeg
  hosts: all
  gather_facts: false
  roles:
    - role: wheelhouse_venv
  post_tasks:
    - name: Install ffmpeg
      ansible.builtin.apt:
        name: ffmpeg
        install_recommends: false
        update_cache: true
    - name: Empty the apt lists and cache
      ansible.builtin.shell: >-
        apt-get clean && rm -rf /var/lib/apt/lists/* && mkdir /var/lib/apt/lists/partial
        && touch -d @0 /var/lib/apt/lists
PLAY
ANSIBLE_CONFIG="$root/ansible/ansible.cfg" ANSIBLE_ROLES_PATH="$root/ansible/roles" \
  ansible-playbook -i "$builder," -c containers.podman.podman -e "wheelhouse_venv_archive=$archive" \
  "$playbook" > "/tmp/$builder.log" 2>&1 \
  || { tail -30 "/tmp/$builder.log" >&2; die "installing the environment failed (log: /tmp/$builder.log)"; }

# Host keys made at the builder's boot must not be shared by every host of the image.
podman exec "$builder" sh -c 'rm -f /etc/ssh/ssh_host_*'
podman stop --time 10 "$builder" >/dev/null
log "committing $image"
podman commit --quiet \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL cdaprod.recipe=$recipe_hash" --change "LABEL cdaprod.wheelhouse=$wheelhouse_id" \
  "$builder" "$image" >/dev/null
# The image this one replaces, if any, is no longer referenced by a name.
podman image prune --force >/dev/null
log "$image built in $(( $(date +%s) - start )) s ($(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec))"
