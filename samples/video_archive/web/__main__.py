"""Run the web service or prepare its credentials.

python -m samples.video_archive.web serve            # address from the settings
python -m samples.video_archive.web hash-password    # prompts; prints a scrypt hash
python -m samples.video_archive.web new-api-key      # prints a key and its SHA-256
"""

from __future__ import annotations

import argparse
import getpass
import sys

from samples.video_archive.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.video_archive.web")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host", help="override the bind address (default from settings)")
    serve.add_argument("--port", type=int, help="override the port")
    sub.add_parser("hash-password", help="read a password and print its hash for the settings")
    sub.add_parser("new-api-key", help="print a new API key and the SHA-256 to configure")
    args = parser.parse_args(argv)

    if args.command == "hash-password":
        from samples.video_archive.web.auth import hash_password

        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
        try:
            print(hash_password(password.rstrip("\n")))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "new-api-key":
        from samples.video_archive.web.auth import new_api_key

        key, digest = new_api_key()
        print(f"key:        {key}\nkey_sha256: {digest}")
        return 0

    import uvicorn

    from samples.video_archive.web.app import create_app
    from samples.video_archive.web.settings import load_web_settings

    try:
        settings = load_web_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.bind_host,
        port=args.port or settings.bind_port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        access_log=False,
        log_level="info",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
