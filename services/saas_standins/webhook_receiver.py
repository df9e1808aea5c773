"""A reference receiver of the gateway's signed webhook, standing in for a platform: verifies
the HMAC and timestamp, records every accepted post (no de-duplication of its own, so a
duplicate sent by the gateway shows), and answers ``{"id", "url"}``. Run it to check a
deployment end to end::

    SOCIAL_WEBHOOK_SECRET=... python -m services.saas_standins.webhook_receiver --port 8711

``GET /posts`` lists what it accepted (``{"deliveries", "posts", "rejected"}``), so a check
from outside can count posts. It keeps everything in memory and listens on loopback unless
told otherwise: a tool for checking deployments and for tests, not a production endpoint.
The tests use it as the real receiver (``running``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.social_gateway.adapters import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

MAX_SKEW_S = 300


@dataclass
class ReceivedPosts:
    """What the receiver accepted, in order; ``deliveries`` counts every valid request."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    deliveries: int = 0
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Scripted answers for tests: status codes to return before accepting (e.g. [503, 429]).
    script: list[int] = field(default_factory=list)
    refuse_word: str | None = None  # answer 400 to posts whose text contains this word


def make_server(secret: str, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A receiver server (call ``serve_forever`` in a thread); ``server.received`` holds posts."""
    received = ReceivedPosts()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            return

        def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # http.server's naming
            if self.path.split("?")[0] != "/posts":
                return self._answer(404, {"error": "only GET /posts is served"})
            with received.lock:
                body = {
                    "deliveries": received.deliveries,
                    "posts": list(received.posts),
                    "rejected": list(received.rejected),
                }
            return self._answer(200, body)

        def do_POST(self) -> None:  # http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            timestamp = self.headers.get(TIMESTAMP_HEADER, "")
            signature = self.headers.get(SIGNATURE_HEADER, "")
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_S:
                received.rejected.append("stale or missing timestamp")
                return self._answer(401, {"error": "stale or missing signature timestamp"})
            if not verify_signature(secret, timestamp, body, signature):
                received.rejected.append("bad signature")
                return self._answer(401, {"error": "signature does not match"})
            key = self.headers.get(IDEMPOTENCY_HEADER, "")
            with received.lock:
                received.deliveries += 1
                if received.script:
                    status = received.script.pop(0)
                    return self._answer(status, {"error": "scripted"}, {"Retry-After": "0"})
                post = json.loads(body)
                if received.refuse_word and received.refuse_word in post.get("text", ""):
                    word = received.refuse_word
                    return self._answer(400, {"error": f"the text contains {word!r}, not allowed"})
                post["received_idempotency_key"] = key
                post["url"] = (
                    f"http://{self.server.server_address[0]}/posts/{len(received.posts) + 1}"
                )
                received.posts.append(post)
                return self._answer(201, {"id": str(len(received.posts)), "url": post["url"]})

    server = ThreadingHTTPServer((host, port), Handler)
    server.received = received  # type: ignore[attr-defined]
    return server


@contextmanager
def running(secret: str, host: str = "127.0.0.1", port: int = 0) -> Iterator[ThreadingHTTPServer]:
    """A receiver serving in a thread while the block runs; ``server.received`` holds posts."""
    server = make_server(secret, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.saas_standins.webhook_receiver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8711)
    args = parser.parse_args(argv)
    secret = os.environ.get("SOCIAL_WEBHOOK_SECRET", "")
    if len(secret) < 16:
        print("set SOCIAL_WEBHOOK_SECRET (16+ characters)", file=sys.stderr)
        return 2
    server = make_server(secret, args.host, args.port)
    print(f"receiver on http://{args.host}:{server.server_address[1]}/", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
