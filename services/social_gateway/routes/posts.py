"""The posting API for clients (the social pipeline): every route needs ``X-API-Key``.

- ``POST /api/v1/posts`` (header ``Idempotency-Key``): publish once per key (publishing.py):
  201 for the post this request made, 200 for an earlier one with the same key and body,
  409 with ``Retry-After`` while another request is still publishing it, 422 for the same
  key with a different body.
- ``GET /api/v1/posts/{id}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from services.social_gateway.deps import PublisherDep, StoreDep, require_api_key
from services.social_gateway.errors import PostNotFound
from services.social_gateway.schemas import ERRORS, ErrorBody, PostOut, PostRequest

router = APIRouter(prefix="/api/v1/posts", dependencies=[Depends(require_api_key)])


@router.post(
    "",
    status_code=201,
    response_model=PostOut,
    responses={200: {"model": PostOut}, 409: {"model": PostOut}, **ERRORS},
)
def create_post(
    body: PostRequest,
    publisher: PublisherDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    outcome = publisher.publish(body, idempotency_key)
    return JSONResponse(outcome.post.public(), status_code=201 if outcome.created else 200)


@router.get("/{post_id}", response_model=PostOut, responses={404: {"model": ErrorBody}, **ERRORS})
def get_post(post_id: int, store: StoreDep) -> dict[str, Any]:
    post = store.get(post_id)
    if post is None:
        raise PostNotFound(post_id)
    return post.public()
