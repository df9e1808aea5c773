"""Bronze: scan one source in place and register what it holds in the catalog.

Per file the scanner costs one ``stat`` when path, size and mtime are unchanged. Changed
and new files are fingerprinted (sampled reads) and, when their content is new, probed with
ffprobe in a thread pool; all catalog writes happen on the calling thread. A file that
fails in any way is recorded and the scan goes on. A source whose root is missing, or empty
while the catalog expects files, is marked offline and nothing is deleted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from samples.video_archive.catalog import Catalog
from samples.video_archive.catalog.bronze import FileRow, KnownFile
from samples.video_archive.ingestion.probe import (
    FFPROBE_TIMEOUT_S,
    NotAVideoError,
    ProbeResult,
    probe,
)
from samples.video_archive.ingestion.sidecars import (
    MAX_SIDECAR_BYTES,
    SidecarText,
    parse_sidecar,
)
from samples.video_archive.ingestion.sources import (
    Entry,
    Listing,
    MediaSource,
    SourceOfflineError,
    list_source,
    open_source,
    sidecar_signature,
    sidecars_for,
)

ProgressCallback = Callable[[int, int], None]  # (done, total)


@dataclass
class ScanSummary:
    """What one scan of one source did; ``counts`` feeds the run record and the e-mail."""

    source: str
    offline: bool = False
    offline_reason: str | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "seen",
                "unchanged",
                "new",
                "changed",
                "sidecars_changed",
                "returned",
                "moved",
                "duplicates",
                "probed",
                "quarantined",
                "missing",
                "skipped",
                "errors",
            ),
            0,
        )
    )
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, path: str, reason: str, counter: str = "errors") -> None:
        self.counts[counter] += 1
        self.errors.append({"path": path, "reason": reason})


@dataclass
class _Work:
    """Result of the per-file work done in a worker thread."""

    entry: Entry
    fingerprint: str | None = None
    full_hash: str | None = None
    probe: ProbeResult | None = None
    quarantine_reason: str | None = None
    sidecar: SidecarText | None = None
    sidecar_errors: list[str] = field(default_factory=list)
    sidecar_signature: int = 0
    error: str | None = None


def _process(
    source: MediaSource,
    entry: Entry,
    settled: dict[str, tuple[int, str]],
    sidecar_paths: list[str],
    sidecar_signature: int,
    with_full_hash: bool,
    probe_timeout_s: float = FFPROBE_TIMEOUT_S,
) -> _Work:
    work = _Work(entry, sidecar_signature=sidecar_signature)
    try:
        work.fingerprint = source.fingerprint(entry)
        if with_full_hash and work.fingerprint not in settled:
            work.full_hash = source.full_hash(entry)
    except OSError as exc:
        work.error = f"cannot read: {exc.strerror or exc}"
        return work
    if work.fingerprint not in settled:
        if entry.size == 0:
            work.quarantine_reason = "empty file (0 bytes)"
        else:
            try:
                location = source.media_location(entry.rel_path)
            except OSError as exc:
                work.error = f"cannot read: {exc.strerror or exc}"
                return work
            try:
                work.probe = probe(location, probe_timeout_s)
            except NotAVideoError as exc:
                work.quarantine_reason = str(exc)
    if sidecar_paths:
        merged = SidecarText()
        for path in sidecar_paths:
            try:
                merged.merge(parse_sidecar(path, source.read_bytes(path, MAX_SIDECAR_BYTES)))
            except (OSError, ValueError) as exc:
                work.sidecar_errors.append(f"{path}: {exc}")
        work.sidecar = merged
    return work


def scan_source(
    catalog: Catalog,
    source_name: str,
    *,
    workers: int | None = None,
    batch_size: int = 200,
    progress: ProgressCallback | None = None,
    source: MediaSource | None = None,
    full_hash: bool = False,
    probe_timeout_s: float = FFPROBE_TIMEOUT_S,
) -> ScanSummary:
    """Scan a registered source and bring its catalog rows up to date.

    ``full_hash`` also hashes the whole content of new assets (BLAKE2b-256), for archives
    that want proof of identity beyond the sampled fingerprint; it reads every byte once.
    ``probe_timeout_s`` bounds each ffprobe run (a file that exceeds it is quarantined).
    """
    registered = catalog.get_source(source_name)
    source = source or open_source(registered.spec)
    summary = ScanSummary(source_name)
    try:
        source.check_online()
    except SourceOfflineError as exc:
        return _mark_offline(catalog, registered.id, summary, str(exc))

    listing = list_source(source)
    known = catalog.known_files(registered.id)
    present_before = {path for path, f in known.items() if f.present}
    if not listing.videos and present_before:
        return _mark_offline(
            catalog,
            registered.id,
            summary,
            f"root is empty but the catalog lists {len(present_before)} files (unmounted?)",
        )

    counts = summary.counts
    counts["seen"] = len(listing.videos)
    for skipped in listing.skipped:
        summary.error(skipped.rel_path, skipped.reason, counter="skipped")

    listed = {e.rel_path for e in listing.videos}
    vanished = present_before - listed
    vanished_assets = {known[p].asset_id for p in vanished}
    todo = _changed(listing, known)
    counts["unchanged"] = len(listing.videos) - len(todo)

    settled = catalog.settled_fingerprints() if todo else {}
    done = counts["unchanged"]
    total = len(listing.videos)
    if progress:
        progress(done, total)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        results = pool.map(
            lambda job: _process(
                source, job[0], settled, job[1], job[2], full_hash, probe_timeout_s
            ),
            todo,
        )
        files: list[FileRow] = []  # written once per batch, just before its commit
        for index, work in enumerate(results, start=1):
            _register(catalog, work, known, vanished_assets, summary, files)
            if index % batch_size == 0:
                catalog.upsert_files(registered.id, files)
                catalog.commit()
                files.clear()
            done += 1
            if progress:
                progress(done, total)
        catalog.upsert_files(registered.id, files)

    counts["missing"] = catalog.mark_missing(registered.id, vanished)
    catalog.set_source_status(registered.id, "online")
    catalog.commit()
    return summary


def _changed(listing: Listing, known: dict[str, KnownFile]) -> list[tuple[Entry, list[str], int]]:
    """(entry, sidecars, sidecar signature) of every listed video that is new or changed:
    an unchanged file (same path, size, mtime and sidecars) costs nothing more."""
    todo: list[tuple[Entry, list[str], int]] = []
    for entry in listing.videos:
        previous = known.get(entry.rel_path)
        sidecars = sidecars_for(entry.rel_path, listing.other_files)
        signature = sidecar_signature(sidecars, listing.other_files)
        if (
            previous is None
            or not previous.present
            or previous.size != entry.size
            or previous.mtime_ns != entry.mtime_ns
            or previous.sidecar_signature != signature
        ):
            todo.append((entry, sidecars, signature))
    return todo


def _register(
    catalog: Catalog,
    work: _Work,
    known: dict[str, KnownFile],
    vanished_assets: set[int],
    summary: ScanSummary,
    files: list[FileRow],
) -> None:
    """Record one processed file's asset (probed or quarantined) and sidecar text; its file
    row joins ``files``, which the caller writes with the batch."""
    entry = work.entry
    counts = summary.counts
    if work.error or work.fingerprint is None:
        summary.error(entry.rel_path, work.error or "no fingerprint")
        return
    probe_row = work.probe.as_row() if work.probe is not None else None
    asset_id, created = catalog.upsert_asset(
        work.fingerprint, entry.size, work.full_hash, probe_row=probe_row
    )
    previous = known.get(entry.rel_path)
    if previous is None:
        if created:
            counts["new"] += 1
        elif asset_id in vanished_assets:
            counts["moved"] += 1
            catalog.touch_asset(asset_id)  # its path words changed: re-index it
        else:
            counts["duplicates"] += 1
    elif previous.asset_id != asset_id:
        counts["changed"] += 1
        catalog.touch_asset(previous.asset_id)  # starts its grace period as an orphan
    elif not previous.present:
        counts["returned"] += 1
    elif (previous.size, previous.mtime_ns) == (entry.size, entry.mtime_ns):
        counts["sidecars_changed"] += 1
        catalog.touch_asset(asset_id)  # its searchable text changed: re-index it
    else:
        counts["changed"] += 1  # touched or rewritten with the same content
    if probe_row is not None:
        counts["probed"] += 1
    elif work.quarantine_reason is not None:
        catalog.quarantine(asset_id, work.quarantine_reason)
        counts["quarantined"] += 1
        summary.errors.append({"path": entry.rel_path, "reason": work.quarantine_reason})
    if work.sidecar is not None:
        catalog.record_description(
            asset_id,
            title=work.sidecar.title,
            description=work.sidecar.description,
            tags=work.sidecar.tags,
            sidecar_text=" ".join(t for t in work.sidecar.text if t) or None,
        )
        catalog.replace_cues(asset_id, work.sidecar.cues)
    elif previous is not None and previous.sidecar_signature != 0:
        catalog.replace_cues(asset_id, [])  # its sidecars are gone, and their cues with them
    for problem in work.sidecar_errors:
        summary.error(entry.rel_path, problem)
    files.append(
        FileRow(entry.rel_path, asset_id, entry.size, entry.mtime_ns, work.sidecar_signature)
    )


def _mark_offline(
    catalog: Catalog, source_id: int, summary: ScanSummary, reason: str
) -> ScanSummary:
    catalog.set_source_status(source_id, "offline", reason)
    catalog.commit()
    summary.offline = True
    summary.offline_reason = reason
    return summary
