"""The three layers as functions: what the notebooks, the Airflow DAG and the CLI call.

Every function takes the settings, a run id and an optional progress callback, records a
row in ``runs`` and returns a JSON-serialisable summary.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from integrations.smtp import SmtpSettings, send_mail
from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.config import Settings
from samples.video_archive.indexing.embeddings import Embedder, MiniLMEmbedder
from samples.video_archive.indexing.index_factory import open_index
from samples.video_archive.indexing.indexer import index_pending
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.metadata_generation.silver import derive_pending

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


def run_silver(
    settings: Settings,
    *,
    run_id: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Derivatives and quality checks for every probed asset without them."""
    run_id = run_id or new_run_id()
    cat = catalog or open_catalog(settings.catalog_dsn)
    try:
        summary = derive_pending(
            cat,
            settings.derivatives_dir,
            workers=settings.effective_workers,
            limit=limit,
            progress=progress,
        )
        cat.record_run(run_id, "silver", None, summary.counts, summary.errors)
        return {
            "run_id": run_id,
            "layer": "silver",
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
        purged_files, purged_assets = cat.purge_missing(timedelta(days=settings.purge_grace_days))
        counts = {**summary.counts, "purged_files": purged_files, "purged_assets": purged_assets}
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
    """Plain-text summary of every layer recorded under ``run_id`` plus catalog totals."""
    lines = [f"Video archive run {run_id}", ""]
    for row in catalog.runs(run_id):
        where = f" ({row['source_name']})" if row["source_name"] else ""
        counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items() if v)
        lines.append(f"{row['layer']}{where}: {counts or 'nothing to do'}")
        for error in row["errors"][:20]:
            lines.append(f"  - {error.get('path') or error.get('asset_id')}: {error['reason']}")
    lines += ["", "Catalog:"]
    lines += [f"  {k}: {v}" for k, v in catalog.status_summary().items()]
    return "\n".join(lines) + "\n"
