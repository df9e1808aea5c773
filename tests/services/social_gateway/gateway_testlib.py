"""What the gateway's tests share besides fixtures: the test key and secret, the request
headers, waiting for a post's outcome, and serving an ASGI app on loopback for tests that
need real concurrency."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.social_gateway.delivery import RetryPolicy

SECRET = "webhook-secret-" + "w" * 24
API_KEY = "gateway-key-" + "k" * 40
API_KEYS = {"ci": hashlib.sha256(API_KEY.encode()).hexdigest()}
NO_WAIT = RetryPolicy(max_attempts=4, base_delay_s=0.01)


FINAL = ("published", "failed", "unknown")


def headers(idempotency_key: str) -> dict[str, str]:
    return {"X-API-Key": API_KEY, "Idempotency-Key": idempotency_key}


def outcome(client: Any, location: str, timeout_s: float = 20.0) -> dict[str, Any]:
    """Poll a post's status resource (a TestClient or an httpx client) until it is final."""
    deadline = time.monotonic() + timeout_s
    while True:
        post = client.get(location, headers={"X-API-Key": API_KEY}).json()
        if post["status"] in FINAL:
            return dict(post)
        if time.monotonic() > deadline:
            raise AssertionError(f"post still {post['status']} after {timeout_s} s: {post}")
        time.sleep(0.02)


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
