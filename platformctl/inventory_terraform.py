"""The Ansible inventory of a Terraform environment, written from its `inventory` output.

Every variable a role reads in a cloud environment comes from here, so nothing is set by
hand: the environment, domain, private CIDR, region, buckets, the ingest queue, the secret
store and, per host, its instance and data volume. Every cloud group is declared, even when
no host is in it, so plays and group lookups see an empty group rather than an unknown one.

The one difference between AWS and emulated AWS is how Ansible reaches the hosts: Systems
Manager (through the environment's transfer bucket) on AWS, SSH to the stand-in containers'
private addresses on emulated AWS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.host_groups import cloud_groups, local_only_groups
from platformctl.paths import REPO_ROOT, inventory_dir

# Keys of the Terraform `inventory` output this writer needs.
REQUIRED_OUTPUTS = (
    "environment",
    "region",
    "domain",
    "private_cidr",
    "buckets",
    "ingest_queue_url",
    "secrets_id",
    "ssm_transfer_bucket",
    "hosts",
)


@dataclass(frozen=True)
class SshAccess:
    """How the controller reaches emulated hosts: root over SSH with the environment's key."""

    key_file: Path

    def all_vars(self) -> dict[str, Any]:
        return {
            # The short name: ansible-core 2.19 re-reads the option docs of a connection named
            # by FQCN in every task's worker (~30 ms of controller CPU a task and host).
            "ansible_connection": "ssh",
            "ansible_user": "root",
            "ansible_ssh_private_key_file": str(self.key_file),
            "ansible_ssh_args": "-o ControlMaster=auto -o ControlPersist=300s",
            "ansible_pipelining": True,
            # Stand-in hosts make their host keys at first boot, at addresses that are reused.
            "ansible_ssh_common_args": (
                "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR"
                " -o ServerAliveInterval=10"
            ),
        }

    def host_vars(self, host: dict[str, Any]) -> dict[str, Any]:
        # One master connection per instance id, so a new host at an old address never
        # meets a stale connection.
        return {"ansible_control_path": f"{self.key_file.parent}/cp/{host['id']}"}


@dataclass(frozen=True)
class SsmAccess:
    """How the controller reaches AWS hosts: Systems Manager, files through the transfer
    bucket, no SSH keys and no open ports."""

    region: str
    transfer_bucket: str

    def all_vars(self) -> dict[str, Any]:
        return {
            "ansible_connection": "amazon.aws.aws_ssm",
            "ansible_aws_ssm_region": self.region,
            "ansible_aws_ssm_bucket_name": self.transfer_bucket,
        }

    def host_vars(self, host: dict[str, Any]) -> dict[str, Any]:
        return {"ansible_aws_ssm_instance_id": host["id"]}


Access = SshAccess | SsmAccess


def check_outputs(outputs: dict[str, Any]) -> None:
    """The output must have every key this writer reads, and hosts only of known groups."""
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        raise PlatformError(
            f"the Terraform `inventory` output lacks {', '.join(missing)}: the root and "
            "platformctl disagree; run `make apply` with this checkout's Terraform"
        )
    known = cloud_groups()
    for name, host in sorted(outputs["hosts"].items()):
        groups = host.get("groups") or []
        if not groups:
            raise PlatformError(f"host {name} has no group: give it one of {', '.join(known)}")
        for group in groups:
            if group in local_only_groups():
                raise PlatformError(
                    f"host {name} is in group {group}, which exists only in ENV=local"
                )
            if group not in known:
                raise PlatformError(
                    f"host {name} is in unknown group {group}: known groups are {', '.join(known)}"
                )


def environment_settings(env: str) -> dict[str, Any]:
    """The environment's own platform settings (terraform/environments/<env>/platform.yml),
    beside its tfvars: what differs from group_vars/all for it and is no Terraform output.
    They reach the hosts through the inventory, the workers' bundle included."""
    path = REPO_ROOT / "terraform" / "environments" / env / "platform.yml"
    if not path.exists():
        return {}
    found = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    shown = path.relative_to(REPO_ROOT)
    if not isinstance(found, dict):
        raise PlatformError(f"{shown} must be a mapping of platform_* settings")
    stray = sorted(key for key in found if not str(key).startswith("platform_"))
    if stray:
        raise PlatformError(
            f"{shown} sets {', '.join(stray)}: it holds platform settings (platform_*) only; "
            "a role's own variables belong in ansible/group_vars"
        )
    # Inventory variables lose to the playbook's group_vars/all (Ansible's precedence): a
    # setting defined there too would be silently ignored.
    shadowed = sorted(set(found) & _group_vars_all_keys())
    if shadowed:
        raise PlatformError(
            f"{shown} sets {', '.join(shadowed)}, which ansible/group_vars/all also sets and "
            "would win: give it its default with `| default(...)` where it is used instead"
        )
    return found


