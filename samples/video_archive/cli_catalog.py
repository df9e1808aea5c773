"""Catalog commands of the command line: status, quarantine, show, and the assets kept
without a file (``kept``, ``delete``): edited assets whose files are gone wait there for a
person to delete them."""

from __future__ import annotations

import argparse

from rich.table import Table

from samples.video_archive.catalog.repository import AssetInUseError
from samples.video_archive.cli_support import UsageError, console, open_cli_catalog
from samples.video_archive.config import Settings


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    catalog = open_cli_catalog(settings)
    try:
        summary = catalog.status_summary()
        table = Table("catalog", "count")
        for key, value in summary.items():
            table.add_row(key.replace("_", " "), f"{value:,}")
        console.print(table)
        offline = [s for s in catalog.list_sources() if s.status == "offline"]
        for s in offline:
            console.print(f"[yellow]offline:[/] {s.spec.name} — {s.status_reason}")
        return 0
    finally:
        catalog.close()


def cmd_quarantine(args: argparse.Namespace, settings: Settings) -> int:
    catalog = open_cli_catalog(settings)
    try:
        rows = catalog.quarantined()
        table = Table("id", "location", "size", "reason")
        for row in rows:
            table.add_row(
                str(row["id"]),
                "\n".join(row["locations"]),
                f"{row['size_bytes']:,}",
                row["quarantine_reason"],
            )
        console.print(table if rows else "nothing in quarantine")
        return 0
    finally:
        catalog.close()


_SHOW_FIELDS = (
    "fingerprint",
    "status",
    "quarantine_reason",
    "title",
    "description",
    "tags",
    "container",
    "video_codec",
    "audio_codec",
    "audio_layout",
    "duration_s",
    "width",
    "height",
    "fps",
    "variable_fps",
    "rotation",
    "bit_rate",
    "creation_time",
    "camera_make",
    "camera_model",
    "gps_lat",
    "gps_lon",
    "phash",
    "scene_cuts_s",
    "quality_issues",
    "poster_path",
    "sprite_path",
    "proxy_path",
    "probed_at",
    "derived_at",
    "indexed_at",
)


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    catalog = open_cli_catalog(settings)
    try:
        asset = catalog.asset(args.id)
        if asset is None:
            raise UsageError(f"no asset with id {args.id}; find ids with 'search' or 'status'")
        table = Table("field", "value", title=f"asset {args.id}")
        for key in _SHOW_FIELDS:
            value = asset.get(key)
            if value not in (None, [], ""):
                table.add_row(key, str(value))
        console.print(table)
        files = Table("source", "path", "status", "missing since", title="locations")
        for f in catalog.asset_files(args.id):
            files.add_row(f["source"], f["rel_path"], f["status"], str(f["missing_since"] or ""))
        console.print(files)
        return 0
    finally:
        catalog.close()


def cmd_kept(args: argparse.Namespace, settings: Settings) -> int:
    """``kept``: edited assets whose files are gone, oldest first."""
    catalog = open_cli_catalog(settings)
    try:
        rows = catalog.kept_without_file()
        table = Table("id", "title", "tags", "edited", "no file since")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["title"] or "",
                ", ".join(row["tags"]),
                str(row["edited_at"]),
                str(row["file_gone_at"]),
            )
        console.print(table if rows else "no edited asset is without a file")
        return 0
    finally:
        catalog.close()


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    """``delete ID``: a person forgets an asset without a file, edits included."""
    catalog = open_cli_catalog(settings)
    try:
        try:
            found = catalog.delete_asset(args.id)
        except AssetInUseError as exc:
            raise UsageError(str(exc)) from exc
        if not found:
            raise UsageError(f"no asset with id {args.id}; list them with 'kept' or 'status'")
        console.print(f"deleted asset {args.id} and its edits (originals untouched)")
        return 0
    finally:
        catalog.close()
