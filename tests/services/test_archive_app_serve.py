"""`python -m services.archive_app serve` as the role runs it: bad settings stop it with the
line that names them; its WebSocket (all a Streamlit page does goes through it) accepts its
own public origins, port included, and refuses any other site's page."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from platformctl.terraform_moto import free_port

pytest.importorskip("streamlit", reason="streamlit is not installed (the app extra)")
websockets = pytest.importorskip("websockets")
PUBLIC = "https://app.example.test:8443"


def _serve(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "services.archive_app", "serve"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_bad_setting_stops_it_with_the_variable_named() -> None:
    process = _serve(
        {
            "ARCHIVE_APP_ARCHIVE_URL": "http://127.0.0.1:1",
            "ARCHIVE_APP_API_KEY": "x" * 20,
            "ARCHIVE_APP_PUBLIC_ORIGINS": '["app.example.test"]',
        }
    )
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "ARCHIVE_APP_PUBLIC_ORIGINS" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    port = free_port()
    process = _serve(
        {
            "ARCHIVE_APP_ARCHIVE_URL": "http://127.0.0.1:1",
            "ARCHIVE_APP_API_KEY": "x" * 20,
            "ARCHIVE_APP_BIND_PORT": str(port),
            "ARCHIVE_APP_PUBLIC_ORIGINS": f'["{PUBLIC}"]',
        }
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the app did not start"
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _websocket(port: int, origin: str) -> str:
    async def connect() -> str:
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/_stcore/stream", origin=origin, open_timeout=10
            ):
                return "open"
        except websockets.InvalidStatus as exc:
            return str(exc.response.status_code)

    return asyncio.run(connect())


def test_the_websocket_takes_its_public_origin_and_refuses_other_sites(served: int) -> None:
    assert _websocket(served, PUBLIC) == "open"
    assert _websocket(served, "https://evil.example.test") == "403"
