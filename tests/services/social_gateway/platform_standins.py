"""Local HTTP stand-ins of Discord's and Mastodon's documented endpoints (the SaaS platforms
are out of reach of the build machines, so these play them in the adapters' tests). They are
not Discord or Mastodon: only the behaviour the adapters rely on is reproduced."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Header, HTTPException, Request, UploadFile


def discord_standin(
    answer_delay_s: list[float] | None = None,
) -> tuple[FastAPI, list[dict[str, Any]]]:
    """Stand-in of Discord's Execute Webhook: POST /api/webhooks/{id}/{token}?wait=true,
    multipart with payload_json and files[n]; returns the message object.

    ``answer_delay_s``: delays of the next answers, one per request (popped): the message is
    made at once and answered after the delay, so a client's read timeout leaves a message
    that exists but whose answer never arrived, as on a slow Discord."""
    app, messages = FastAPI(), []
    delays = answer_delay_s if answer_delay_s is not None else []

    @app.post("/api/webhooks/{hook_id}/{token}")
    async def execute(hook_id: str, token: str, request: Request, wait: bool = False) -> Any:
        if token != "hook-token":
            raise HTTPException(401, "Invalid Webhook Token")
        form = await request.form()
        payload = json.loads(str(form["payload_json"]))
        upload = form.get("files[0]")
        data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
        message = {
            "id": str(1000 + len(messages)),
            "channel_id": "42",
            "content": payload["content"],
            "attachments": [{"filename": upload.filename, "size": len(data)}] if data else [],
        }
        messages.append(message)
        if delays:
            await asyncio.sleep(delays.pop(0))
        return message if wait else None

    return app, messages


def mastodon_standin() -> tuple[FastAPI, dict[str, Any]]:
    """Stand-in of Mastodon: POST /api/v2/media (202 while processing, url null),
    GET /api/v1/media/:id, POST /api/v1/statuses honouring Idempotency-Key."""
    app = FastAPI()
    state: dict[str, Any] = {"media": {}, "statuses": [], "by_key": {}, "polls": 0}

    def auth(authorization: str | None) -> None:
        if authorization != "Bearer masto-token":
            raise HTTPException(401, "The access token is invalid")

    @app.post("/api/v2/media", status_code=202)
    async def upload(
        file: Annotated[UploadFile, File()], authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        auth(authorization)
        media_id = str(len(state["media"]) + 1)
        state["media"][media_id] = {"size": len(await file.read()), "name": file.filename}
        return {"id": media_id, "type": "video", "url": None}

    @app.get("/api/v1/media/{media_id}")
    def media(media_id: str, authorization: Annotated[str | None, Header()] = None) -> Any:
        auth(authorization)
        state["polls"] += 1
        return {"id": media_id, "type": "video", "url": f"http://files/{media_id}.mp4"}

    @app.post("/api/v1/statuses")
    def status(
        status: Annotated[str, Form()],
        media_ids: Annotated[list[str] | None, Form(alias="media_ids[]")] = None,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        auth(authorization)
        if idempotency_key in state["by_key"]:
            return state["by_key"][idempotency_key]
        if len(status) > 500:
            raise HTTPException(422, "Validation failed: Text character limit of 500 exceeded")
        created = {
            "id": str(110_000 + len(state["statuses"])),
            "url": f"https://mastodon.example/@us/{110_000 + len(state['statuses'])}",
            "content": status,
            "media_attachments": [state["media"][m] for m in media_ids or []],
        }
        state["statuses"].append(created)
        state["by_key"][idempotency_key] = created
        return created

    return app, state
