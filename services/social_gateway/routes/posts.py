"""The posting API for clients (the social pipeline): every route needs ``X-API-Key``.

- ``POST /api/v1/posts`` (header ``Idempotency-Key``): queue a post once per key
  (publishing.py). 202 with the queued post and ``Location`` when this request queued it
  (new, or a transient failure queued again); 200 with the earlier post, in whatever state,
  for the same key and body; 422 for the same key with a different body.
- ``GET /api/v1/posts/{id}``: the post's status resource; clients poll it until
  ``published``, ``failed`` or ``unknown``.
- ``POST /api/v1/posts/{id}/retry``: a person re-queues a ``failed`` or ``unknown`` post
  (after checking the platform does not have it); 202.
- ``POST /api/v1/posts/{id}/confirm`` (body: ``external_id``, ``url``, both optional): a
  person found an ``unknown`` post on the platform; it becomes ``published``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse

from services.social_gateway.deps import PublisherDep, require_api_key
from services.social_gateway.schemas import (
    AUTH_ERRORS,
    ERRORS,
    ConfirmRequest,
    ErrorBody,
    PostOut,
    PostRequest,
)
from services.social_gateway.store import StoredPost

PREFIX = "/api/v1/posts"
router = APIRouter(prefix=PREFIX, dependencies=[Depends(require_api_key)])
_LOCATION = {
    "Location": {"description": "the post's status resource", "schema": {"type": "string"}}
}


def _answer(post: StoredPost, status_code: int) -> JSONResponse:
    return JSONResponse(
        post.public(), status_code=status_code, headers={"Location": f"{PREFIX}/{post.id}"}
    )


@router.post(
    "",
    status_code=202,
    response_model=PostOut,
    responses={
        202: {"description": "queued by this request", "headers": _LOCATION},
        200: {"model": PostOut, "description": "the key's earlier post", "headers": _LOCATION},
        **ERRORS,
    },
)
def create_post(
    body: PostRequest,
    publisher: PublisherDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    outcome = publisher.submit(body, idempotency_key)
    return _answer(outcome.post, 202 if outcome.queued else 200)


@router.get("/{post_id}", response_model=PostOut, responses=AUTH_ERRORS)
def get_post(post_id: int, publisher: PublisherDep) -> dict[str, Any]:
    return publisher.get(post_id).public()


@router.post(
    "/{post_id}/retry",
    status_code=202,
    response_model=PostOut,
    responses={
        202: {"description": "queued again", "headers": _LOCATION},
        409: {"model": ErrorBody},
        **AUTH_ERRORS,
    },
)
def retry_post(post_id: int, publisher: PublisherDep) -> JSONResponse:
    return _answer(publisher.retry(post_id), 202)


@router.post(
    "/{post_id}/confirm",
    response_model=PostOut,
    responses={409: {"model": ErrorBody}, **AUTH_ERRORS},
)
def confirm_post(post_id: int, body: ConfirmRequest, publisher: PublisherDep) -> dict[str, Any]:
    return publisher.confirm(post_id, body.external_id, body.url).public()