def _group_vars_all_keys() -> set[str]:
    keys: set[str] = set()
    for path in sorted((REPO_ROOT / "ansible" / "group_vars" / "all").glob("*.yml")):
        keys.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return keys


def _worker_group_vars(host: dict[str, Any]) -> dict[str, Any]:
    """An instance of a worker group: configured by itself from the workers' bundle (so the
    play's host variables must be the ones its own play had), with its group and hook."""
    if not host.get("self_configured"):
        return {}
    return {
        "platform_self_configured": True,
        "platform_worker_group_name": host["worker_group_name"],
        "platform_worker_lifecycle_hook": host["lifecycle_hook_name"],
        "platform_worker_queue": host["queue"],
    }


def _worker_groups(outputs: dict[str, Any]) -> dict[str, Any]:
    """The worker groups by queue, as the master's scaler moves them: the Auto Scaling group
    and its bounds (how it scales is the environment's platform_worker_scaling)."""
    return {
        group["queue"]: {
            "autoscaling_group": group["autoscaling_group_name"],
            "minimum": group["min_size"],
            "maximum": group["max_size"],
        }
        for group in (outputs.get("worker_groups") or {}).values()
    }


def build_inventory(outputs: dict[str, Any], access: Access) -> dict[str, Any]:
    """The inventory as a dict, from the `inventory` output and how hosts are reached."""
    check_outputs(outputs)
    buckets = outputs["buckets"]
    platform_vars = {
        "platform_env": outputs["environment"],
        "platform_domain": outputs["domain"],
        "platform_private_cidr": outputs["private_cidr"],
        "platform_region": outputs["region"],
        "platform_buckets": buckets,
        "platform_backup_bucket": buckets.get("backups", ""),
        "platform_ingest_queue_url": outputs["ingest_queue_url"] or "",
        "platform_secrets_backend": "aws",
        "platform_secrets_id": outputs["secrets_id"],
        "platform_public_airflow_ui": bool(outputs.get("public_airflow_ui", False)),
        # The tags that select this environment's instances (Prometheus's EC2 discovery).
        "platform_discovery_tags": outputs.get("discovery_tags") or {},
        # Where the hosts find AWS's APIs when not at AWS's own endpoints (emulated: moto).
        "platform_aws_endpoint_url": outputs.get("aws_endpoint_url") or "",
        "platform_worker_groups": _worker_groups(outputs),
        **environment_settings(outputs["environment"]),
    }
    hosts = outputs["hosts"]

    def members(group: str) -> dict[str, Any]:
        return {
            name: {
                "ansible_host": host["private_ip"],
                **access.host_vars(host),
                "platform_instance_id": host["id"],
                "platform_instance_type": host.get("instance_type", ""),
                "platform_gpu": bool(host.get("gpu", False)),
                "platform_data_volume_id": host.get("data_volume_id") or "",
                **_worker_group_vars(host),
            }
            for name, host in sorted(hosts.items())
            if group in host["groups"]
        }

    return {
        "all": {
            "vars": {
                **access.all_vars(),
                "ansible_python_interpreter": "/usr/bin/python3",
                **platform_vars,
            },
            "children": {group: {"hosts": members(group)} for group in cloud_groups()},
        }
    }


def inventory_file(env: str) -> Path:
    """ansible/inventories/<env>/hosts.yml, or PLATFORM_INVENTORY_FILE (a test copy's own)."""
    override = os.environ.get("PLATFORM_INVENTORY_FILE")
    return Path(override) if override else inventory_dir(env) / "hosts.yml"


def write_inventory(env: str, outputs: dict[str, Any], access: Access) -> Path:
    """Write ansible/inventories/<env>/hosts.yml (generated, gitignored); return its path."""
    path = inventory_file(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"---\n# Generated by platformctl from `terraform output inventory` ({env}); do not edit.\n"
    )
    body = yaml.safe_dump(build_inventory(outputs, access), sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return path
