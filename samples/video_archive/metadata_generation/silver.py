"""Silver: derivatives for every probed asset that has none yet.

Each asset is processed on its own: a failure is recorded for that asset (and the asset
is tried again next run) while the batch goes on. Derivatives go under
``derivatives_dir/<aa>/<fingerprint digest>/``, never beside the originals.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.sources import open_source
from samples.video_archive.metadata_generation.frames import sample_frames
from samples.video_archive.metadata_generation.proxy import is_browser_playable, make_proxy
from samples.video_archive.metadata_generation.quality import quality_issues
from samples.video_archive.metadata_generation.scenes import scene_cuts
from samples.video_archive.metadata_generation.stills import (
    choose_poster,
    contact_sheet,
    perceptual_hash,
    save_jpeg,
)


@dataclass
class DeriveSummary:
    counts: dict[str, int] = field(
        default_factory=lambda: {"derived": 0, "proxies": 0, "quality_flagged": 0, "errors": 0}
    )
    errors: list[dict[str, str]] = field(default_factory=list)


def derivative_dir(root: Path, fingerprint: str) -> Path:
    digest = fingerprint.rsplit(":", 1)[-1]
    return root / digest[:2] / digest


def derive_asset(
    asset: dict[str, Any], location: str, rel_path: str, out_dir: Path
) -> dict[str, Any]:
    """Make every derivative of one asset; return the catalog values."""
    frames = sample_frames(location, asset.get("duration_s"))
    poster = save_jpeg(frames[choose_poster(frames)], out_dir / "poster.jpg")
    sprite = save_jpeg(contact_sheet(frames), out_dir / "sprite.jpg")
    proxy = None
    if not is_browser_playable(asset, rel_path):
        proxy = str(make_proxy(location, out_dir / "proxy.mp4"))
    return {
        "poster_path": str(poster),
        "sprite_path": str(sprite),
        "proxy_path": proxy,
        "scene_cuts_s": scene_cuts(location),
        "phash": perceptual_hash(frames),
        "quality_issues": quality_issues(asset),
    }


def derive_pending(
    catalog: Catalog,
    derivatives_root: Path,
    *,
    workers: int = 2,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DeriveSummary:
    """Derive for every probed asset without derivatives; one failure never stops the rest."""
    summary = DeriveSummary()
    jobs: list[tuple[dict[str, Any], str, str]] = []
    for asset in catalog.assets_needing_derivatives(limit):
        place = catalog.present_location(asset["id"])
        if place is None:
            continue  # only on an offline source or gone: try again when it is back
        spec, rel_path = place
        jobs.append((asset, open_source(spec).media_location(rel_path), rel_path))

    def work(job: tuple[dict[str, Any], str, str]) -> tuple[dict[str, Any], Any]:
        asset, location, rel_path = job
        try:
            out = derivative_dir(derivatives_root, asset["fingerprint"])
            return asset, derive_asset(asset, location, rel_path, out)
        except Exception as exc:  # one asset's failure must not stop the batch
            return asset, exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (asset, result) in enumerate(pool.map(work, jobs), start=1):
            if isinstance(result, Exception):
                summary.counts["errors"] += 1
                summary.errors.append(
                    {"asset_id": str(asset["id"]), "reason": f"{type(result).__name__}: {result}"}
                )
            else:
                catalog.record_derivatives(asset["id"], result)
                catalog.commit()
                summary.counts["derived"] += 1
                summary.counts["proxies"] += 1 if result["proxy_path"] else 0
                summary.counts["quality_flagged"] += 1 if result["quality_issues"] else 0
            if progress:
                progress(done, len(jobs))
    return summary
