"""``python -m services.social_gateway serve|migrate|new-api-key``."""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys

from core.settings import SettingsError
from integrations.postgres.client import CatalogUnavailableError
from integrations.postgres.migrations import MigrationError
from services.social_gateway.config import ENV_PREFIX, DatabaseSettings, GatewaySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.social_gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help=f"run the gateway (settings from {ENV_PREFIX}*)")
    sub.add_parser(
        "migrate",
        help=f"apply the schema migrations the database lacks ({ENV_PREFIX}DSN); "
        "prints what was applied, or that the schema is up to date",
    )
    sub.add_parser("new-api-key", help="print a new key and the SHA-256 to configure")
    args = parser.parse_args(argv)
    if args.command == "new-api-key":
        key = secrets.token_urlsafe(32)
        print(f"key:    {key}\nsha256: {hashlib.sha256(key.encode()).hexdigest()}")
        return 0
    try:
        return _migrate() if args.command == "migrate" else _serve()
    except SettingsError as exc:
        print(f"social gateway: {exc}", file=sys.stderr)
        return 2
    except (CatalogUnavailableError, MigrationError) as exc:
        print(f"social gateway: {exc}", file=sys.stderr)
        return 1


def _serve() -> int:
    settings = GatewaySettings.load()
    import uvicorn

    from services.social_gateway.app import create_app

    uvicorn.run(create_app(settings), host=settings.bind_host, port=settings.bind_port)
    return 0


def _migrate() -> int:
    from services.social_gateway.store import migrate

    applied = migrate(DatabaseSettings.load().dsn)
    if applied:
        print("applied migrations: " + ", ".join(f"{n:04d}" for n in applied))
    else:
        print("schema up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
