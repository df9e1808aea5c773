"""What the API accepts and answers (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PostRequest(BaseModel):
    platform: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=10_000)
    media_path: str | None = None


class PostOut(BaseModel):
    id: int
    platform: str
    status: str
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int
    retryable: bool
    created_at: str
    updated_at: str
    detail: str | None = None


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
