# ruff: noqa: S311, SIM905 - benchmark data, not secrets; a readable word list
"""Benchmark of the archive web service over 100,000 catalogued items.

Measures, against the real service (uvicorn in its own process, a throwaway PostgreSQL):
  * the search API (keyword mode, with and without filters) at 20 concurrent clients:
    p50/p95/p99 latency and throughput;
  * the baseline: /health (one trivial query) under the same load, so the result reads as a
    ratio that does not depend on how fast this machine is;
  * the first poster-grid page: the HTML of / for a logged-in user, then the page plus its
    posters, as a browser would fetch them (sequentially);
  * EXPLAIN ANALYZE of representative keyword queries over the same catalog, with the
    number of statements each search sends (the pool runs in autocommit: no BEGIN or
    COMMIT around them).
The load average is recorded at the start and end of each phase: the build machines are
shared, and other work inflates absolute latencies (the /health ratio holds better).
Results go to a JSON file (default bench/results/web.json).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samples.video_archive.catalog import open_catalog  # noqa: E402
from samples.video_archive.web.auth import hash_password  # noqa: E402
from tests.postgres_server import EphemeralPostgres  # noqa: E402

WORDS = """
    harbour ferry lighthouse tram lisbon sunset quay boats market festival river bridge
    mountain snow forest beach wedding concert parade train station airport kitchen garden
    city night rain storm desert canyon island village castle museum stadium interview drone
    timelapse portrait street crowd cathedral tower lake glacier volcano harvest vineyard
    school office factory workshop studio rehearsal premiere trailer archive family holiday
