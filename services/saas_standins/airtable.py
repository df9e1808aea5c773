"""A LOCAL STAND-IN of the few Airtable REST endpoints the content calendar client uses. It is
NOT Airtable and does not try to be: Airtable is a SaaS our build machines and the local
platform cannot reach, so tests and the local platform point ``SOCIAL_AIRTABLE_ENDPOINT`` at
this instead. Only Airtable's documented behaviour that ``integrations/airtable/client.py``
relies on is reproduced:

- ``GET /v0/{base}/{table}``: list records; ``filterByFormula`` with ``{Field}='value'``
  terms only (ANDed, which is all pyairtable's ``match`` sends), ``fields[]``.
- ``POST /v0/{base}/{table}``: create records (``{"records": [{"fields": ...}]}``).
- ``PATCH /v0/{base}/{table}`` and ``PATCH /v0/{base}/{table}/{record id}``: update fields.
- ``Authorization: Bearer <token>``: a missing or wrong token is answered 401
  ``AUTHENTICATION_REQUIRED`` as Airtable does; an unknown record 404 ``MODEL_ID_NOT_FOUND``.

No pagination (every record comes in one page), no field types, no rate limit, everything in
memory (lost on restart). Run it as a service::

    AIRTABLE_STANDIN_TOKEN=... python -m services.saas_standins.airtable --host ADDR --port 8720

The token is required (16+ characters); the stand-in refuses to start without one.
"""

from __future__ import annotations

import argparse
import hmac
import os
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request

TOKEN_ENV = "AIRTABLE_STANDIN_TOKEN"  # noqa: S105 - the variable's name, not a token
MIN_TOKEN_LENGTH = 16
DEFAULT_PORT = 8720

Tables = dict[str, dict[str, dict[str, Any]]]  # "base/table" -> record id -> record

_EQUALS = re.compile(r"\{([^}]+)\}\s*=\s*'((?:[^'\\]|\\.)*)'")


def _authorised(request: Request) -> None:
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, request.app.state.expected_authorization):
        raise HTTPException(
            401,
            {
                "type": "AUTHENTICATION_REQUIRED",
                "message": "Authentication required (Airtable stand-in)",
            },
        )


def _tables(request: Request) -> Tables:
    return request.app.state.tables


TablesDep = Annotated[Tables, Depends(_tables)]
router = APIRouter(prefix="/v0/{base}/{table}", dependencies=[Depends(_authorised)])


@router.get("")
def list_records(base: str, table: str, request: Request, tables: TablesDep) -> dict[str, Any]:
    records = list(tables.get(f"{base}/{table}", {}).values())
    formula = request.query_params.get("filterByFormula")
    if formula:
        terms = _EQUALS.findall(formula)
        if not terms:
            raise HTTPException(422, {"type": "INVALID_FILTER_BY_FORMULA"})
        records = [r for r in records if all(str(r["fields"].get(f, "")) == v for f, v in terms)]
    wanted = request.query_params.getlist("fields[]")
    if wanted:
        records = [
            {**r, "fields": {k: v for k, v in r["fields"].items() if k in wanted}} for r in records
        ]
    return {"records": records}


@router.post("")
async def create(base: str, table: str, request: Request, tables: TablesDep) -> dict[str, Any]:
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


def _update(tables: Tables, key: str, rid: str, fields: dict[str, Any]) -> dict[str, Any]:
    record = tables.get(key, {}).get(rid)
    if record is None:
        raise HTTPException(404, {"type": "MODEL_ID_NOT_FOUND"})
    record["fields"].update(fields)
    return record


@router.patch("")
async def batch_update(
    base: str, table: str, request: Request, tables: TablesDep
) -> dict[str, Any]:
    body = await request.json()
    key = f"{base}/{table}"
    return {"records": [_update(tables, key, r["id"], r["fields"]) for r in body["records"]]}


@router.patch("/{rid}")
async def update(
    base: str, table: str, rid: str, request: Request, tables: TablesDep
) -> dict[str, Any]:
    return _update(tables, f"{base}/{table}", rid, (await request.json())["fields"])


def create_app(token: str) -> FastAPI:
    """The stand-in as an ASGI app; its records are in ``app.state.tables``."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"the stand-in's token must have {MIN_TOKEN_LENGTH}+ characters")
    app = FastAPI(
        title="Airtable stand-in (local; not Airtable)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.tables = {}
    app.state.expected_authorization = f"Bearer {token}".encode()
    app.include_router(router)
    return app


def airtable_standin(token: str) -> tuple[FastAPI, Tables]:
    """The app and its (live) tables, for tests that look at what the client wrote."""
    app = create_app(token)
    return app, app.state.tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.saas_standins.airtable",
        description="Local stand-in of a few Airtable REST endpoints (not Airtable). "
        f"The bearer token comes from {TOKEN_ENV}.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < MIN_TOKEN_LENGTH:
        print(f"set {TOKEN_ENV} ({MIN_TOKEN_LENGTH}+ characters)", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(create_app(token), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
