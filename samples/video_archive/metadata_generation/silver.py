"""Silver: derivatives for probed assets, all pending ones or one planned batch.

The CLI derives everything pending; the ``video_archive`` DAG maps one task per batch of
asset ids over the workers (``pipeline.plan_silver`` / ``pipeline.run_silver``). Either way:

* each asset is claimed first (an advisory lock, ``catalog.silver_gold``) and re-read: one
  derived or quarantined by an earlier or overlapping attempt is counted ``already_done``
  and not redone, so a retried batch does only what is missing; one that another attempt
  is deriving right now is waited for (up to the time that attempt may take) and then
  usually found done;
* every ffmpeg run is bounded (``ffmpeg.runner``): a file that exceeds its bound is
  quarantined with the reason ("decode exceeded N s"); any other failure is recorded for
  that asset, which is tried again next run; the batch always goes on;
* an asset whose derivation was killed from outside ``MAX_INTERRUPTIONS`` times (each try
  of its task stopped by the task's time limit before the file's own bound) is quarantined
  instead of started again, so one file cannot fail every run;
* ffmpeg writes into a local scratch directory; finished files are then stored (a
  directory or S3, ``storage``) under ``<aa>/<fingerprint digest>/``, never beside the
  originals, and recorded only if no other attempt recorded the asset first.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samples.video_archive.catalog import Catalog
from samples.video_archive.ffmpeg.runner import MediaLimits, MediaTimeoutError
from samples.video_archive.ingestion.sources import SourceSpec, open_source
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
from samples.video_archive.storage import Store, open_store

Progress = Callable[[int, int], None]
COUNTERS = ("derived", "proxies", "quality_flagged", "quarantined", "already_done",
            "unavailable", "busy", "errors")  # fmt: skip
# Beyond the ffmpeg bounds: time another attempt may need to store and record an asset.
CLAIM_WAIT_MARGIN_S = 60.0
# ffmpeg runs per asset (frames, scenes, proxy): another attempt's longest possible hold.
RUNS_PER_ASSET = 3
# Starts of one asset's derivation that were killed from outside (a task's time limit, a
# lost worker) before the asset is quarantined instead of started again.
MAX_INTERRUPTIONS = 3


@dataclass
class DeriveSummary:
    """What one silver call did; ``counts`` and ``errors`` feed the run record."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, asset_id: int, reason: str, counter: str = "errors") -> None:
        self.counts[counter] += 1
        self.errors.append({"asset_id": str(asset_id), "reason": reason})


def derivative_key(fingerprint: str, name: str) -> str:
    """Where an asset's derivative lives under the derivatives location."""
    digest = fingerprint.rsplit(":", 1)[-1]
    return f"{digest[:2]}/{digest}/{name}"


def derive_asset(
    asset: dict[str, Any], location: str, rel_path: str, store: Store, limits: MediaLimits
) -> dict[str, Any]:
    """Make every derivative of one asset in scratch, store them, return catalog values."""
    duration = asset.get("duration_s")
    with tempfile.TemporaryDirectory(prefix="va-derive-", dir=limits.scratch_dir) as tmp:
        scratch = Path(tmp)
        frames = sample_frames(location, duration, limits)
        poster = save_jpeg(frames[choose_poster(frames)], scratch / "poster.jpg")
        sprite = save_jpeg(contact_sheet(frames), scratch / "sprite.jpg")
        cuts, problems = scene_cuts(location, limits, duration_s=duration, fps=asset.get("fps"))
        proxy = None
        if not is_browser_playable(asset, rel_path):
            proxy = make_proxy(location, scratch / "proxy.mp4", limits, duration)
        issues = quality_issues(asset)
        if problems:
            issues.append(f"decode errors: {problems[0]}")
        # Stored only now: a file that fails or times out above leaves nothing behind.
        fingerprint = asset["fingerprint"]
        return {
            "poster_path": store.put(poster, derivative_key(fingerprint, "poster.jpg")),
            "sprite_path": store.put(sprite, derivative_key(fingerprint, "sprite.jpg")),
            "proxy_path": (
                store.put(proxy, derivative_key(fingerprint, "proxy.mp4")) if proxy else None
            ),
            "scene_cuts_s": cuts,
            "phash": perceptual_hash(frames),
            "quality_issues": issues,
        }


def derive_assets(
    catalog: Catalog,
    store: Store,
    limits: MediaLimits,
    asset_ids: Sequence[int],
    *,
    workers: int = 2,
    progress: Progress | None = None,
) -> DeriveSummary:
    """Derive the given assets (those still needing it); one failure never stops the rest.

    Called by ``pipeline.run_silver`` for a planned batch or for everything pending."""
    summary = DeriveSummary()
    ids = list(dict.fromkeys(int(i) for i in asset_ids))
    tick = _ticker(len(ids), progress)
    taken = {i: catalog.try_claim(i) for i in ids}
    claimed = [i for i in ids if taken[i]]
    busy = [i for i in ids if not taken[i]]
    _derive_claimed(catalog, store, limits, claimed, workers, summary, tick)
    late: list[int] = []
    for asset_id in busy:
        if catalog.claim_within(asset_id, _claim_wait(catalog, limits, asset_id)):
            late.append(asset_id)
        else:
            summary.error(
                asset_id, "another attempt is still deriving it; left for the next run", "busy"
            )
            tick()
    _derive_claimed(catalog, store, limits, late, workers, summary, tick)
    return summary


