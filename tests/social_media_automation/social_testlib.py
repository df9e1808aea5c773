"""Test helpers of the social pipeline: the token of the Airtable stand-in (the local stand-in
of the few Airtable REST calls the calendar client uses lives in services/saas_standins/airtable.py;
Airtable itself is SaaS our build machines cannot reach), and a way to serve ASGI apps on
loopback."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samples.social_media_automation.config import PlatformConfig

WEBHOOK_SECRET = "social-webhook-" + "s" * 24
GATEWAY_KEY = "social-gateway-key-" + "g" * 30
PLATFORMS = {
    "shorts": PlatformConfig(
        name="shorts", profile="vertical", caption_limit=2200, hashtag_limit=30, clip_s=60.0
    ),
    "feed": PlatformConfig(
        name="feed", profile="landscape", caption_limit=200, hashtag_limit=5, clip_s=30.0
    ),
}
LONG_DESCRIPTION = (
    "An unhurried walk along the old quay, past the fish market, the rope makers and the "
    "little chapel, while the tide comes in and the gulls argue over the morning catch; "
    "a long description that no short platform caption can hold."
)


@dataclass(frozen=True)
class SocialArchive:
    dsn: str
    originals: Path
    digests: dict[str, str]  # rel_path -> sha256, taken before the pipeline ran


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


STANDIN_TOKEN = "pat-standin-" + "t" * 20  # the stand-in's own fixed token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedApp:
    """An ASGI app served by uvicorn on a free loopback port, in a thread. The port is bound
    here and the socket handed to uvicorn: no other process (another pytest-xdist worker) can
    take it between choosing it and serving on it."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        for _ in range(250):
            if self.server.started:
                return
            time.sleep(0.02)
        raise RuntimeError("the app did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
