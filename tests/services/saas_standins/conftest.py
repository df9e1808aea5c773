"""Fixtures of the stand-ins' tests: a stand-in run as its systemd unit runs it
(``python -m services.saas_standins.<name> --host ... --port ...`` with its secret in the
environment)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

ServeModule = Callable[[str, dict[str, str]], str]


@pytest.fixture
def serve_module() -> Iterator[ServeModule]:
    """Start ``python -m <module>`` on a free loopback port; returns its base URL."""
    started: list[subprocess.Popen[bytes]] = []

    def serve(module: str, env: dict[str, str]) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
        )
        started.append(proc)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"{module} did not start")

    yield serve
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)
