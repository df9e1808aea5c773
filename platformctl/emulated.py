"""Emulated AWS: the AWS root applied against moto, with containers standing in for instances.

- A podman network with the VPC's CIDR, created only when the CIDR overlaps no route of this
  machine (traffic may only ever reach our own containers and loopback).
- moto as a host on that network, at the VPC's last address, published on 127.0.0.1
  (EMULATED_MOTO_PORT, default 5000) for Terraform and the controller's AWS calls.
- After `terraform apply`, one systemd container per instance of the `inventory` output, at
  the instance's private IP, reached over SSH (the one difference from AWS, where it is SSM).
  Each finds AWS where an instance would: credentials and the regional endpoint in its
  environment (AWS_ENDPOINT_URL pointing at moto), as the instance metadata service and
  AWS's endpoints serve a real one. Roles cannot tell the difference.

Hosts are made by ansible/provision_local.yml, the playbook that makes the local
environment's hosts, from a topology this module writes from Terraform's outputs.

With MOTO_URL set, platformctl uses that moto server instead and runs Terraform only (apply,
inventory, destroy): a moto on loopback cannot be reached by hosts, so there are none.
`make bench-terraform` and the emulated scenario's destroy step run that way.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from platformctl.ansible_run import run_playbook
from platformctl.emulated_workers import (
    WorkerInstance,
    deliver_termination,
    group_instances,
    known_workers,
    save_workers,
    start_user_data,
    user_data,
    wait_for_user_data,
)
from platformctl.errors import PlatformError
from platformctl.paths import REPO_ROOT, state_dir

TFVARS = REPO_ROOT / "terraform" / "environments" / "emulated" / "emulated.tfvars"
MOTO_IMAGE = "localhost/cdaprod-moto:bookworm"
HOST_IMAGE = "localhost/cdaprod-host-python:bookworm"
MOTO_PORT_IN_HOST = 5000
# Where role data_volume mounts a host's data volume (group_vars/all/data_volume.yml).
DATA_VOLUME_MOUNT = "/srv/data"
# moto's fixed test credentials: only ever sent to our own moto host.
TEST_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class Site:
    """One emulated environment on this machine. A test copy sets its own prefix, network,
    port, CIDR and state directory (EMULATED_NAME_PREFIX, EMULATED_NETWORK,
    EMULATED_MOTO_PORT, EMULATED_VPC_CIDR, PLATFORM_STATE_DIR), so it never meets a running
    `make up ENV=emulated`."""

    name_prefix: str
    network: str
    moto_url: str
    vpc_cidr: str
    state: Path

    @property
    def moto_port(self) -> int:
        return int(urlparse(self.moto_url).port or 5000)

    @property
    def moto_address(self) -> str:
        """The VPC's last usable address: outside every subnet the network module carves."""
        return str(ipaddress.ip_network(self.vpc_cidr).broadcast_address - 1)

    @property
    def moto_url_for_hosts(self) -> str:
        """moto's endpoint where the hosts reach it: its address on the emulated network."""
        return f"http://{self.moto_address}:{MOTO_PORT_IN_HOST}"

    @property
    def moto_container(self) -> str:
        return f"{self.name_prefix}moto"

    @property
    def topology_file(self) -> Path:
        return self.state / "topology.yml"

    @property
    def ssh_key_file(self) -> Path:
        return self.state / "ssh" / "id_ed25519"

    @property
    def aws_environment_file(self) -> Path:
        return self.state / "aws-environment.conf"


def _tfvars_cidr() -> str:
    match = re.search(r'^vpc_cidr\s*=\s*"([^"]+)"', TFVARS.read_text(encoding="utf-8"), re.M)
    if match is None:
        raise PlatformError(f"{TFVARS.relative_to(REPO_ROOT)} does not set vpc_cidr")
    return match.group(1)


def site() -> Site:
    """This machine's emulated environment, from the environment variables a test may set."""
    port = os.environ.get("EMULATED_MOTO_PORT", "5000")
    if not port.isdigit() or not 1024 <= int(port) <= 65535:
        raise PlatformError(f"EMULATED_MOTO_PORT must be a port number (1024-65535), not {port!r}")
    return Site(
        name_prefix=os.environ.get("EMULATED_NAME_PREFIX", "cdaprod-emulated-"),
        network=os.environ.get("EMULATED_NETWORK", "cdaprod-emulated"),
        moto_url=f"http://127.0.0.1:{port}",
        vpc_cidr=os.environ.get("EMULATED_VPC_CIDR") or _tfvars_cidr(),
        state=state_dir("emulated"),
    )


def ssh_key_file() -> Path:
    return site().ssh_key_file


