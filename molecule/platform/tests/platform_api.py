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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

# molecule/shared: what every scenario's checks share (not a package; see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
import container_checks

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


def call(method, url, body=None, token=None, headers=None, timeout=30):
    """(status, decoded JSON body or text); HTTP errors are answers, not exceptions."""
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        text = err.read().decode()
        try:
            return err.code, json.loads(text)
        except json.JSONDecodeError:
            return err.code, text


def quote(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


def wait_for(predicate, timeout, what, interval=3.0):
    """container_checks.wait_for, polling every 3 s: these checks ask podman and services."""
    return container_checks.wait_for(predicate, timeout, what, interval)


class Airflow:
    """The Airflow API on the master, as the tests drive it: one DAG at a time."""

    def __init__(self, api: str, token: str, dag: str) -> None:
        self.api, self.token, self.dag = api, token, dag

    def get(self, path: str):
        return call("GET", f"{self.api}/api/v2/dags/{self.dag}{path}", token=self.token)

    def unpause(self) -> None:
        wait_for(lambda: self.get("")[0] == 200, 300, f"the dag-processor to register {self.dag}")
        status, body = call(
            "PATCH", f"{self.api}/api/v2/dags/{self.dag}", {"is_paused": False}, token=self.token
        )
        assert status == 200 and body["is_paused"] is False, body

    def trigger(self, conf: dict) -> str:
        status, run = call(
            "POST",
            f"{self.api}/api/v2/dags/{self.dag}/dagRuns",
            {"logical_date": None, "conf": conf},
            token=self.token,
        )
        assert status == 200, run
        return run["dag_run_id"]

    def state(self, run_id: str) -> str | None:
        _, body = self.get(f"/dagRuns/{quote(run_id)}")
        return body.get("state") if isinstance(body, dict) else None

    def wait_finished(self, run_id: str, timeout: int) -> str:
        def finished():
            state = self.state(run_id)
            return state if state in ("success", "failed") else None

        return wait_for(finished, timeout, f"{self.dag} run {run_id} to finish", interval=5)

    def task_instances(self, run_id: str, task_id: str) -> list[dict]:
        """Every task instance of `task_id` in the run (one per map index when mapped)."""
        status, body = self.get(f"/dagRuns/{quote(run_id)}/taskInstances?limit=500")
        assert status == 200, body
        return [ti for ti in body["task_instances"] if ti["task_id"] == task_id]

    def tries(self, run_id: str, task_id: str) -> list[dict]:
        """Every try of every instance of `task_id` (a retried task has one per try)."""
        found = []
        for ti in self.task_instances(run_id, task_id):
            index = ti.get("map_index", -1)
            path = f"/dagRuns/{quote(run_id)}/taskInstances/{task_id}"
            path += f"/{index}/tries" if index >= 0 else "/tries"
            status, body = self.get(path)
            assert status == 200, body
            found += body["task_instances"]
        return found


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