""".split()
# A realistic vocabulary: the common words above plus 5,000 rarer ones drawn with a Zipf-like
# weight, so a query word matches anything from a few items to a few percent of the catalog.
_RARE = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ou", "ei")
         for c in ("la", "ren", "tos", "mik", "dar", "vel", "sun", "pol", "quin", "rax", "bel",
                   "cor", "dun", "fin", "gal", "hest", "jor", "kal", "lom", "mer")]  # fmt: skip
VOCABULARY = WORDS + _RARE
WEIGHTS = [1.0 / (rank + 10) for rank in range(len(VOCABULARY))]
CODECS = ("h264", "hevc", "vp9", "mpeg4", "prores")
HEIGHTS = (240, 480, 720, 1080, 2160)
API_KEY = "bench-key-" + "b" * 40
PASSWORD = "bench password 123"  # noqa: S105 - a throwaway benchmark user


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fill_catalog(dsn: str, items: int, poster: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    catalog = open_catalog(dsn)
    conn = catalog.conn
    conn.execute(
        "INSERT INTO sources (name, kind, uri, status) VALUES "
        "('nas', 'local', '/srv/nas', 'online'), ('camera', 'local', '/srv/camera', 'online')"
    )
    with conn.cursor() as cur:
        with cur.copy(
            "COPY assets (id, fingerprint, size_bytes, status, duration_s, width, height, "
            "video_codec, title, description, tags, poster_path, creation_time) FROM STDIN"
        ) as copy:
            for i in range(1, items + 1):
                height = rng.choice(HEIGHTS)
                title = " ".join(rng.choices(VOCABULARY, WEIGHTS, k=3))
                description = " ".join(rng.choices(VOCABULARY, WEIGHTS, k=10))
                tags = "{" + ",".join(set(rng.choices(VOCABULARY, WEIGHTS, k=2))) + "}"
                recorded = f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                copy.write_row(
                    (i, f"sz:{i}:{hashlib.sha256(str(i).encode()).hexdigest()[:32]}",
                     rng.randint(10**6, 10**9), "probed", rng.uniform(1, 3600),
                     height * 16 // 9, height, rng.choice(CODECS), title, description, tags,
                     str(poster), recorded)
                )  # fmt: skip
        with cur.copy(
            "COPY files (source_id, rel_path, asset_id, size_bytes, mtime_ns) FROM STDIN"
        ) as copy:
            for i in range(1, items + 1):
                folder, name = rng.choices(VOCABULARY, WEIGHTS, k=2)
                copy.write_row((1 + i % 2, f"{folder}/{i:06d}_{name}.mp4", i, 1, 1))
        cur.execute("SELECT setval('assets_id_seq', %s)", (items,))
    conn.commit()
    # What autovacuum does to a settled catalog: statistics, and the GIN pending list of the
    # bulk load folded into the full-text index.
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    catalog.close()


def start_server(dsn: str, derivatives: Path, port: int) -> subprocess.Popen:
    key_sha = hashlib.sha256(API_KEY.encode()).hexdigest()
    env = {
        **os.environ,
        "VIDEO_ARCHIVE_CATALOG_DSN": dsn,
        "VIDEO_ARCHIVE_DERIVATIVES_DIR": str(derivatives),
        "VIDEO_ARCHIVE_WEB_SESSION_SECRET": "x" * 48,
        "VIDEO_ARCHIVE_WEB_USERS": f"bench:viewer:{hash_password(PASSWORD)}",
        "VIDEO_ARCHIVE_WEB_API_KEYS": f"bench:viewer:{key_sha}",
        "VIDEO_ARCHIVE_WEB_POOL_SIZE": "20",
        "VIDEO_ARCHIVE_WEB_WARM_SEMANTIC": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "samples.video_archive.web", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the web service did not start: {server.stderr.read().decode()[-2000:]}")


def load(base: str, make_request, clients: int, per_client: int) -> dict[str, float]:
    """`clients` threads, each sending `per_client` requests back to back."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        with httpx.Client(base_url=base, headers={"X-API-Key": API_KEY}, timeout=30) as client:
            for _ in range(per_client):
                start = time.perf_counter()
                response = make_request(client, rng)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(q[49] * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def keyword(client: httpx.Client, rng: random.Random) -> httpx.Response:
    return client.get("/api/v1/search", params={"q": rng.choices(VOCABULARY, WEIGHTS)[0]})


def keyword_filtered(client: httpx.Client, rng: random.Random) -> httpx.Response:
    return client.get(
        "/api/v1/search",
        params={
            "q": " ".join(rng.choices(VOCABULARY, WEIGHTS, k=2)),
            "codec": rng.choice(CODECS),
            "min_height": rng.choice(HEIGHTS[:3]),
            "max_duration": 1800,
        },
    )


def health(client: httpx.Client, rng: random.Random) -> httpx.Response:
    return client.get("/health")


def explain_keyword_queries(dsn: str) -> dict[str, dict]:
    """EXPLAIN ANALYZE of the keyword search's SQL for a very common word, a rare word and
    two words with filters, as the service runs it."""
    import psycopg
    from psycopg.rows import dict_row

    from samples.video_archive.web import queries

    cases = {
        "common word": (VOCABULARY[0], queries.Filters()),
        "rare word": (VOCABULARY[-1], queries.Filters()),
        "two words, codec/height/duration filters": (
            f"{VOCABULARY[0]} {VOCABULARY[5]}",
            queries.Filters(video_codec="vp9", min_height=480, max_duration_s=1800),
        ),
        "no words, codec filter (newest first)": ("", queries.Filters(video_codec="vp9")),
    }
    plans: dict[str, dict] = {}
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        for name, (query, filters) in cases.items():
            statements: list[tuple[str, list]] = []
            keyword_search_start = time.perf_counter()
            rows, total = queries.keyword_search(
                _Recorder(conn, statements),  # type: ignore[arg-type]
                query,
                filters,
                limit=24,
                offset=0,
            )
            elapsed = time.perf_counter() - keyword_search_start
            plan = [
                r["QUERY PLAN"]
                for r in conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statements[0][0],
                                      statements[0][1])
            ]  # fmt: skip
            plans[name] = {
                "query": query,
                "results": len(rows),
                "total": total,
                "statements": len(statements),
                "elapsed_ms": round(elapsed * 1000, 2),
                "plan": plan,
            }
    return plans


class _Recorder:
    """Stands in for a connection: hands out cursors that remember their SQL."""

    def __init__(self, conn: object, statements: list[tuple[str, list]]) -> None:
        self._conn = conn
        self._statements = statements

    def cursor(self) -> _Recording:
        return _Recording(self._conn.cursor(), self._statements)  # type: ignore[attr-defined]


