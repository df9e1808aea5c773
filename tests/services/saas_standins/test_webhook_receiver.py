"""The reference receiver of the gateway's signed webhook (services/saas_standins/
webhook_receiver.py), run as its service runs: it refuses to start without its secret,
accepts a correctly signed post and rejects a wrongly signed one. (The gateway's adapter
tests use it in-process as the real receiver.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from services.saas_standins import webhook_receiver
from services.social_gateway.adapters import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SECRET = "receiver-secret-" + "r" * 20


def _signed(body: bytes, secret: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def test_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv("SOCIAL_WEBHOOK_SECRET", raising=False)
    assert webhook_receiver.main(["--port", "0"]) == 2
    assert "SOCIAL_WEBHOOK_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("SOCIAL_WEBHOOK_SECRET", "short")
    assert webhook_receiver.main(["--port", "0"]) == 2


def test_served_receiver_checks_signatures(serve_module: Callable[[str, dict[str, str]], str]):
    base = serve_module(
        "services.saas_standins.webhook_receiver", {"SOCIAL_WEBHOOK_SECRET": SECRET}
    )
    body = json.dumps({"text": "hello", "idempotency_key": "k-00000001"}).encode()
    bad = httpx.post(f"{base}/hook", content=body, headers=_signed(body, "x" * 20), timeout=5)
    assert bad.status_code == 401 and bad.json() == {"error": "signature does not match"}
    good = httpx.post(f"{base}/hook", content=body, headers=_signed(body, SECRET), timeout=5)
    assert good.status_code == 201 and good.json()["id"] == "1"
    listing = httpx.get(f"{base}/posts", timeout=5).json()
    assert [p["text"] for p in listing["posts"]] == ["hello"]
    assert listing["deliveries"] == 1 and listing["rejected"] == ["bad signature"]