def controller_aws_environment() -> dict[str, str]:
    """The controller's AWS calls go to the moto host's published port."""
    return {"AWS_ENDPOINT_URL": site().moto_url, **TEST_KEYS}


# -- the network --------------------------------------------------------------------------


def _network_interface(name: str) -> str | None:
    """The bridge of our own network, when it exists (its route is ours, not a clash)."""
    done = subprocess.run(
        ["podman", "network", "inspect", name], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return None
    found = json.loads(done.stdout or "[]")
    return str(found[0].get("network_interface") or "") if found else None


def clashing_routes(cidr: str, routes: list[dict[str, Any]], own_device: str | None) -> list[str]:
    """Routes of this machine that overlap `cidr` (the default route aside)."""
    wanted = ipaddress.ip_network(cidr)
    clashes = []
    for route in routes:
        dst = route.get("dst", "")
        if dst in ("default", "") or (own_device and route.get("dev") == own_device):
            continue
        try:
            network = ipaddress.ip_network(dst, strict=False)
        except ValueError:
            continue
        if network.version == wanted.version and network.overlaps(wanted):
            clashes.append(f"{dst} dev {route.get('dev', '?')}")
    return clashes


def check_routes(current: Site) -> None:
    done = subprocess.run(
        ["ip", "-j", "route", "show"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise PlatformError("cannot read this machine's routes (`ip -j route`): is iproute2 there?")
    clashes = clashing_routes(
        current.vpc_cidr, json.loads(done.stdout or "[]"), _network_interface(current.network)
    )
    if clashes:
        raise PlatformError(
            f"the emulated VPC {current.vpc_cidr} overlaps this machine's route "
            f"{clashes[0]}: set another vpc_cidr in {TFVARS.relative_to(REPO_ROOT)}"
        )


# -- hosts ----------------------------------------------------------------------------------


def _topology(current: Site, outputs: dict[str, Any] | None) -> dict[str, Any]:
    hosts: dict[str, Any] = {
        "moto": {
            "groups": [],
            "image": MOTO_IMAGE,
            "ip": current.moto_address,
            "ports": [f"127.0.0.1:{current.moto_port}:{MOTO_PORT_IN_HOST}"],
        }
    }
    environment = f"{current.aws_environment_file}:/etc/systemd/system.conf.d/50-aws.conf:ro"
    for worker in known_workers(current.state).values():
        hosts[worker.name] = {
            "groups": list(worker.groups),
            "image": HOST_IMAGE,
            "ip": worker.private_ip,
            "volumes": [environment],
        }
    for name, host in sorted(((outputs or {}).get("hosts") or {}).items()):
        volumes = [environment]
        if host.get("data_volume_id"):
            # A container cannot mount a block device: its EBS data volume is a podman
            # volume, already mounted where role data_volume mounts the real one.
            volumes.append(f"{host['data_volume_id']}:{DATA_VOLUME_MOUNT}")
        hosts[name] = {
            "groups": host["groups"],
            "image": HOST_IMAGE,
            "ip": host["private_ip"],
            "volumes": volumes,
        }
    return {
        "network": {"name": current.network, "subnet": current.vpc_cidr},
        "domain": (outputs or {}).get("domain", "emulated"),
        "image": HOST_IMAGE,
        "hosts": hosts,
    }


def _write_instance_environment(current: Site, region: str) -> None:
    """What an instance's processes find: the region's endpoint (moto) and credentials."""
    values = {
        "AWS_ENDPOINT_URL": current.moto_url_for_hosts,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        **TEST_KEYS,
    }
    current.aws_environment_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = " ".join(f"{key}={value}" for key, value in values.items())
    current.aws_environment_file.write_text(
        f"# Written by platformctl: AWS as an emulated instance finds it.\n"
        f"[Manager]\nDefaultEnvironment={body}\n",
        encoding="utf-8",
    )


def _provision(current: Site, outputs: dict[str, Any] | None) -> None:
    current.state.mkdir(parents=True, exist_ok=True, mode=0o700)
    current.topology_file.write_text(
        yaml.safe_dump(_topology(current, outputs), sort_keys=False), encoding="utf-8"
    )
    _run_provision(current, "present")


def _run_provision(current: Site, state: str) -> None:
    """ansible/provision_local.yml over the topology file last written."""
    result = run_playbook(
        "provision_local.yml",
        extra_vars={
            "platform_state": state,
            "platform_topology_file": str(current.topology_file),
            "platform_name_prefix": current.name_prefix,
            "platform_inventory_file": "",
            "platform_ssh_key_file": str(current.ssh_key_file),
        },
    )
    if result.returncode != 0:
        raise PlatformError(
            f"making the emulated hosts failed (ansible exit {result.returncode}); "
            "the task output above names the host"
        )


def _preflight() -> None:
    if shutil.which("podman") is None:
        raise PlatformError(
            "podman is not installed: emulated AWS runs its hosts and moto as podman "
            "containers; run 'make setup' as root"
        )
    for image in (MOTO_IMAGE, HOST_IMAGE):
        if subprocess.run(["podman", "image", "exists", image], check=False).returncode != 0:
            raise PlatformError(f"image {image} is missing: build it with 'make setup'")


def _moto_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 - loopback
            return True
    except OSError:
        return False


def start() -> str:
    """The network and the moto host, up and answering; returns moto's loopback URL."""
    current = site()
    _preflight()
    check_routes(current)
    _provision(current, outputs=None)
    deadline = time.monotonic() + 60
    while not _moto_answers(current.moto_url):
        if time.monotonic() > deadline:
            raise PlatformError(
                f"the moto host {current.moto_container} does not answer on {current.moto_url} "
                f"after 60 s: see `podman exec {current.moto_container} journalctl -u moto`"
            )
        time.sleep(1)
    return current.moto_url


def running_moto_url() -> str | None:
    """moto's URL when its host runs and answers; None when it does not."""
    current = site()
    return current.moto_url if _moto_answers(current.moto_url) else None


def provision_hosts(outputs: dict[str, Any]) -> None:
    """One stand-in host per instance, at its private IP, with AWS in its environment."""
    current = site()
    _write_instance_environment(current, outputs["region"])
    _provision(current, outputs)


def as_seen_by_hosts(outputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs with moto's loopback URL (what Terraform used) replaced by its address on
    the emulated network, where the hosts reach it (queue URLs name their endpoint), and that
    address as `aws_endpoint_url` (for what reads no AWS_ENDPOINT_URL, such as Prometheus)."""
    current = site()
    inside = current.moto_url_for_hosts
    seen = {
        key: value.replace(current.moto_url, inside) if isinstance(value, str) else value
        for key, value in outputs.items()
    }
    return {**seen, "aws_endpoint_url": inside}


def hosts_exist(outputs: dict[str, Any]) -> bool:
    prefix = site().name_prefix
    return all(
        subprocess.run(["podman", "container", "exists", f"{prefix}{name}"], check=False).returncode
        == 0
        for name in outputs.get("hosts", {})
    )


def booted_workers() -> list[WorkerInstance]:
    """The worker instances that have hosts (and have run their user data)."""
    return list(known_workers(site().state).values())


def sync_workers(
    outputs: dict[str, Any], *, wait: bool, boot_timeout_s: int = 1800, drain_timeout_s: int = 900
) -> tuple[list[WorkerInstance], list[WorkerInstance]]:
    """Hosts for the worker groups' instances as they are now: a host and its first boot for
    each new instance, a termination notice and removal for each one gone. With `wait`, until
    every worker has configured itself. Returns (new, gone)."""
    current = site()
    from platformctl.cloud import aws_client  # cloud imports this module

    ec2 = aws_client("emulated", "ec2", outputs["region"])
    running = {worker.id: worker for worker in group_instances(outputs, ec2)}
    known = known_workers(current.state)
    gone = [worker for key, worker in sorted(known.items()) if key not in running]
    new = [worker for key, worker in sorted(running.items()) if key not in known]
    for worker in gone:
        container = f"{current.name_prefix}{worker.name}"
        exists = subprocess.run(["podman", "container", "exists", container], check=False)
        if exists.returncode == 0:
            print(f"platformctl: {worker.id} is terminating; its worker drains")
            print(deliver_termination(container, worker, drain_timeout_s))
            subprocess.run(["podman", "rm", "--force", "--time", "10", container],
                           capture_output=True, check=False)  # fmt: skip
        del known[worker.id]
        save_workers(current.state, known)
    if new:
        known.update({worker.id: worker for worker in new})
        save_workers(current.state, known)
        _provision(current, outputs)
        for worker in new:
            print(f"platformctl: {worker.id} ({worker.group_name}) boots: running its user data")
            start_user_data(
                f"{current.name_prefix}{worker.name}", worker, user_data(ec2, worker.id)
            )
    if wait:
        for worker in known.values():
            wait_for_user_data(f"{current.name_prefix}{worker.name}", boot_timeout_s)
    return new, gone


def teardown() -> None:
    """Every container, the network, the volumes, moto, Terraform's state and working data,
    the keys: nothing is left."""
    current = site()
    if current.topology_file.exists() and shutil.which("podman"):
        _run_provision(current, "absent")
    shutil.rmtree(current.state, ignore_errors=True)
