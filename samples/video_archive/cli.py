"""Command line: ``python -m samples.video_archive`` (or ``video-archive``).

    sources add NAME PATH|s3://bucket/prefix [--include GLOB] [--exclude GLOB]
    sources list | sources remove NAME
    scan SOURCE|--all [--derive] [--no-index]
    status | quarantine | show ID | kept | delete ID
    search "words" [--mode keyword|semantic|hybrid] [--codec C] [--min-duration S]
           [--max-duration S] [--min-height H] [--source NAME] [--tag TAG]

Settings come from VIDEO_ARCHIVE_* variables and the config file (see config.py); bad
input ends with one ``error:`` line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.logging import RichHandler
from rich.table import Table

from core.settings import SettingsError
from integrations.postgres import CatalogUnavailableError, MigrationError
from integrations.smtp import MailError
from samples.video_archive.catalog.sources import SourceNotFoundError
from samples.video_archive.cli_catalog import (
    cmd_delete,
    cmd_kept,
    cmd_quarantine,
    cmd_show,
    cmd_status,
)
from samples.video_archive.cli_support import (
    UsageError,
    console,
    err_console,
    open_cli_catalog,
    progress_bar,
)
from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends import SemanticIndexError
from samples.video_archive.indexing.embeddings import EmbedderUnavailableError
from samples.video_archive.ingestion.sources import SourceError, spec_from_uri

USER_ERRORS = (
    CatalogUnavailableError,
    EmbedderUnavailableError,
    MailError,
    MigrationError,
    SemanticIndexError,
    SettingsError,
    SourceError,
    SourceNotFoundError,
)


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    catalog = open_cli_catalog(settings)
    try:
        if args.action == "add":
            spec = spec_from_uri(args.name, args.location, tuple(args.include), tuple(args.exclude))
            if spec.kind == "local" and not Path(spec.uri).is_dir():
                raise SourceError(f"{spec.uri} is not a directory (mount it, or check the path)")
            source = catalog.add_source(spec)
            console.print(f"source [bold]{source.spec.name}[/] → {source.spec.uri}")
        elif args.action == "remove":
            forgotten, kept = catalog.remove_source(args.name)
            console.print(
                f"removed source {args.name} ({forgotten} file records forgotten; "
                "originals untouched)"
            )
            if kept:
                console.print(
                    f"{kept} edited videos kept without a file (see 'kept'; 'delete ID' "
                    "removes one)"
                )
        else:
            table = Table("name", "kind", "location", "status", "last scan", "include")
            for s in catalog.list_sources():
                status = s.status + (f" ({s.status_reason})" if s.status_reason else "")
                table.add_row(
                    s.spec.name,
                    s.spec.kind,
                    s.spec.uri,
                    status,
                    str(s.last_scan_at or "never"),
                    " ".join(s.spec.include_globs[:4]) + " …",
                )
            console.print(table)
        return 0
    finally:
        catalog.close()


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    from samples.video_archive import pipeline

    catalog = open_cli_catalog(settings)
    try:
        if args.all:
            names = [s.spec.name for s in catalog.list_sources()]
            if not names:
                raise UsageError("no sources registered; add one with 'sources add NAME PATH'")
        elif args.source:
            names = [args.source]
            catalog.get_source(args.source)  # fail early with the actionable message
        else:
            raise UsageError("name a source to scan, or use --all")
        run_id = args.run_id or pipeline.new_run_id()
        status = 0
        for name in names:
            with progress_bar(f"scan {name}") as update:
                result = pipeline.run_bronze(
                    settings, [name], run_id=run_id, progress=update, catalog=catalog
                )
            outcome = result["sources"][name]
            if outcome["offline"]:
                err_console.print(
                    f"[yellow]source {name} is offline:[/] {outcome['offline']} "
                    "(nothing was marked missing)"
                )
                status = 1
                continue
            counts = ", ".join(f"{k} {v}" for k, v in outcome["counts"].items() if v)
            console.print(f"[bold]{name}[/]: {counts or 'nothing found'}")
            for error in outcome["errors"][:10]:
                console.print(f"  [red]•[/] {error['path']}: {error['reason']}")
            if len(outcome["errors"]) > 10:
                console.print(f"  … {len(outcome['errors']) - 10} more (see 'quarantine')")
        if args.derive:
            with progress_bar("derivatives") as update:
                silver = pipeline.run_silver(
                    settings, run_id=run_id, progress=update, catalog=catalog
                )
            counts = ", ".join(f"{k} {v}" for k, v in silver["counts"].items() if v)
            console.print(f"derivatives: {counts or 'nothing to do'}")
            for error in silver["errors"][:10]:
                console.print(f"  [red]•[/] asset {error['asset_id']}: {error['reason']}")
        if not args.no_index:
            with progress_bar("index") as update:
                gold = pipeline.run_gold(settings, run_id=run_id, progress=update, catalog=catalog)
            console.print("index: " + ", ".join(f"{k} {v}" for k, v in gold["counts"].items()))
        console.print(f"run id: {run_id}")
        return status
    finally:
        catalog.close()


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from samples.video_archive.search import (
        Filters,
        SearchUnavailableError,
        SemanticBackend,
        run_search,
    )

    if not args.query.strip():
        raise UsageError(
            "the search query is empty; give some words, e.g. search 'harbour at dusk'"
        )
    filters = Filters(
        min_duration_s=args.min_duration,
        max_duration_s=args.max_duration,
        video_codec=args.codec,
        min_height=args.min_height,
        source=args.source,
        tags=tuple(t.strip().lower() for t in args.tag or () if t.strip()),
    )
    catalog = open_cli_catalog(settings)
    backend = SemanticBackend(settings)
    try:
        try:
            page = run_search(
                catalog.conn, backend, args.query, args.mode, filters, limit=args.limit
            )
        except SearchUnavailableError as exc:
            raise UsageError(str(exc)) from exc
        if not page.items:
            console.print("no matches (is the archive indexed? 'scan' indexes by default)")
            return 0
        table = Table("id", "score", "location", "duration", "size", "codec", "title")
        for card in page.items:
            score = card.get("score")
            table.add_row(
                str(card["id"]),
                "" if score is None else f"{score:.3f}",
                card.get("location") or "?",
                f"{card['duration_s']:.1f} s" if card.get("duration_s") else "",
                f"{card['width']}x{card['height']}" if card.get("width") else "",
                card.get("video_codec") or "",
                card.get("title") or "",
            )
        console.print(table)
        console.print(f"{page.mode}: {len(page.items)} shown of {page.total:,} matches")
        return 0
    finally:
        backend.close()
        catalog.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="video-archive",
        description="Index videos in place, catalog them in PostgreSQL and search them.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML settings file (default: "
        "$VIDEO_ARCHIVE_CONFIG or ~/.config/video-archive/config.toml)",
    )
    parser.add_argument("--dsn", help="catalog DSN (overrides VIDEO_ARCHIVE_CATALOG_DSN)")
    parser.add_argument(
        "--verbose", action="store_true", help="log ffmpeg's own messages and decisions"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sources = sub.add_parser("sources", help="register, list and remove sources")
    sources_sub = sources.add_subparsers(dest="action", required=True)
    add = sources_sub.add_parser("add", help="register a directory or s3://bucket/prefix")
    add.add_argument("name")
    add.add_argument("location")
    add.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only files matching (default: common video extensions)",
    )
    add.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    sources_sub.add_parser("list", help="registered sources and their state")
    remove = sources_sub.add_parser("remove", help="forget a source (originals untouched)")
    remove.add_argument("name")
    sources.set_defaults(func=cmd_sources)

    scan = sub.add_parser("scan", help="scan a source in place (bronze), then index (gold)")
    scan.add_argument("source", nargs="?", help="registered source name")
    scan.add_argument("--all", action="store_true", help="scan every registered source")
    scan.add_argument("--derive", action="store_true", help="also make derivatives (silver)")
    scan.add_argument("--no-index", action="store_true", help="skip the semantic index")
    scan.add_argument("--run-id", help="label for this run (default: generated)")
    scan.set_defaults(func=cmd_scan)

    sub.add_parser("status", help="catalog totals and offline sources").set_defaults(
        func=cmd_status
    )
    sub.add_parser(
        "quarantine", help="files that are not readable videos, with reasons"
    ).set_defaults(func=cmd_quarantine)
    show = sub.add_parser("show", help="everything known about one asset")
    show.add_argument("id", type=int)
    show.set_defaults(func=cmd_show)
    sub.add_parser(
        "kept", help="edited videos whose files are gone (kept until deleted)"
    ).set_defaults(func=cmd_kept)
    delete = sub.add_parser("delete", help="delete an asset that has no file, edits included")
    delete.add_argument("id", type=int)
    delete.set_defaults(func=cmd_delete)

    search = sub.add_parser("search", help="find videos by words and meaning")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--codec", help="video codec, e.g. h264, hevc, vp9")
    search.add_argument("--min-duration", type=float, metavar="SECONDS")
    search.add_argument("--max-duration", type=float, metavar="SECONDS")
    search.add_argument("--min-height", type=int, metavar="PIXELS")
    search.add_argument(
        "--mode",
        choices=("keyword", "semantic", "hybrid"),
        default="hybrid",
        help="keyword: catalog full text; semantic: meaning; hybrid (default): both, fused",
    )
    search.add_argument("--source", metavar="NAME", help="only videos present on this source")
    search.add_argument("--tag", action="append", metavar="TAG", help="only videos with the tag")
    search.set_defaults(func=cmd_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verbose:
        # ffmpeg's warnings are logged at debug level: shown only when asked for.
        handler = RichHandler(console=err_console, show_path=False)
        logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
        logging.getLogger("samples.video_archive").setLevel(logging.DEBUG)
    try:
        overrides = {"catalog_dsn": args.dsn} if args.dsn else {}
        settings = Settings.load(config_file=args.config, **overrides)
        return int(args.func(args, settings))
    except (*USER_ERRORS, UsageError) as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted; re-run the same command to continue where it stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
