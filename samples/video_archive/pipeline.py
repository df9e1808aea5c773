"""The three layers as functions: what the notebooks, the Airflow DAG and the CLI call.

Every layer function takes the settings, a run id and an optional progress callback,
records a row in ``runs`` and returns a JSON-serialisable summary.

On the workers the ``video_archive`` DAG runs bronze once, asks ``plan_silver`` for the
batches of asset ids that need silver work, maps one silver task over each batch
(``run_silver(settings, asset_ids=batch)``, any worker, any order, retried freely) and
indexes once at the end (``run_gold``). The CLI calls the same functions without a plan:
``run_silver`` without ids derives everything pending.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from integrations.smtp import SmtpSettings, send_mail
from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.config import Settings
from samples.video_archive.ffmpeg.runner import MediaLimits
from samples.video_archive.indexing.embeddings import Embedder, MiniLMEmbedder
from samples.video_archive.indexing.index_factory import open_index
from samples.video_archive.indexing.indexer import index_pending
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.metadata_generation.silver import derive_assets
from samples.video_archive.storage import open_store

Progress = Callable[[int, int], None]


def new_run_id() -> str:
    return f"manual__{uuid.uuid4().hex[:12]}"


def run_bronze(
    settings: Settings,
    source_names: list[str] | None = None,
    *,
    run_id: str | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Scan the named sources (all registered ones by default)."""
    run_id = run_id or new_run_id()
    cat = catalog or open_catalog(settings.catalog_dsn)
    try:
        names = source_names or [s.spec.name for s in cat.list_sources()]
        results = {}
        for name in names:
            summary = scan_source(
                cat,
                name,
                workers=settings.effective_workers,
                batch_size=batch_size or settings.batch_size,
                progress=progress,
                full_hash=settings.full_hash,
                probe_timeout_s=settings.ffprobe_timeout_s,
            )
            cat.record_run(run_id, "bronze", name, summary.counts, summary.errors)
            results[name] = {
                "offline": summary.offline_reason if summary.offline else None,
                "counts": summary.counts,
                "errors": summary.errors,
            }
        return {"run_id": run_id, "layer": "bronze", "sources": results}
    finally:
        if catalog is None:
            cat.close()


def plan_silver(
    settings: Settings,
    batch_size: int | str | None = None,
    *,
    limit: int | None = None,
    catalog: Catalog | None = None,
) -> list[list[int]]:
    """The asset ids needing silver work, in batches of ``batch_size`` (default: the
    ``batch_size`` setting); an empty list when there is nothing to do.

    Called by the DAG after bronze: the result (plain JSON) is what the silver task is
    mapped over, one ``run_silver(asset_ids=batch)`` per batch. Only assets with a present
    file on an online source are planned; the rest wait for their source to come back.
    ``batch_size`` may be a rendered template ("4")."""
    size = int(batch_size or settings.batch_size)
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}")
    cat = catalog or open_catalog(settings.catalog_dsn)
    try:
        ids = cat.asset_ids_needing_derivatives(limit)
    finally:
        if catalog is None:
            cat.close()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def batch_label(asset_ids: Sequence[int]) -> str:
    """A stable name for a batch in the run records: first-last ids, count and a digest
    (the same ids give the same label, so a retried batch replaces its own record)."""
    ids = sorted(int(i) for i in asset_ids)
    if not ids:
        return ""
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=4).hexdigest()
    return f"{ids[0]}-{ids[-1]} ({len(ids)}) {digest}"


