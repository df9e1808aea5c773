"""What the platform's tests share: where the scenario's hosts and secrets are, and plain
JSON calls to their HTTP APIs from the controller (our own containers on our own podman
network, reached on their private addresses)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import yaml

# molecule/shared: what every scenario's checks share (not a package; see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from airflow_api import Airflow, call, quote, wait_for  # noqa: F401 - the tests import them here

PREFIX = os.environ.get("PLATFORM_PREFIX", "molecule-platform-")
NETWORK = os.environ.get("PLATFORM_NETWORK", "cdaprod-molecule-platform")
ROOT = Path(__file__).resolve().parents[3]
# The project's own code: the tests read what the platform wrote with the readers the
# platform itself uses (notebook outputs, the agent's step lines).
sys.path.insert(0, str(ROOT))
SECRETS = Path(
    os.environ.get("PLATFORM_SECRETS_FILE", ROOT / ".cache" / "molecule-platform" / "secrets.yml")
)
# The ingress role fetches its local CA next to the secrets file.
INGRESS_CA = SECRETS.parent / "ingress-ca.crt"
DOMAIN = yaml.safe_load((ROOT / "ansible/inventories/local/topology.yml").read_text())["domain"]


def container_ip(name: str) -> str:
    fmt = '{{ (index .NetworkSettings.Networks "' + NETWORK + '").IPAddress }}'
    return subprocess.check_output(
        ["podman", "inspect", "--format", fmt, PREFIX + name], text=True, timeout=30
    ).strip()


# Kills a process tree on a worker: every process whose command line contains the marker, and
# all their descendants (a notebook's kernel and its ffmpeg runs are children of the task
# runner). Plain /proc walking: the hosts' image may have no procps.
KILL_TREE = r"""
import os, signal, sys
marker = sys.argv[1].encode()
parents = {}
roots = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        with open(f"/proc/{pid}/status") as f:
            ppid = next(int(l.split()[1]) for l in f if l.startswith("PPid:"))
    except (OSError, StopIteration):
        continue
    parents[int(pid)] = ppid
    if marker in cmdline and int(pid) != os.getpid():
        roots.append(int(pid))
doomed = set(roots)
grew = True
while grew:
    grew = False
    for pid, ppid in parents.items():
        if ppid in doomed and pid not in doomed:
            doomed.add(pid)
            grew = True
for pid in doomed:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
print(len(roots), len(doomed))
"""


def kill_task_runner(ti: dict) -> str:
    """Kill a running task instance's task runner and everything under it, on its worker;
    returns what was killed ("<task runners> <processes>")."""
    worker = PREFIX + ti["hostname"].split(".")[0]
    # The task runner's process title is "airflow worker -- <task instance id>".
    killed = subprocess.run(
        ["podman", "exec", worker, "python3", "-c", KILL_TREE, f"airflow worker -- {ti['id']}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 0, killed.stderr
    return killed.stdout.strip()


def through_ingress(name: str, path: str, method="GET", headers=None, body=None):
    """A request to https://NAME.DOMAIN as a user makes it: TLS to the ingress host, the name in
    SNI and Host, the certificate checked against the platform's CA."""
    host = f"{name}.{DOMAIN}"
    context = ssl.create_default_context(cafile=str(INGRESS_CA))
    raw = socket.create_connection((container_ip("ingress-1"), 443), timeout=30)
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.sock = context.wrap_socket(raw, server_hostname=host)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(
            method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()
