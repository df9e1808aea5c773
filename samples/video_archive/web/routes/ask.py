"""Questions to the archive over the API: POST /api/v1/ask answers from the archive's
passages with sources (samples/archive_qa), for programs and the archive app. The answer
step is the one the service's ARCHIVE_QA_* settings choose (extractive by default)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from samples.archive_qa.answerers import Answerer
from samples.archive_qa.conversation import MAX_TURNS, Turn
from samples.archive_qa.filters import FilterError, parse_filters
from samples.archive_qa.qa import MAX_K, MAX_QUESTION_CHARS, QuestionError, ask
from samples.video_archive.search import SearchUnavailableError
from samples.video_archive.web.deps import ApiUser, CatalogDep, SemanticDep
from samples.video_archive.web.errors import ApiError
from samples.video_archive.web.schemas import API, NO_NUL, ErrorBody

router = APIRouter(prefix=API)


def get_answerer(request: Request) -> Answerer:
    return request.app.state.answerer


AnswererDep = Annotated[Answerer, Depends(get_answerer)]


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(max_length=MAX_QUESTION_CHARS, pattern=NO_NUL)
    answer: str = Field(default="", max_length=20_000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NO_NUL)
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="source, video_codec, date_from, date_to, min/max_duration_s, "
        "min/max_height, tags",
    )
    k: int = Field(default=5, ge=1, le=MAX_K)
    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)


class PassageOut(BaseModel):
    asset_id: int
    kind: str
    text: str
    start_s: float
    end_s: float | None
    time_range: str
    location: str
    title: str | None
    score: float


class AskResponse(BaseModel):
    question: str
    searched_for: str
    answer: str
    answerer: str
    notice: str | None
    sources: list[PassageOut]
    passages: list[PassageOut]


@router.post(
    "/ask",
    response_model=AskResponse,
    tags=["questions"],
    responses={
        401: {"model": ErrorBody},
        422: {"model": ErrorBody, "description": "An empty question or an unknown filter"},
        503: {"model": ErrorBody},
    },
)
def api_ask(
    _: ApiUser,
    body: AskRequest,
    catalog: CatalogDep,
    backend: SemanticDep,
    answerer: AnswererDep,
) -> AskResponse:
    try:
        filters = parse_filters(body.filters)
        with catalog.connection() as conn:
            result = ask(
                conn,
                backend,
                body.question,
                filters=filters,
                k=body.k,
                history=[Turn(t.question, t.answer) for t in body.history],
                answerer=answerer,
            )
    except (FilterError, QuestionError) as exc:
        raise ApiError(422, str(exc)) from exc
    except SearchUnavailableError as exc:
        raise ApiError(503, str(exc)) from exc
    return AskResponse.model_validate(result.as_dict())
