"""Fixtures of the gateway's tests: one real PostgreSQL for the suite, the real HMAC-verifying
webhook receiver, a media file, and the gateway app over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gateway_testlib import API_KEYS, SECRET

from services.saas_standins.webhook_receiver import ReceivedPosts, running
from services.social_gateway.config import GatewaySettings


@pytest.fixture(scope="session")
def gateway_dsn(new_database: Callable[[str], str]) -> str:
    return new_database("social_gateway")


@pytest.fixture
def receiver() -> Iterator[tuple[str, ReceivedPosts]]:
    """The receiver's webhook URL and what it received."""
    with running(SECRET) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", server.received  # type: ignore[attr-defined]


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "media" / "clip.mp4"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    return path


@pytest.fixture
def make_app(gateway_dsn: str) -> Callable[..., Any]:
    """The gateway with these adapters (no configured platforms) and the test API key."""
    from services.social_gateway.app import create_app

    def make(
        adapters: dict[str, Any], *, media_root: Path = Path("/nonexistent"), **settings: Any
    ) -> Any:
        # Idle workers look often: the tests wait for outcomes, not for poll intervals.
        settings = {"worker_poll_s": 0.05, **settings}
        config = GatewaySettings.load(
            {}, dsn=gateway_dsn, api_keys=API_KEYS, media_root=media_root, **settings
        )
        return create_app(config, adapters=adapters)

    return make
