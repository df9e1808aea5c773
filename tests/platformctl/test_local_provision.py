"""provision_local.yml on a small topology: real containers, idempotent, leaves nothing behind."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from platformctl.ansible_run import run_playbook

PREFIX = "pytest-prov-"
NETWORK = "cdaprod-pytest-prov"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed here"),
]


def _podman(*args: str) -> str:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=True).stdout


def _containers() -> list[str]:
    return _podman("ps", "-a", "--filter", f"name=^{PREFIX}", "--format", "{{.Names}}").split()


@pytest.fixture
def topology(tmp_path: Path) -> Path:
    image = yaml.safe_load(
        (Path(__file__).parents[2] / "ansible/inventories/local/topology.yml").read_text()
    )["image"]
    path = tmp_path / "topology.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "network": {"name": NETWORK},
                "domain": "cdaprod.test",
                "image": image,
                "hosts": {
                    "db-1": {"groups": ["postgres"]},
                    "worker-1": {"groups": ["airflow_worker", "worker_cpu"]},
                    "search-1": {"groups": ["weaviate"], "enabled_by": "weaviate"},
                },
            }
        )
    )
    return path


def _provision(topology: Path, inventory: Path, state: str, features: str = "[]"):
    return run_playbook(
        "provision_local.yml",
        extra_vars={
            "platform_topology_file": str(topology),
            "platform_name_prefix": PREFIX,
            "platform_inventory_file": str(inventory),
            "platform_state": state,
            "platform_features": features,
        },
    )


def test_provision_is_idempotent_and_removal_leaves_nothing(topology: Path, tmp_path: Path):
    inventory = tmp_path / "hosts.yml"
    try:
        first = _provision(topology, inventory, "present")
        assert first.returncode == 0
        assert sorted(_containers()) == [f"{PREFIX}db-1", f"{PREFIX}worker-1"]

        second = _provision(topology, inventory, "present")
        assert second.returncode == 0
        assert second.total_changed == 0, second.changed

        listed = json.loads(
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "ansible-inventory"),
                    "-i",
                    str(inventory),
                    "--list",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        assert listed["postgres"]["hosts"] == ["db-1"]
        assert listed["worker_cpu"]["hosts"] == ["worker-1"]
        # The optional host is off, but its group exists (empty) so plays can name it.
        assert "weaviate" in listed["all"]["children"]
        db = listed["_meta"]["hostvars"]["db-1"]
        assert ipaddress.ip_address(db["ansible_host"]) in ipaddress.ip_network(
            db["platform_private_cidr"]
        )
        assert db["platform_container"] == f"{PREFIX}db-1"

        # Ansible reaches the hosts over SSH with the generated key...
        ping = subprocess.run(
            [str(Path(sys.executable).parent / "ansible"), "all", "-i", str(inventory),
             "-m", "ansible.builtin.ping", "-o"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert ping.stdout.count("SUCCESS") == 2, ping.stdout
        # ...and nothing else gets in: no key, no login (passwords are off).
        refused = subprocess.run(
            ["ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
             "-o", "IdentityFile=/dev/null", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", f"root@{db['ansible_host']}", "true"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert refused.returncode == 255 and "Permission denied" in refused.stderr, refused
        # Each host made its own host key at first boot (the image carries none).
        keys = {
            _podman("exec", f"{PREFIX}{name}", "cat", "/etc/ssh/ssh_host_ed25519_key.pub")
            for name in ("db-1", "worker-1")
        }
        assert len(keys) == 2

        # Hosts reach each other by their topology names on the network.
        out = _podman("exec", f"{PREFIX}worker-1", "getent", "hosts", "db-1")
        assert out.strip(), "db-1 does not resolve from worker-1"

        # Turning the optional host on adds exactly that container.
        third = _provision(topology, inventory, "present", "['weaviate']")
        assert third.returncode == 0
        assert f"{PREFIX}search-1" in _containers()
    finally:
        removed = _provision(topology, inventory, "absent")
    assert removed.returncode == 0
    assert _containers() == []
    assert NETWORK not in _podman("network", "ls", "--format", "{{.Name}}").split()
    assert not inventory.exists()
