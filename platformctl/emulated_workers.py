"""Emulated AWS: hosts for the instances that the worker groups' Auto Scaling launches.

moto launches a group's instances when its desired capacity rises and terminates them when
it falls, but runs nothing on them: no user data, no lifecycle hooks, no spot notices. This
module stands in for what AWS does around an instance, and for nothing else:
- an instance that appears in `describe-instances` (tagged with its group's name) gets a host
  at its private IP, from the same image as every emulated host;
- at the host's first boot its user data runs, as cloud-init runs it (a systemd unit, with
  the instance's id, address and type where the metadata service would give them); the
  user data is the launch template's, read back from moto, so it is what AWS would run;
- an instance that is gone (terminated by a lower desired capacity) gets the termination
  notice a lifecycle hook would deliver, through the same handler its worker runs on AWS
  (services/worker_lifecycle), which drains it; then its host goes.

The workers' hosts are kept in the environment's state directory (workers.json), so that
the topology (and `make destroy`) include them.
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from platformctl.errors import PlatformError

USER_DATA = "/var/lib/cloud/instance/user-data.txt"
USER_DATA_UNIT = "cdaprod-user-data"
BOOT_RECORD = "/var/lib/cdaprod/worker-boot.json"
GROUP_TAG = "aws:autoscaling:groupName"
VENV_PYTHON = "/opt/cdaprod/venv/bin/python"


@dataclass(frozen=True)
class WorkerInstance:
    id: str
    private_ip: str
    instance_type: str
    kind: str
    queue: str
    groups: tuple[str, ...]
    group_name: str
    lifecycle_hook_name: str

    @property
    def name(self) -> str:
        """The host's name: its kind and instance id (a group's instances have no index)."""
        return f"{self.kind}-{self.id}"

    def as_host(self) -> dict[str, Any]:
        """The instance as the inventory writer takes a host."""
        return {
            "id": self.id,
            "kind": self.kind,
            "groups": list(self.groups),
            "private_ip": self.private_ip,
            "instance_type": self.instance_type,
            "gpu": self.queue == "gpu",
            "data_volume_id": None,
            "self_configured": True,
            "worker_group_name": self.group_name,
            "lifecycle_hook_name": self.lifecycle_hook_name,
            "queue": self.queue,
        }


def group_instances(outputs: dict[str, Any], ec2: Any) -> list[WorkerInstance]:
    """The worker groups' pending and running instances, found by their group's tag."""
    groups = {
        group["autoscaling_group_name"]: (kind, group)
        for kind, group in (outputs.get("worker_groups") or {}).items()
    }
    if not groups:
        return []
    found = []
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=[
            {"Name": f"tag:{GROUP_TAG}", "Values": sorted(groups)},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )
    for page in pages:
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                tags = {tag["Key"]: tag["Value"] for tag in instance.get("Tags", [])}
                kind, group = groups[tags[GROUP_TAG]]
                found.append(
                    WorkerInstance(
                        id=instance["InstanceId"],
                        private_ip=instance["PrivateIpAddress"],
                        instance_type=instance["InstanceType"],
                        kind=kind,
                        queue=group["queue"],
                        groups=tuple(group["groups"]),
                        group_name=group["autoscaling_group_name"],
                        lifecycle_hook_name=group["lifecycle_hook_name"],
                    )
                )
    return sorted(found, key=lambda worker: worker.id)


# -- the state file ------------------------------------------------------------------------


def state_file(state: Path) -> Path:
    return state / "workers.json"


def known_workers(state: Path) -> dict[str, WorkerInstance]:
    path = state_file(state)
    if not path.exists():
        return {}
    return {
        key: WorkerInstance(**{**value, "groups": tuple(value["groups"])})
        for key, value in json.loads(path.read_text(encoding="utf-8")).items()
    }


def save_workers(state: Path, workers: dict[str, WorkerInstance]) -> None:
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    state_file(state).write_text(
        json.dumps({key: asdict(value) for key, value in sorted(workers.items())}, indent=2),
        encoding="utf-8",
    )


# -- on the hosts --------------------------------------------------------------------------


def _podman(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def user_data(ec2: Any, instance_id: str) -> bytes:
    """The instance's user data as AWS hands it to cloud-init (the launch template's)."""
    found = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
    value = (found.get("UserData") or {}).get("Value")
    if not value:
        raise PlatformError(f"instance {instance_id} has no user data: its group cannot boot it")
    return base64.b64decode(value)


def start_user_data(container: str, worker: WorkerInstance, script: bytes) -> None:
    """Run the user data once, in the background, as cloud-init would at first boot."""
    with tempfile.NamedTemporaryFile(prefix="user-data-") as handle:
        handle.write(script)
        handle.flush()
        _podman("exec", container, "mkdir", "-p", str(Path(USER_DATA).parent))
        copied = _podman("cp", handle.name, f"{container}:{USER_DATA}")
        if copied.returncode != 0:
            raise PlatformError(f"copying the user data into {container}: {copied.stderr.strip()}")
    started = _podman(
        "exec", container, "systemd-run", f"--unit={USER_DATA_UNIT}",
        "--property=RemainAfterExit=yes", "--property=Type=exec",
        f"--setenv=CDAPROD_INSTANCE_ID={worker.id}",
        f"--setenv=CDAPROD_PRIVATE_IP={worker.private_ip}",
        f"--setenv=CDAPROD_INSTANCE_TYPE={worker.instance_type}",
        "/bin/sh", USER_DATA,
    )  # fmt: skip
    if started.returncode != 0:
        raise PlatformError(f"starting the user data on {container}: {started.stderr.strip()}")


def user_data_state(container: str) -> str:
    """'running', 'done' or 'failed'. The unit stays active after a success
    (RemainAfterExit): its script has ended once its sub-state is `exited`."""
    shown = _podman("exec", container, "systemctl", "show",
                    "--property=ActiveState,SubState,Result", USER_DATA_UNIT)  # fmt: skip
    values = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    if values.get("ActiveState") == "failed" or values.get("Result", "success") != "success":
        return "failed"
    if values.get("ActiveState") == "active" and values.get("SubState") == "exited":
        return "done"
    return "running"


def wait_for_user_data(container: str, timeout_s: int) -> None:
    deadline = time.monotonic() + timeout_s
    while (state := user_data_state(container)) == "running":
        if time.monotonic() > deadline:
            raise PlatformError(
                f"{container} has not configured itself after {timeout_s} s: "
                f"podman exec {container} journalctl -u {USER_DATA_UNIT}"
            )
        time.sleep(5)
    if state == "failed":
        log = _podman("exec", container, "journalctl", "--no-pager", "-o", "cat", "-n", "40",
                      "-u", USER_DATA_UNIT)  # fmt: skip
        raise PlatformError(
            f"{container} failed to configure itself from the bundle; the end of its boot log:\n"
            f"{log.stdout}"
        )


def deliver_termination(container: str, worker: WorkerInstance, timeout_s: int) -> str:
    """The notice a termination lifecycle hook delivers, given to the worker's own handler.
    moto has no CompleteLifecycleAction, so the handler is told there is no hook to complete."""
    done = _podman(
        "exec", container, VENV_PYTHON, "-m", "services.worker_lifecycle", "drain",
        "--reason", f"{worker.group_name} terminates {worker.id} (delivered by emulated AWS)",
        "--timeout-s", str(timeout_s),
        timeout=timeout_s + 120,
    )  # fmt: skip
    if done.returncode != 0:
        raise PlatformError(
            f"draining {container} failed (exit {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()}"
        )
    # What the worker said as it stopped, for the record of the drain.
    worker_log = _podman("exec", container, "journalctl", "--no-pager", "-o", "cat", "-n", "15",
                         "-u", "airflow-worker.service")  # fmt: skip
    return f"{done.stdout.strip()}\n{worker_log.stdout.rstrip()}"
