"""Test helpers of the social pipeline: a local stand-in of the few Airtable REST calls the
calendar client uses (Airtable itself is SaaS our build machines cannot reach), and a way to
serve ASGI apps on loopback."""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from samples.social_media_automation.config import PlatformConfig

WEBHOOK_SECRET = "social-webhook-" + "s" * 24
GATEWAY_KEY = "social-gateway-key-" + "g" * 30
PLATFORMS = {
    "shorts": PlatformConfig("shorts", "vertical", 2200, 30, 1.0, 60.0),
    "feed": PlatformConfig("feed", "landscape", 200, 5, 1.0, 30.0),
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
    """An ASGI app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(250):
            if self.server.started:
                return
            time.sleep(0.02)
        raise RuntimeError("the app did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


_EQUALS = re.compile(r"\{([^}]+)\}\s*=\s*'((?:[^'\\]|\\.)*)'")


def airtable_standin() -> tuple[FastAPI, dict[str, dict[str, dict[str, Any]]]]:
    """Stand-in of Airtable's list/create/update records endpoints (``/v0/{base}/{table}``).
    Formulas: only ``{Field}='value'`` terms (ANDed), which is all the client sends."""
    app = FastAPI()
    tables: dict[str, dict[str, dict[str, Any]]] = {}

    def auth(request: Request) -> None:
        if request.headers.get("authorization") != f"Bearer {STANDIN_TOKEN}":
            raise HTTPException(401, {"type": "AUTHENTICATION_REQUIRED"})

    @app.get("/v0/{base}/{table}")
    def list_records(base: str, table: str, request: Request) -> dict[str, Any]:
        auth(request)
        records = list(tables.get(f"{base}/{table}", {}).values())
        formula = request.query_params.get("filterByFormula")
        if formula:
            terms = _EQUALS.findall(formula)
            if not terms:
                raise HTTPException(422, {"type": "INVALID_FILTER_BY_FORMULA"})
            records = [
                r for r in records if all(str(r["fields"].get(f, "")) == v for f, v in terms)
            ]
        wanted = request.query_params.getlist("fields[]")
        if wanted:
            records = [
                {**r, "fields": {k: v for k, v in r["fields"].items() if k in wanted}}
                for r in records
            ]
        return {"records": records}

    @app.post("/v0/{base}/{table}")
    async def create(base: str, table: str, request: Request) -> dict[str, Any]:
        auth(request)
        body = await request.json()
        store = tables.setdefault(f"{base}/{table}", {})
        created = []
        for item in body["records"]:
            rid = "rec" + secrets.token_hex(7)
            record = {
                "id": rid,
                "createdTime": datetime.now(UTC).isoformat(),
                "fields": {k: v for k, v in item["fields"].items() if v not in ("", None)},
            }
            store[rid] = record
            created.append(record)
        return {"records": created}

    def _update(base: str, table: str, rid: str, fields: dict[str, Any]) -> dict[str, Any]:
        record = tables.get(f"{base}/{table}", {}).get(rid)
        if record is None:
            raise HTTPException(404, {"type": "MODEL_ID_NOT_FOUND"})
        record["fields"].update(fields)
        return record

    @app.patch("/v0/{base}/{table}")
    async def batch_update(base: str, table: str, request: Request) -> dict[str, Any]:
        auth(request)
        body = await request.json()
        return {"records": [_update(base, table, r["id"], r["fields"]) for r in body["records"]]}

    @app.patch("/v0/{base}/{table}/{rid}")
    async def update(base: str, table: str, rid: str, request: Request) -> dict[str, Any]:
        auth(request)
        return _update(base, table, rid, (await request.json())["fields"])

    return app, tables
