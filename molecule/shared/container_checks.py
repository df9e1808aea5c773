"""What the scenarios' testinfra checks share: the address of a scenario's container on its
network (its private address), plain JSON calls to it from the controller, and waiting for
something to happen.

Not a package (``molecule`` must stay the tool's name on import): each scenario's
``tests/conftest.py`` puts this directory on sys.path.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any

import pytest


def container_address(instance: str) -> str:
    """The container's one address on the scenario's network."""
    out = subprocess.run(
        ["podman", "inspect", "--format",
         "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", instance],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.split()  # fmt: skip
    assert len(out) == 1, out
    return out[0]


@pytest.fixture(scope="module")
def address(request: pytest.FixtureRequest) -> str:
    """The address of the container the test module names as ``INSTANCE``."""
    return container_address(request.module.INSTANCE)


def call(
    url: str,
    *,
    method: str = "GET",
    body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """(status, decoded JSON body); HTTP errors are answers, not exceptions. ``body`` is sent
    as JSON; ``data`` as it is (for signed bodies, whose bytes must not change)."""
    if body is not None:
        data = json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def scrape(url: str, auth: tuple[str, str] | None) -> tuple[int, str]:
    """(status, text) of a Prometheus exporter's page, with basic auth when given; HTTP
    errors are answers, not exceptions."""
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(predicate, timeout: float, what: str, interval: float = 1.0):
    """predicate()'s first truthy result, polled every `interval` s; fails the test with
    `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
