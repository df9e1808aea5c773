"""``python -m integrations.custom_api serve|new-api-key``."""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys

from integrations.custom_api.settings import GatewayConfigError, load_gateway_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.custom_api")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the gateway (settings from SOCIAL_GATEWAY_*)")
    sub.add_parser("new-api-key", help="print a new key and the SHA-256 to configure")
    args = parser.parse_args(argv)
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

    from integrations.custom_api.app import create_app

    uvicorn.run(create_app(settings), host=settings.bind_host, port=settings.bind_port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
