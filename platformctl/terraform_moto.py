"""A moto server on 127.0.0.1 that stands in for AWS in the emulated environment.

Settings the platform needs from moto: AWS managed policies (AmazonSSMManagedInstanceCore),
Debian 12 AMIs (terraform/roots/emulated/moto-amis.json) and ACM certificates that
validate at once instead of after 60 s. The server is moto's own application served one
request at a time (platformctl/moto_one_at_a_time.py), because moto is not thread-safe.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from urllib.parse import urlparse

from platformctl.errors import TerraformError

ROOT = Path(__file__).resolve().parent.parent
AMIS = ROOT / "terraform" / "roots" / "emulated" / "moto-amis.json"
DEFAULT_MOTO_URL = "http://127.0.0.1:5000"
ONE_AT_A_TIME = Path(__file__).resolve().parent / "moto_one_at_a_time.py"
NOT_INSTALLED = "moto's server is not installed (pip install 'moto[server]')"


def server_command(host: str, port: int) -> list[str]:
    """The command that serves moto on host:port; RuntimeError when moto is missing."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("werkzeug") is None:
        raise RuntimeError(NOT_INSTALLED)
    return [sys.executable, str(ONE_AT_A_TIME), "-H", host, "-p", str(port)]


def moto_url() -> str:
    """The moto endpoint for the emulated environment; loopback only."""
    url = os.environ.get("MOTO_URL", DEFAULT_MOTO_URL).rstrip("/")
    parsed = urlparse(url)
    if (
        parsed.scheme != "http"
        or parsed.hostname not in ("127.0.0.1", "localhost")
        or not parsed.port
    ):
        raise TerraformError(f"MOTO_URL must be http://127.0.0.1:<port>, got {url!r}")
    return url


def check_moto(url: str) -> None:
    """Fail with one line when nothing listens on the moto endpoint."""
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 80), timeout=2
        ):
            pass
    except OSError as exc:
        raise TerraformError(
            f"moto is not running at {url} ({exc.strerror or exc}); start it with "
            f"`python -m platformctl.terraform_moto {parsed.port}` or set MOTO_URL"
        ) from None


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def moto_environment() -> dict[str, str]:
    """Environment variables a moto server for the platform must start with."""
    return {
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
        "MOTO_AMIS_PATH": str(AMIS),
        "MOTO_ACM_VALIDATION_WAIT": "0",
    }


class MotoServer:
    """`with MotoServer() as url:` starts moto on a free loopback port and stops it."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        command = server_command("127.0.0.1", self.port)
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._proc = subprocess.Popen(
            command,
            env={**os.environ, **moto_environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"moto's server exited with {self._proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):  # noqa: S310
                    return self.url
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto's server did not answer on {self.url} within 30 s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """`python -m platformctl.terraform_moto [PORT]`: moto for `make apply ENV=emulated`."""
    args = sys.argv[1:] if argv is None else argv
    port = int(args[0]) if args else 5000
    try:
        command = server_command("127.0.0.1", port)
    except RuntimeError as exc:
        print(f"platformctl: {exc}", file=sys.stderr)
        return 2
    print(f"moto on http://127.0.0.1:{port}; use MOTO_URL=http://127.0.0.1:{port}", flush=True)
    return subprocess.call(command, env={**os.environ, **moto_environment()})


if __name__ == "__main__":
    raise SystemExit(main())