def run_silver(
    settings: Settings,
    *,
    asset_ids: Sequence[int] | None = None,
    run_id: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
    limits: MediaLimits | None = None,
) -> dict[str, Any]:
    """Derivatives and quality checks: for ``asset_ids`` (a mapped task's batch) or, when
    None, for every probed asset without them (the CLI, at most ``limit``).

    Idempotent: an asset already derived or quarantined by an earlier attempt is counted
    ``already_done`` and not redone, and two attempts running the same batch at once derive
    each asset once (``metadata_generation.silver``). ``limits`` defaults to the settings'
    (with the GPU detected on this machine)."""
    run_id = run_id or new_run_id()
    cat = catalog or open_catalog(settings.catalog_dsn)
    limits = limits or MediaLimits.from_settings(settings)
    try:
        ids = list(asset_ids) if asset_ids is not None else cat.asset_ids_needing_derivatives(limit)
        summary = derive_assets(
            cat,
            open_store(settings.derivatives_dir),
            limits,
            ids,
            workers=settings.effective_workers,
            progress=progress,
        )
        part = batch_label(ids) if asset_ids is not None else ""
        cat.record_run(run_id, "silver", None, summary.counts, summary.errors, part)
        return {
            "run_id": run_id,
            "layer": "silver",
            "batch": part or None,
            "acceleration": limits.acceleration.reason,
            "counts": summary.counts,
            "errors": summary.errors,
        }
    finally:
        if catalog is None:
            cat.close()


def run_gold(
    settings: Settings,
    *,
    run_id: str | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Index new and changed assets, purge long-missing files, e-mail the run summary."""
    run_id = run_id or new_run_id()
    cat = catalog or open_catalog(settings.catalog_dsn)
    embedder = embedder or MiniLMEmbedder()
    index = open_index(settings, embedder.dimension)
    try:
        summary = index_pending(
            cat, index, embedder, batch_size=batch_size or settings.batch_size, progress=progress
        )
        purge = cat.purge_missing(timedelta(days=settings.purge_grace_days))
        counts = {
            **summary.counts,
            "purged_files": purge.files,
            "purged_assets": purge.assets,
            "kept_without_file": purge.kept,
        }
        cat.record_run(run_id, "gold", None, counts, summary.errors)
        result: dict[str, Any] = {
            "run_id": run_id,
            "layer": "gold",
            "counts": counts,
            "catalog": cat.status_summary(),
            "vector_index": summary.maintenance.vector_index if summary.maintenance else "none",
            "mailed_to": None,
        }
        if settings.smtp_enabled:
            recipients = [r.strip() for r in settings.smtp_to.split(",") if r.strip()]
            send_mail(
                SmtpSettings(
                    host=settings.smtp_host,
                    port=settings.smtp_port,
                    sender=settings.smtp_from,
                    user=settings.smtp_user,
                    password=settings.smtp_password,
                    starttls=settings.smtp_starttls,
                ),
                recipients,
                f"Video archive run {run_id}: {counts['indexed']} indexed",
                run_report(cat, run_id),
            )
            result["mailed_to"] = recipients
        return result
    finally:
        index.close()
        if catalog is None:
            cat.close()


def run_report(catalog: Catalog, run_id: str) -> str:
    """Plain-text summary of every layer recorded under ``run_id`` plus catalog totals;
    the batches of a mapped layer are summed into one line."""
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in catalog.runs(run_id):
        entry = merged.setdefault(
            (row["layer"], row["source_name"]), {"counts": {}, "errors": [], "parts": 0}
        )
        for key, value in row["counts"].items():
            entry["counts"][key] = entry["counts"].get(key, 0) + (value or 0)
        entry["errors"] += row["errors"]
        entry["parts"] += 1
    lines = [f"Video archive run {run_id}", ""]
    for (layer, source), entry in merged.items():
        where = f" ({source})" if source else ""
        batches = f" in {entry['parts']} batches" if entry["parts"] > 1 else ""
        counts = ", ".join(f"{k} {v}" for k, v in entry["counts"].items() if v)
        lines.append(f"{layer}{where}{batches}: {counts or 'nothing to do'}")
        for error in entry["errors"][:20]:
            lines.append(f"  - {error.get('path') or error.get('asset_id')}: {error['reason']}")
    lines += ["", "Catalog:"]
    lines += [f"  {k}: {v}" for k, v in catalog.status_summary().items()]
    return "\n".join(lines) + "\n"
