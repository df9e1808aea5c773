"""What the API accepts and answers (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class PostRequest(BaseModel):
    platform: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=10_000)
    media_path: str | None = None


# queued -> publishing -> published | failed | unknown (see worker.py); a person moves
# failed/unknown back to queued (retry) or unknown to published (confirm).
PostStatus = Literal["queued", "publishing", "published", "failed", "unknown"]


class PostOut(BaseModel):
    id: int
    platform: str
    status: PostStatus
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int
    retryable: bool
    created_at: str
    updated_at: str


class ConfirmRequest(BaseModel):
    """What a person found on the platform for a post whose outcome was unknown."""

    external_id: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)


class ErrorBody(BaseModel):
    detail: Any


class HealthOut(BaseModel):
    status: str
    # With a valid X-API-Key only.
    database: str | None = None
    platforms: list[str] | None = None


# The refusals every route with an API key documents.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody},
    401: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
# The refusals of routes without headers or bodies to refuse (GET and the actions on a post).
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