def derive_pending(
    catalog: Catalog,
    derivatives: Path | str | Store,
    *,
    limits: MediaLimits | None = None,
    workers: int = 2,
    limit: int | None = None,
    progress: Progress | None = None,
) -> DeriveSummary:
    """Derive every probed asset without derivatives (the CLI's ``scan --derive``)."""
    store = open_store(derivatives) if isinstance(derivatives, Path | str) else derivatives
    ids = catalog.asset_ids_needing_derivatives(limit)
    return derive_assets(
        catalog, store, limits or MediaLimits(), ids, workers=workers, progress=progress
    )


def _ticker(total: int, progress: Progress | None) -> Callable[[], None]:
    done = 0
    if progress:
        progress(0, total)

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    return tick


def _claim_wait(catalog: Catalog, limits: MediaLimits, asset_id: int) -> float:
    """How long another attempt may legitimately hold this asset."""
    row = catalog.asset(asset_id)
    duration = row.get("duration_s") if row else None
    return RUNS_PER_ASSET * limits.timeout_for(duration) + CLAIM_WAIT_MARGIN_S


Job = tuple[dict[str, Any], SourceSpec, str]


def _derive_claimed(
    catalog: Catalog,
    store: Store,
    limits: MediaLimits,
    claimed: list[int],
    workers: int,
    summary: DeriveSummary,
    tick: Callable[[], None],
) -> None:
    """Derive assets whose claims this session holds, at most ``workers`` at a time; each
    start is counted just before it runs, each result recorded as it comes, and every
    claim is released (after the result's commit, so a waiting attempt sees it)."""
    held = set(claimed)

    def finish(asset_id: int) -> None:
        catalog.release(asset_id)
        held.discard(asset_id)
        tick()

    def work(job: Job) -> Any:
        asset, spec, rel_path = job
        try:
            location = open_source(spec).media_location(rel_path)
            return derive_asset(asset, location, rel_path, store, limits)
        except Exception as exc:  # one asset's failure must not stop the batch
            return exc

    try:
        pending = deque(_jobs(catalog, claimed, summary, finish))
        running: dict[Future[Any], dict[str, Any]] = {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            while pending or running:
                while pending and len(running) < max(1, workers):
                    job = pending.popleft()
                    if _may_start(catalog, job[0]["id"], summary):
                        running[pool.submit(work, job)] = job[0]
                    else:
                        finish(job[0]["id"])
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    asset = running.pop(future)
                    _record(catalog, asset, future.result(), summary)
                    finish(asset["id"])
    finally:
        for asset_id in list(held):
            catalog.release(asset_id)


def _jobs(
    catalog: Catalog, claimed: list[int], summary: DeriveSummary, finish: Callable[[int], None]
) -> list[Job]:
    """The claimed assets that still need silver and have a file online now."""
    fresh = {int(a["id"]): a for a in catalog.claimable_assets(claimed)}
    jobs: list[Job] = []
    for asset_id in claimed:
        asset = fresh.get(asset_id)
        place = catalog.present_location(asset_id) if asset else None
        if asset is None or place is None:
            # Done (or quarantined) by an earlier attempt, or no file online now.
            summary.counts["already_done" if asset is None else "unavailable"] += 1
            finish(asset_id)
        else:
            jobs.append((asset, *place))
    return jobs


def _may_start(catalog: Catalog, asset_id: int, summary: DeriveSummary) -> bool:
    """Count this start; quarantine instead when earlier starts were killed too often."""
    interrupted = catalog.begin_derivation(asset_id)
    if interrupted < MAX_INTERRUPTIONS:
        return True
    reason = (
        f"derivation interrupted {interrupted} times (its task was stopped from outside "
        "each time, e.g. by the task's time limit)"
    )
    if catalog.quarantine_undecodable(asset_id, reason):
        summary.error(asset_id, reason, "quarantined")
    catalog.commit()
    return False


def _record(catalog: Catalog, asset: dict[str, Any], result: Any, summary: DeriveSummary) -> None:
    counts = summary.counts
    if isinstance(result, MediaTimeoutError):
        if catalog.quarantine_undecodable(asset["id"], str(result)):
            summary.error(asset["id"], str(result), "quarantined")
        else:
            counts["already_done"] += 1
    elif isinstance(result, Exception):
        summary.error(asset["id"], f"{type(result).__name__}: {result}")
    elif catalog.record_derivatives(asset["id"], result):
        counts["derived"] += 1
        counts["proxies"] += 1 if result["proxy_path"] else 0
        counts["quality_flagged"] += 1 if result["quality_issues"] else 0
    else:
        counts["already_done"] += 1
    catalog.end_derivation(asset["id"])  # finished here, one way or another
    catalog.commit()
