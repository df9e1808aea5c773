"""``python -m services.social_gateway serve|migrate|new-api-key``."""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys

from integrations.postgres.client import CatalogUnavailableError
from integrations.postgres.migrations import MigrationError
from services.social_gateway.config import ENV_PREFIX, GatewayConfigError, load_gateway_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.social_gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the gateway (settings from SOCIAL_GATEWAY_*)")
    sub.add_parser(
        "migrate",
        help=f"apply the schema migrations the database lacks ({ENV_PREFIX}DSN); "
        "prints what was applied, or that the schema is up to date",
    )
    sub.add_parser("new-api-key", help="print a new key and the SHA-256 to configure")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        return _migrate()
    if args.command == "new-api-key":
        key = secrets.token_urlsafe(32)
        print(f"key:    {key}\nsha256: {hashlib.sha256(key.encode()).hexdigest()}")
        return 0
    try:
        settings = load_gateway_settings()
    except GatewayConfigError as exc:
        print(f"social gateway: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from services.social_gateway.app import create_app

    uvicorn.run(create_app(settings), host=settings.bind_host, port=settings.bind_port)
    return 0


def _migrate() -> int:
    from services.social_gateway.store import migrate

    dsn = os.environ.get(f"{ENV_PREFIX}DSN", "")
    if not dsn:
        print(f"social gateway: set {ENV_PREFIX}DSN to the PostgreSQL connection string",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        applied = migrate(dsn)
    except (CatalogUnavailableError, MigrationError) as exc:
        print(f"social gateway: {exc}", file=sys.stderr)
        return 1
    if applied:
        print("applied migrations: " + ", ".join(f"{n:04d}" for n in applied))
    else:
        print("schema up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
