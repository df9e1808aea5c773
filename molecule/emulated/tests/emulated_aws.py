"""What the emulated environment's tests share: its hosts (containers named after the
instances), its moto (published on loopback), its inventory and its secret store."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import yaml

PREFIX = os.environ.get("EMULATED_NAME_PREFIX", "molecule-emulated-")
MOTO = f"http://127.0.0.1:{os.environ.get('EMULATED_MOTO_PORT', '5091')}"
INVENTORY = Path(
    os.environ.get(
        "PLATFORM_INVENTORY_FILE", Path(__file__).resolve().parents[1] / "inventory" / "hosts.yml"
    )
)


def aws(service: str) -> Any:
    """A boto3 client of this environment's moto, as the controller reaches it."""
    return boto3.client(
        service,
        endpoint_url=MOTO,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@cache
def inventory() -> dict[str, Any]:
    return yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))["all"]


def platform_vars() -> dict[str, Any]:
    return inventory()["vars"]


def hosts_of(group: str) -> dict[str, dict[str, Any]]:
    return inventory()["children"][group]["hosts"] or {}


def first_of(group: str) -> tuple[str, dict[str, Any]]:
    return next(iter(hosts_of(group).items()))


def container(host: str) -> str:
    return f"{PREFIX}{host}"


def secrets() -> dict[str, str]:
    stored = aws("secretsmanager").get_secret_value(SecretId=platform_vars()["platform_secrets_id"])
    return json.loads(stored["SecretString"])


def run_on(host: str, *command: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", "exec", container(host), *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def fresh_inventory() -> dict[str, Any]:
    """The inventory file as it is now (platformctl rewrites it as workers come and go)."""
    return yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))["all"]


def workers_now(group: str = "worker_cpu") -> dict[str, dict[str, Any]]:
    return fresh_inventory()["children"][group]["hosts"] or {}


def platformctl_workers(timeout: int = 2400) -> str:
    """`platformctl workers --env emulated`: hosts for the groups' instances as they are now
    (new ones boot and configure themselves, gone ones get their termination notice)."""
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "EMULATED_NAME_PREFIX": PREFIX,
        "EMULATED_NETWORK": os.environ.get("EMULATED_NETWORK", "cdaprod-molecule-emulated"),
        "EMULATED_MOTO_PORT": MOTO.rsplit(":", 1)[1],
        "EMULATED_VPC_CIDR": os.environ.get("EMULATED_VPC_CIDR", "10.91.0.0/16"),
        "PLATFORM_STATE_DIR": os.environ.get(
            "PLATFORM_STATE_DIR", str(root / ".cache" / "molecule-emulated")
        ),
        "PLATFORM_INVENTORY_FILE": str(INVENTORY),
        "PLATFORM_REPOSITORY_DIR": str(root),
    }
    python = str(root / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "platformctl", "workers", "--env", "emulated"],
        cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def journals_read_on_the_monitoring_host(hosts: list[str], timeout: float = 120) -> set[str]:
    """Each of `hosts` writes a marked line to its journal; the hosts whose line the monitoring
    host has among its received journals (under the host's name) within `timeout`."""
    monitoring = first_of("monitoring")[0]
    mark = f"journal-check-{uuid.uuid4().hex[:12]}"
    for host in hosts:
        written = run_on(host, "logger", "-t", "journal-check", mark)
        assert written.returncode == 0, written.stderr

    def seen() -> set[str]:
        out = run_on(
            monitoring, "journalctl", "-D", "/var/log/journal/remote", "-t", "journal-check",
            "-o", "json", "--no-pager",
        ).stdout  # fmt: skip
        return {json.loads(line)["_HOSTNAME"] for line in out.splitlines() if mark in line}

    deadline = time.monotonic() + timeout
    while seen() != set(hosts) and time.monotonic() < deadline:
        time.sleep(3)
    return seen()