class _Recording:
    def __init__(self, cur: object, statements: list[tuple[str, list]]) -> None:
        self._cur = cur
        self._statements = statements

    def __enter__(self) -> _Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cur.close()  # type: ignore[attr-defined]

    def execute(self, sql: str, params: list) -> None:
        self._statements.append((sql, params))
        self._cur.execute(sql, params)  # type: ignore[attr-defined]

    def fetchall(self) -> list:
        return self._cur.fetchall()  # type: ignore[attr-defined]

    def fetchone(self) -> object:
        return self._cur.fetchone()  # type: ignore[attr-defined]


def first_grid_page(base: str, rounds: int) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        html_times, full_times, posters = [], [], 0
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get("/")
            html_times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            urls = [
                part.split('"', 1)[0]
                for part in response.text.split('<img src="')[1:]
                if part.startswith("/api/")
            ]
            for url in urls:
                client.get(url).raise_for_status()
            full_times.append(time.perf_counter() - start)
            posters = len(urls)
    return {
        "html_p50_ms": round(statistics.median(html_times) * 1000, 2),
        "html_max_ms": round(max(html_times) * 1000, 2),
        "with_posters_p50_ms": round(statistics.median(full_times) * 1000, 2),
        "posters_on_page": posters,
    }


def write_poster(derivatives: Path) -> Path:
    """One real JPEG every catalogued item points at, as a poster."""
    from PIL import Image

    poster = derivatives / "ab" / "poster.jpg"
    poster.parent.mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (40, 90, 160)).save(buffer, "JPEG", quality=85)
    poster.write_bytes(buffer.getvalue())
    return poster


def run_phases(
    base: str, clients: int, requests_per_client: int
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Closed-loop load per request kind, with the load average around each phase."""
    results: dict[str, dict[str, float]] = {}
    phases: dict[str, dict[str, float]] = {}
    # Warm the pool and the caches once, untimed.
    load(base, keyword, 4, 5)
    for name, request in (
        ("health_baseline", health),
        ("search_keyword", keyword),
        ("search_keyword_filtered", keyword_filtered),
    ):
        before = round(os.getloadavg()[0], 1)
        results[name] = load(base, request, clients, requests_per_client)
        phases[name] = {
            "load_average_before": before,
            "load_average_after": round(os.getloadavg()[0], 1),
        }
        print(name, results[name], flush=True)
    return results, phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests-per-client", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/web.json")
    args = parser.parse_args()

    load_at_start = round(os.getloadavg()[0], 1)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp, EphemeralPostgres() as pg:
        derivatives = Path(tmp) / "derivatives"
        poster = write_poster(derivatives)
        started = time.perf_counter()
        fill_catalog(pg.dsn, args.items, poster)
        fill_s = time.perf_counter() - started
        print(f"catalog: {args.items} items in {fill_s:.1f} s", flush=True)
        plans = explain_keyword_queries(pg.dsn)
        port = free_port()
        server = start_server(pg.dsn, derivatives, port)
        base = f"http://127.0.0.1:{port}"
        try:
            results, phases = run_phases(base, args.clients, args.requests_per_client)
            grid = first_grid_page(base, rounds=10)
        finally:
            server.terminate()
            server.wait(timeout=20)
    baseline = results["health_baseline"]["p95_ms"]
    load_at_end = round(os.getloadavg()[0], 1)
    report = {
        "benchmark": "video archive web service",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": load_at_end,
        },
        "items": args.items,
        "clients": args.clients,
        "requests_per_client": args.requests_per_client,
        "catalog_fill_s": round(fill_s, 1),
        "load": results,
        "phases": phases,
        "search_p95_vs_health_p95": {
            name: round(value["p95_ms"] / baseline, 2)
            for name, value in results.items()
            if name != "health_baseline"
        },
        "first_grid_page": grid,
        "keyword_query_plans": plans,
        "notes": "keyword mode is PostgreSQL full-text search (migration 0004); the service and "
        f"this load generator share the machine's {os.cpu_count()} cores (and, here, with other "
        f"jobs: 1-minute load average {load_at_start} at the start, {load_at_end} at the end; "
        "see 'phases'). Semantic/hybrid modes add the embedder and the index search measured "
        "by bench/video_archive.py.",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
