"""Run the web service or prepare its credentials.

python -m samples.video_archive.web serve            # address from the settings
python -m samples.video_archive.web hash-password    # prompts; prints a scrypt hash
python -m samples.video_archive.web new-api-key      # prints a key and its SHA-256
python -m samples.video_archive.web prepare-catalog --sources FILE
                                                     # deployments: migrate, register sources

``hash-password --keep-env VAR`` prints the hash held in the environment variable VAR
unchanged when the password matches it and it was made with the current parameters, so a
configuration tool that re-runs it reports no change (and upgrades an older hash once).
``prepare-catalog`` applies pending catalog migrations and registers (or updates) the
sources listed in a JSON file (``[{"name": ..., "path": ..., "include": [...],
"exclude": [...]}]``), then prints what it changed as one JSON object; sources missing from
the file are left alone (``video-archive sources remove`` forgets one).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from core.settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.video_archive.web")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host", help="override the bind address (default from settings)")
    serve.add_argument("--port", type=int, help="override the port")
    hashing = sub.add_parser(
        "hash-password", help="read a password and print its hash for the settings"
    )
    hashing.add_argument(
        "--keep-env",
        metavar="VAR",
        help="print the hash in environment variable VAR unchanged if the password matches it",
    )
    sub.add_parser("new-api-key", help="print a new API key and the SHA-256 to configure")
    prepare = sub.add_parser(
        "prepare-catalog",
        help="apply pending catalog migrations, register the sources of a JSON file; "
        "print the changes as JSON",
    )
    prepare.add_argument("--sources", type=Path, help="JSON list of {name, path, include, exclude}")
    args = parser.parse_args(argv)

    if args.command == "hash-password":
        from samples.video_archive.web.auth import hash_password, needs_rehash, verify_password

        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
        password = password.rstrip("\n")
        current = os.environ.get(args.keep_env, "") if args.keep_env else ""
        # Kept while it matches and has today's parameters; an older hash is made anew
        # (the role's next run writes it: the settings are the only place hashes live).
        if current and not needs_rehash(current) and verify_password(password, current):
            print(current)
            return 0
        try:
            print(hash_password(password))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "new-api-key":
        from samples.video_archive.web.auth import new_api_key

        key, digest = new_api_key()
        print(f"key:        {key}\nkey_sha256: {digest}")
        return 0
    if args.command == "prepare-catalog":
        try:
            print(json.dumps(prepare_catalog(args.sources), sort_keys=True))
        except (SettingsError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0

    import uvicorn

    from samples.video_archive.web.app import create_app
    from samples.video_archive.web.settings import WebSettings

    try:
        settings = WebSettings.load()
    except SettingsError as exc:
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


def _source_specs(path: Path) -> list[Any]:
    """The sources a deployment lists, as catalog specs (paths must be directories)."""
    from samples.video_archive.ingestion.sources import SourceError, spec_from_uri

    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SettingsError(f"cannot read the sources file {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise SettingsError(f"{path}: expected a JSON list of sources")
    specs = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("path"):
            raise SettingsError(f"{path}: every source needs a name and a path")
        try:
            spec = spec_from_uri(
                str(entry["name"]),
                str(entry["path"]),
                tuple(entry.get("include") or ()),
                tuple(entry.get("exclude") or ()),
            )
        except SourceError as exc:
            raise SettingsError(str(exc)) from exc
        if spec.kind == "local" and not Path(spec.uri).is_dir():
            raise SettingsError(f"source {spec.name}: {spec.uri} is not a directory (mount it?)")
        specs.append(spec)
    return specs


def prepare_catalog(sources_file: Path | None) -> dict[str, Any]:
    """Migrate the catalog and register sources; return what changed (empty lists: nothing)."""
    from integrations.postgres import CatalogUnavailableError, MigrationError
    from samples.video_archive.catalog import open_catalog
    from samples.video_archive.catalog.sources import SourceNotFoundError
    from samples.video_archive.config import Settings

    specs = _source_specs(sources_file) if sources_file else []
    settings = Settings.load()
    try:
        catalog = open_catalog(settings.catalog_dsn, migrate=False)
    except CatalogUnavailableError as exc:
        raise SettingsError(str(exc)) from exc
    changes: dict[str, Any] = {"migrations_applied": [], "sources_added": [], "sources_updated": []}
    try:
        try:
            changes["migrations_applied"] = catalog.migrate()
        except MigrationError as exc:
            raise SettingsError(str(exc)) from exc
        for spec in specs:
            try:
                known = catalog.get_source(spec.name).spec
            except SourceNotFoundError:
                known = None
            if known == spec:
                continue
            catalog.add_source(spec)
            changes["sources_added" if known is None else "sources_updated"].append(spec.name)
    finally:
        catalog.close()
    return changes


if __name__ == "__main__":
    sys.exit(main())
