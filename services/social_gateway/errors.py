"""Requests the gateway refuses, as exceptions the domain code raises and one handler turns
into the answer: ``{"detail": ...}`` with the status code (and headers) of the refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from services.social_gateway.store import StoredPost


class GatewayError(Exception):
    """A refusal; subclasses set the status code."""

    status_code = 422

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail}


class MissingApiKey(GatewayError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("a valid API key is required (X-API-Key header or Bearer token)")


class BadIdempotencyKey(GatewayError):
    status_code = 400

    def __init__(self) -> None:
        super().__init__("an Idempotency-Key header of 8 to 200 characters is required")


class UnknownPlatform(GatewayError):
    def __init__(self, platform: str, known: list[str]) -> None:
        names = ", ".join(sorted(known)) or "none configured"
        super().__init__(f"unknown platform {platform!r} (known: {names})")


class BadMediaPath(GatewayError):
    """The media path is not a file name the gateway may read (outside its media root)."""


class IdempotencyKeyReused(GatewayError):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used with a different request body")


class PostNotFound(GatewayError):
    status_code = 404

    def __init__(self, post_id: int) -> None:
        super().__init__(f"no post {post_id}")


class WrongPostState(GatewayError):
    """A person's action (retry, confirm) on a post that is not in a state it applies to."""

    status_code = 409

    def __init__(self, post: StoredPost, action: str, allowed: str) -> None:
        super().__init__(f"post {post.id} is {post.status}; {action} applies to {allowed}")


async def gateway_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GatewayError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
