"""What the platform's tests share: where the scenario's hosts and secrets are, and plain
JSON calls to their HTTP APIs from the controller (our own containers on our own podman
network, reached on their private addresses)."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

PREFIX = os.environ.get("PLATFORM_PREFIX", "molecule-platform-")
NETWORK = os.environ.get("PLATFORM_NETWORK", "cdaprod-molecule-platform")
ROOT = Path(__file__).resolve().parents[3]
SECRETS = Path(
    os.environ.get("PLATFORM_SECRETS_FILE", ROOT / ".cache" / "molecule-platform" / "secrets.yml")
)


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
