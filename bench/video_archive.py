"""Video archive benchmarks on generated data. Run with `make bench-video-archive`.

Each figure is set against a baseline measured in the same run on the same machine:
  scan throughput   bronze scan of N files (fingerprint, ffprobe, catalog upserts) vs the
                    floor: ffprobe alone over the same files with the same parallelism.
                    Target: throughput >= 0.8x the floor.
  rescan            re-scan of 10,000 unchanged files (one stat each) vs a bare os.walk +
                    stat of the same tree. Target: <= 3 s.
  peak memory       maximum RSS of a CLI-equivalent process scanning 10,000 new files.
                    Target: <= 500 MB.
  search p95        hybrid search (query embedding + LanceDB + catalog join) over 100,000
                    catalogued items vs a numpy dot-product scan over the same vectors.
                    Target: <= 50 ms.
Scratch data lives under .cache/bench-video-archive (reused between runs); results go to
bench/results/video_archive.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrations.postgres.ephemeral import EphemeralPostgres  # noqa: E402
from samples.video_archive.catalog import open_catalog  # noqa: E402
from samples.video_archive.ingestion.probe import ffprobe_command  # noqa: E402
from samples.video_archive.ingestion.scanner import scan_source  # noqa: E402
from samples.video_archive.ingestion.sources import spec_from_uri  # noqa: E402
from samples.video_archive.synthetic import make_clip  # noqa: E402

console = Console()
SCRATCH = ROOT / ".cache" / "bench-video-archive"
FILES_PER_DIR = 1000


def generate_tree(root: Path, count: int) -> list[Path]:
    """``count`` distinct small videos: one clip plus unique trailing bytes per copy."""
    marker = root / f".complete-{count}"
    paths = [root / f"d{i // FILES_PER_DIR:03d}" / f"clip_{i:05d}.mp4" for i in range(count)]
    made = [int(m.name.split("-")[1]) for m in root.glob(".complete-*")] if root.exists() else []
    if made and max(made) == count:
        return paths
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    base = make_clip(
        root / ".base.mp4",
        acodec="aac",
        duration=0.4,
        extra=("-movflags", "+faststart", "-s", "96x64"),
    ).read_bytes()
    for i, path in enumerate(track(paths, description="generating files", console=console)):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(base + i.to_bytes(8, "little") * 4)
    (root / ".base.mp4").unlink()
    marker.touch()
    return paths


def ffprobe_floor(paths: list[Path], workers: int) -> float:
    def one(path: Path) -> None:
        subprocess.run(ffprobe_command(str(path)), capture_output=True, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - start


def walk_floor(root: Path) -> float:
    start = time.perf_counter()
    for directory, _dirs, files in os.walk(root):
        for name in files:
            os.stat(os.path.join(directory, name))
    return time.perf_counter() - start


def bench_scan(
    pg: EphemeralPostgres, root: Path, subset: int, workers: int, tree_files: int
) -> dict:
    paths = generate_tree(root, tree_files)[:subset]
    subset_dir = Path(tempfile.mkdtemp(prefix="va-bench-subset-"))
    for path in paths:  # the same files, hard-linked into a tree of their own
        os.link(path, subset_dir / path.name)
    try:
        console.log(f"floor: ffprobe alone over {subset} files, {workers} workers")
        floor = ffprobe_floor(sorted(subset_dir.iterdir()), workers)
        catalog = open_catalog(pg.create_database("bench_scan"))
        catalog.add_source(spec_from_uri("subset", str(subset_dir)))
        console.log(f"bronze scan of the same {subset} files")
        start = time.perf_counter()
        summary = scan_source(catalog, "subset", workers=workers)
        scan = time.perf_counter() - start
        assert summary.counts["probed"] == subset, summary.counts
        catalog.close()
    finally:
        shutil.rmtree(subset_dir)
    return {
        "scan_files": subset,
        "scan_seconds": round(scan, 2),
        "ffprobe_floor_seconds": round(floor, 2),
        "scan_throughput_vs_floor": round(floor / scan, 3),
        "scan_files_per_second": round(subset / scan, 1),
    }


_CHILD = """
import resource, sys, time
from samples.video_archive.catalog import open_catalog
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.ingestion.sources import spec_from_uri
catalog = open_catalog(sys.argv[1])
catalog.add_source(spec_from_uri("big", sys.argv[2]))
start = time.perf_counter()
summary = scan_source(catalog, "big", workers=int(sys.argv[3]))
print(time.perf_counter() - start, summary.counts["probed"],
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory(pg: EphemeralPostgres, root: Path, count: int, workers: int) -> dict:
    """A full scan of ``count`` new files in a separate process: its peak RSS and time."""
    generate_tree(root, count)
    dsn = pg.create_database("bench_memory")
    console.log(f"full scan of {count} new files in a separate process (peak memory)")
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, dsn, str(root), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds, probed, maxrss_kb = child.stdout.split()
    assert int(probed) == count, child.stdout
    return {
        "big_scan_files": count,
        "big_scan_seconds": round(float(seconds), 1),
        "big_scan_peak_rss_mb": round(int(maxrss_kb) / 1024, 1),
    }


def bench_rescan(pg: EphemeralPostgres, root: Path, count: int, workers: int) -> dict:
    """Rescan of ``count`` unchanged files vs a bare walk + stat of the same tree.

    The catalog is seeded with one row per file (its real size and mtime), exactly what a
    completed scan leaves behind, so this part does not need the long full scan first.
    """
    paths = generate_tree(root, count)
    dsn = pg.create_database("bench_rescan")
    catalog = open_catalog(dsn)
    source = catalog.add_source(spec_from_uri("big", str(root)))
    console.log(f"seeding the catalog with {count} scanned files")
    with catalog.conn.cursor() as cur:
        with cur.copy("COPY assets (id, fingerprint, size_bytes, status) FROM STDIN") as copy:
            for i, path in enumerate(paths):
                copy.write_row((i + 1, f"fp1:seed:{i}", path.stat().st_size, "probed"))
        with cur.copy(
            "COPY files (source_id, rel_path, asset_id, size_bytes, mtime_ns) FROM STDIN"
        ) as copy:
            for i, path in enumerate(paths):
                st = path.stat()
                rel = path.relative_to(root).as_posix()
                copy.write_row((source.id, rel, i + 1, st.st_size, st.st_mtime_ns))
    catalog.commit()
    walk = min(walk_floor(root) for _ in range(3))
    console.log(f"rescan of {count} unchanged files")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        summary = scan_source(catalog, "big", workers=workers)
        timings.append(time.perf_counter() - start)
        assert summary.counts["unchanged"] == count, summary.counts
        assert summary.counts["probed"] == 0, summary.counts
    catalog.close()
    rescan = min(timings)
    return {
        "rescan_files": count,
        "rescan_seconds": round(rescan, 3),
        "walk_stat_floor_seconds": round(walk, 3),
        "rescan_vs_walk_floor": round(rescan / walk, 2),
    }


def bench_search(pg: EphemeralPostgres, items: int, queries: int) -> dict:
    from integrations.embeddings import MiniLMEmbedder
    from integrations.semantic_index import IndexedAsset
    from integrations.semantic_index.lancedb_store import LanceDBIndex
    from samples.video_archive.indexing.search import search

    rng = np.random.default_rng(7)
    words = [
        "harbour",
        "ferry",
        "sunset",
        "mountain",
        "hike",
        "birthday",
        "market",
        "tram",
        "beach",
        "drone",
        "city",
        "night",
        "rain",
        "snow",
        "forest",
        "river",
        "wedding",
        "concert",
        "football",
        "kitchen",
        "garden",
        "train",
        "bridge",
    ]
    embedder = MiniLMEmbedder()
    # Real embeddings for a few hundred distinct texts, mixed with noise for 100,000 rows:
    # the index sees realistic, non-identical vectors without 100,000 model calls.
    base_texts = [" ".join(rng.choice(words, 4)) for _ in range(512)]
    base = embedder.embed(base_texts)
    choice = rng.integers(0, len(base), items)
    vectors = base[choice] + rng.normal(0, 0.02, (items, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    dsn = pg.create_database("bench_search")
    catalog = open_catalog(dsn)
    console.log(f"cataloguing {items} items")
    with (
        catalog.conn.cursor() as cur,
        cur.copy(
            "COPY assets (id, fingerprint, size_bytes, status, duration_s, width, height, "
            "video_codec, title) FROM STDIN"
        ) as copy,
    ):
        for i in range(items):
            copy.write_row(
                (
                    i + 1,
                    f"fp1:bench:{i}",
                    1000,
                    "probed",
                    10.0,
                    1920,
                    1080,
                    "h264",
                    base_texts[choice[i]],
                )
            )
    catalog.commit()

    index_dir = Path(tempfile.mkdtemp(prefix="va-bench-index-"))
    index = LanceDBIndex(index_dir, dimension=base.shape[1])
    console.log(f"indexing {items} vectors")
    for start in range(0, items, 10_000):
        stop = min(start + 10_000, items)
        index.upsert(
            [
                IndexedAsset(
                    i + 1,
                    vectors[i],
                    base_texts[choice[i]],
                    base_texts[choice[i]],
                    10.0,
                    "h264",
                    1080,
                    ("bench",),
                )
                for i in range(start, stop)
            ]
        )
    build_start = time.perf_counter()
    index.build_vector_index()
    index.optimize()
    build = time.perf_counter() - build_start

    query_texts = [" ".join(rng.choice(words, 3)) for _ in range(queries)]
    for q in query_texts[:5]:  # warm-up: model, caches
        search(catalog, index, embedder, q)
    latencies, embed_latencies, index_latencies = [], [], []
    for q in query_texts:
        start = time.perf_counter()
        results = search(catalog, index, embedder, q, limit=10)
        latencies.append(time.perf_counter() - start)
        assert results
        start = time.perf_counter()
        qv = embedder.embed([q])[0]
        embed_latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        index.search(qv, q, limit=10)
        index_latencies.append(time.perf_counter() - start)
    query_vectors = embedder.embed(query_texts)
    numpy_latencies = []
    for qv in query_vectors:
        start = time.perf_counter()
        np.argpartition(-(vectors @ qv), 10)[:10]
        numpy_latencies.append(time.perf_counter() - start)
    catalog.close()
    shutil.rmtree(index_dir)
    p95 = float(np.percentile(latencies, 95))
    numpy_p95 = float(np.percentile(numpy_latencies, 95))
    return {
        "search_items": items,
        "search_queries": queries,
        "search_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
        "search_p95_ms": round(p95 * 1000, 1),
        "search_p95_breakdown_ms": {
            "query_embedding": round(float(np.percentile(embed_latencies, 95)) * 1000, 1),
            "index_hybrid_search": round(float(np.percentile(index_latencies, 95)) * 1000, 1),
        },
        "numpy_scan_p95_ms": round(numpy_p95 * 1000, 1),
        "search_p95_vs_numpy_scan": round(p95 / numpy_p95, 2),
        "vector_index_build_seconds": round(build, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="files for rescan/memory")
    parser.add_argument("--scan-subset", type=int, default=1_000, help="files for throughput")
    parser.add_argument("--items", type=int, default=100_000, help="catalogued items for search")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/video_archive.json")
    parser.add_argument("--parts", default="search,scan,rescan,memory", help="comma-separated")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help="generated files go here")
    args = parser.parse_args()

    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine skews absolute numbers; ratios against the same-run
            # baselines are the figures to compare.
            "load_average_at_start": os.getloadavg()[0],
        }
    }
    root = args.scratch / "tree"

    def save() -> None:  # after every part, so a long run that is cut short keeps its figures
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")

    parts = {
        "search": lambda pg: bench_search(pg, args.items, args.queries),
        "scan": lambda pg: bench_scan(pg, root, args.scan_subset, args.workers, args.files),
        "rescan": lambda pg: bench_rescan(pg, root, args.files, args.workers),
        "memory": lambda pg: bench_memory(pg, root, args.files, args.workers),
    }
    chosen = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(chosen) - set(parts)
    if unknown:
        parser.error(f"unknown parts {', '.join(sorted(unknown))}; choose from {', '.join(parts)}")
    if args.out.exists():  # keep figures of parts not run this time
        results = {**json.loads(args.out.read_text()), **results}
    with EphemeralPostgres() as pg:
        for part in chosen:
            results.setdefault("load_average_before", {})[part] = round(os.getloadavg()[0], 1)
            results.update(parts[part](pg))
            save()
    results["bench_process_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )

    targets = [
        ("scan throughput vs ffprobe floor", "scan_throughput_vs_floor", ">=", 0.8),
        ("rescan of unchanged files (s)", "rescan_seconds", "<=", 3.0),
        ("peak RSS of a full scan (MB)", "big_scan_peak_rss_mb", "<=", 500),
        ("search p95 (ms)", "search_p95_ms", "<=", 50),
    ]
    table = Table("figure", "value", "target", "met")
    results["targets"] = {}
    for name, key, op, target in targets:
        if key not in results:
            continue
        value = results[key]
        met = value >= target if op == ">=" else value <= target
        results["targets"][name] = {"value": value, "target": f"{op} {target}", "met": met}
        table.add_row(name, str(value), f"{op} {target}", "yes" if met else "NO")
    console.print(table)
    save()
    console.print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
