"""The local environment: podman "hosts" provisioned and configured by Ansible."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from platformctl.ansible_run import PlaybookResult, run_playbook
from platformctl.errors import PlatformError
from platformctl.paths import ANSIBLE_DIR, inventory_dir, state_dir
from platformctl.secrets import ensure_secrets

TOPOLOGY_FILE = inventory_dir("local") / "topology.yml"
INVENTORY_FILE = inventory_dir("local") / "hosts.yml"
NAME_PREFIX = "cdaprod-"


def topology() -> dict:
    return yaml.safe_load(TOPOLOGY_FILE.read_text())


def known_features() -> set[str]:
    hosts = topology()["hosts"].values()
    return {h["enabled_by"] for h in hosts if "enabled_by" in h}


def check_features(features: list[str]) -> None:
    known = known_features()
    unknown = sorted(set(features) - known)
    if unknown:
        raise PlatformError(
            f"unknown optional host(s) {', '.join(unknown)}: the local topology offers "
            f"{', '.join(sorted(known)) or 'none'} (e.g. make up WITH=weaviate)"
        )


def preflight() -> None:
    """Fail early, in one line, when this machine cannot run the local environment."""
    if shutil.which("podman") is None:
        raise PlatformError(
            "podman is not installed: ENV=local runs its hosts as podman containers; "
            "run 'make setup' as root (or apt-get install podman runc)"
        )
    spec = topology()
    images = {spec["image"], *(host["image"] for host in spec["hosts"].values() if "image" in host)}
    for image in sorted(images):
        if subprocess.run(["podman", "image", "exists", image], check=False).returncode != 0:
            raise PlatformError(
                f"host image {image} is missing: build it with 'make image image-python' "
                "(make setup does it)"
            )


def secrets_file() -> Path:
    return state_dir("local") / "secrets.yml"


def ssh_key_file() -> Path:
    """The controller's key for the hosts (made by provision_local.yml beside the secrets)."""
    return secrets_file().parent / "ssh" / "id_ed25519"


def _provision(state: str, features: list[str], check: bool = False) -> PlaybookResult:
    extra = {
        "platform_state": state,
        "platform_name_prefix": NAME_PREFIX,
        "platform_inventory_file": str(INVENTORY_FILE),
        "platform_secrets_file": str(secrets_file()),
        "platform_ssh_key_file": str(ssh_key_file()),
    }
    if features:
        extra["platform_features"] = "[" + ",".join(f"'{f}'" for f in features) + "]"
    result = run_playbook("provision_local.yml", extra_vars=extra, check=check)
    if result.returncode != 0:
        raise PlatformError(
            f"provisioning the local hosts failed (ansible exit {result.returncode})"
        )
    return result


def _converge(check: bool = False) -> PlaybookResult:
    result = run_playbook("playbook.yml", inventory=INVENTORY_FILE, check=check)
    if result.returncode != 0 and check:
        raise PlatformError(
            "the plan stopped at a task that needs an earlier change applied first (check mode "
            "cannot install a package and then use it); 'make apply' brings the hosts up to date"
        )
    if result.returncode != 0:
        verb = "configuring"
        raise PlatformError(
            f"{verb} the local hosts failed (ansible exit {result.returncode}); "
            "the task output above names the host and the task"
        )
    return result


def provision(features: list[str]) -> PlaybookResult:
    """The hosts, their inventory and the secrets; nothing configured yet."""
    check_features(features)
    preflight()
    _, added = ensure_secrets(secrets_file())
    if added:
        print(f"platformctl: generated {len(added)} secret(s) into {secrets_file()} (mode 0600)")
    return _provision("present", features)


def apply(features: list[str]) -> int:
    provisioned = provision(features)
    converged = _converge()
    changes = provisioned.total_changed + converged.total_changed
    print(f"platformctl: local environment is up ({changes} change(s))")
    return 0


def plan(features: list[str]) -> int:
    """Show what `apply` would change, without changing anything (check mode)."""
    check_features(features)
    preflight()
    provisioned = _provision("present", features, check=True)
    if provisioned.total_changed:
        print(
            f"platformctl: plan: {provisioned.total_changed} change(s) to the hosts themselves; "
            "configuration can be planned once they exist (make apply)"
        )
        return 0
    converged = _converge(check=True)
    total = converged.total_changed
    print(
        "platformctl: plan: no changes" if total == 0 else f"platformctl: plan: {total} change(s)"
    )
    return 0


def destroy() -> int:
    if shutil.which("podman") is None:
        raise PlatformError("podman is not installed: there is no local environment to remove")
    _provision("absent", [])
    print("platformctl: local environment removed (containers, network, inventory)")
    return 0


def summary() -> str:
    """What a person needs after `make up`: hosts, URLs and where the credentials are."""
    topo = topology()
    lines = ["", "Local platform:"]
    for name, host in topo["hosts"].items():
        container = f"{NAME_PREFIX}{name}"
        running = (
            subprocess.run(["podman", "container", "exists", container], check=False).returncode
            == 0
        )
        if not running:
            continue
        ports = ", ".join(host.get("ports", [])) or "-"
        lines.append(f"  {name:<18} {', '.join(host['groups']):<28} published: {ports}")
        # `access` lines in the topology tell how to reach what a host serves.
        lines += [f"      {text}" for text in host.get("access", [])]
    lines += [
        "",
        f"  Secrets (passwords, API keys): {secrets_file()}",
        "  Show one:  .venv/bin/python -m platformctl secret airflow_admin_password",
        f"  Shell on a host: podman exec -it {NAME_PREFIX}<host> bash",
        f"    or as Ansible does: ssh -i {ssh_key_file()} root@<ansible_host in the inventory>",
        f"  Inventory: {INVENTORY_FILE.relative_to(ANSIBLE_DIR.parent)}",
    ]
    return "\n".join(lines)
