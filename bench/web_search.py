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
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from http_load import Request, RssSampler, closed_loop, latency_ms, open_loop  # noqa: E402 (beside this file)

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
                tags = "{" + ",".join(sorted(set(rng.choices(VOCABULARY, WEIGHTS, k=2)))) + "}"
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


def start_server(dsn: str, derivatives: Path, index_dir: Path, port: int) -> subprocess.Popen:
    key_sha = hashlib.sha256(API_KEY.encode()).hexdigest()
    env = {
        **os.environ,
        "VIDEO_ARCHIVE_CATALOG_DSN": dsn,
        "VIDEO_ARCHIVE_DERIVATIVES_DIR": str(derivatives),
        "VIDEO_ARCHIVE_WEB_SESSION_SECRET": "x" * 48,
        "VIDEO_ARCHIVE_WEB_USERS": f"bench:viewer:{hash_password(PASSWORD)}",
        "VIDEO_ARCHIVE_WEB_API_KEYS": f"bench:viewer:{key_sha}",
        "VIDEO_ARCHIVE_LANCEDB_DIR": str(index_dir),
        "VIDEO_ARCHIVE_WEB_POOL_SIZE": "20",
        "HF_HUB_OFFLINE": "1",
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


def semantic_index_figures(index_dir: Path, queries: list[str]) -> dict[str, dict]:
    """The index part alone, over the catalogue's real embeddings: recall@10 against an
    exact (numpy) scan and latency, one query at a time, for a first page (limit 10) and
    for the search path's pool (SEMANTIC_POOL, whose top 10 is what a page shows). The
    served path (the HNSW graph, graph.py) beside LanceDB's own vector index, which filtered
    queries use, with the chosen beam, a narrower one, and re-ranking by full vectors."""
    from samples.video_archive.indexing.backends.ann import AnnSettings
    from samples.video_archive.indexing.backends.graph import describe as graph_settings
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder
    from samples.video_archive.search.searcher import SEMANTIC_POOL

    index = LanceDBIndex(index_dir, dimension=384)
    table = index._table.to_arrow().select(["asset_id", "vector"])
    order = np.array(table["asset_id"].to_pylist())
    matrix = np.stack(table["vector"].to_numpy(zero_copy_only=False)).astype(np.float32)
    query_vectors = MiniLMEmbedder().embed(queries)
    chosen = index.ann
    narrow = replace(chosen, ef=200)
    reranked = replace(chosen, refine_factor=3)

    def served(limit: int) -> Callable[[np.ndarray], list[int]]:
        return lambda qv: [h.asset_id for h in index.search(qv, limit=limit)]

    def lancedb(limit: int, ann: AnnSettings) -> Callable[[np.ndarray], list[int]]:
        def search(qv: np.ndarray) -> list[int]:
            index.ann = ann
            return [i for i, _ in index._vector_query(qv, limit, None)]

        return search

    report: dict[str, dict] = {}
    for name, search in (
        ("graph_limit_10", served(10)),
        (f"graph_limit_{SEMANTIC_POOL}", served(SEMANTIC_POOL)),
        ("lancedb_limit_10", lancedb(10, chosen)),
        (f"lancedb_limit_{SEMANTIC_POOL}", lancedb(SEMANTIC_POOL, chosen)),
        (f"lancedb_limit_{SEMANTIC_POOL}_beam_{narrow.ef}", lancedb(SEMANTIC_POOL, narrow)),
        (f"lancedb_limit_{SEMANTIC_POOL}_refine_3", lancedb(SEMANTIC_POOL, reranked)),
    ):
        latencies, recalls, cpu = [], [], 0.0
        for qv in query_vectors:
            exact = set(order[np.argpartition(-(matrix @ qv), 10)[:10]].tolist())
            started, cpu_started = time.perf_counter(), time.process_time()
            ids = search(qv)
            latencies.append(time.perf_counter() - started)
            cpu += time.process_time() - cpu_started
            recalls.append(len(exact & set(ids[:10])) / 10)
        report[name] = {"recall_at_10": round(statistics.fmean(recalls), 3)}
        report[name] |= latency_ms(latencies)
        # The index's own threads included: what one search costs the machine.
        report[name]["cpu_ms"] = round(cpu / len(query_vectors) * 1000, 2)
    index.ann = chosen
    report["graph_answered"] = {"searches": index.graph.served}
    report["settings"] = {
        "graph": graph_settings(),
        "lancedb": chosen.describe(),
    }
    report["queries"] = {"count": len(queries)}
    return report


def query_embedding_figures(queries: list[str]) -> dict[str, object]:
    """What a query-vector cache miss costs: the model run for one query at a time, as a
    lone miss pays it, and per query in batches of 20, as misses arriving together share
    it (search/query_vectors.py). CPU time is this process's, all its threads."""
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    model = MiniLMEmbedder()
    model.warm()
    latencies = []
    cpu_started = time.process_time()
    for query in queries:
        started = time.perf_counter()
        model.embed([query])
        latencies.append(time.perf_counter() - started)
    one_cpu_ms = (time.process_time() - cpu_started) / len(queries) * 1000
    batches = [queries[i : i + 20] for i in range(0, len(queries), 20)]
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    for batch in batches:
        model.embed(batch)
    return {
        "one_query": {**latency_ms(latencies), "cpu_ms": round(one_cpu_ms, 2)},
        "batch_of_20_per_query": {
            "wall_ms": round((time.perf_counter() - wall_started) / len(queries) * 1000, 2),
            "cpu_ms": round((time.process_time() - cpu_started) / len(queries) * 1000, 2),
        },
        "queries": len(queries),
    }


def keyword_engines(dsn: str, index_dir: Path, queries: list[str]) -> dict[str, dict]:
    """Keyword ranking by each engine, one query at a time, first page of 24 with its
    total: PostgreSQL full text (what keyword mode runs) against LanceDB's BM25 index
    (the top SEMANTIC_POOL, then the page's cards from the catalog). No cache in front."""
    import psycopg
    from psycopg.rows import dict_row

    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
    from samples.video_archive.search import Filters
    from samples.video_archive.search.catalog_queries import keyword_search, ranked_cards
    from samples.video_archive.search.searcher import SEMANTIC_POOL

    index = LanceDBIndex(index_dir, dimension=384)
    timings: dict[str, list[float]] = {"postgres_full_text": [], "lancedb_bm25": []}
    agree = 0
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        for query in queries:
            started = time.perf_counter()
            by_postgres, _ = keyword_search(conn, query, Filters(), limit=24, offset=0)
            timings["postgres_full_text"].append(time.perf_counter() - started)
            started = time.perf_counter()
            ids = index._text_query(query, SEMANTIC_POOL, None)
            by_lancedb, _ = ranked_cards(conn, ids, Filters(), limit=24)
            timings["lancedb_bm25"].append(time.perf_counter() - started)
            first = {r["id"] for r in by_postgres[:10]}
            agree += len(first & {r["id"] for r in by_lancedb[:10]}) / max(len(first), 1)
    report: dict[str, dict] = {}
    for engine, values in timings.items():
        report[engine] = {
            **latency_ms(values),
            "mean_ms": round(statistics.fmean(values) * 1000, 2),
        }
    report["queries"] = {"count": len(queries), "top10_overlap": round(agree / len(queries), 3)}
    return report


def explain_keyword_queries(dsn: str) -> dict[str, dict]:
    """EXPLAIN ANALYZE of the keyword search's SQL for a very common word, a rare word and
    two words with filters, as the service runs it."""
    import psycopg
    from psycopg.rows import dict_row

    from samples.video_archive.search import catalog_queries as queries

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


# -- the semantic index over the catalogue ------------------------------------------------------
class RememberingEmbedder:
    """The real embedder, with the documents' vectors kept in .cache/bench between runs
    (embedding 100,000 documents takes 7 to 20 min on 2 cores; the catalogue is the same each
    run, seeded)."""

    def __init__(self, store: Path) -> None:
        from samples.video_archive.indexing.embeddings import MiniLMEmbedder

        self._model = MiniLMEmbedder(batch_size=256)
        self.name, self.dimension = self._model.name, self._model.dimension
        self._store = store
        self._known: dict[str, np.ndarray] = {}
        if store.exists():
            with np.load(store) as saved:
                self._known = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        self.computed = 0
        self._used: set[str] = set()

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a cache key

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        self._used.update(keys)
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self._known]
        if missing:
            for text, vector in zip(missing, self._model.embed(missing), strict=True):
                self._known[self._key(text)] = vector
            self.computed += len(missing)
        return np.stack([self._known[k] for k in keys])

    def save(self) -> None:
        """Keep the vectors of this run's documents (older ones are dropped)."""
        self._store.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._used)
        vectors = np.stack([self._known[k] for k in keys])
        np.savez(self._store, keys=np.array(keys), vectors=vectors)


def build_index(dsn: str, index_dir: Path, items: int) -> dict[str, float]:
    """The gold step over the catalogue (index_pending: embed, upsert, optimise; the vector
    index is built as the table passes 20,000 rows)."""
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
    from samples.video_archive.indexing.indexer import index_pending

    embedder = RememberingEmbedder(ROOT / f".cache/bench/web_search_vectors_{items}.npz")
    catalog = open_catalog(dsn)
    index = LanceDBIndex(index_dir, dimension=embedder.dimension)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 10_000 < 1000 or done == total:
            print(
                f"  index: {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True
            )

    summary = index_pending(catalog, index, embedder, batch_size=1000, progress=progress)
    elapsed = time.perf_counter() - started
    catalog.close()
    embedder.save()
    maintenance = summary.maintenance
    return {
        "indexed": summary.counts["indexed"],
        "index_s": round(elapsed, 1),
        "documents_embedded_this_run": embedder.computed,
        "vector_index": maintenance.vector_index if maintenance else "none",
    }


# -- what the clients ask -----------------------------------------------------------------------
def distinct_queries(count: int, seed: int = 11) -> list[str]:
    """``count`` distinct query strings of one to three words, most popular first."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < count:
        words = rng.choices(VOCABULARY, WEIGHTS, k=rng.choice((1, 1, 2, 2, 3)))
        seen.setdefault(" ".join(dict.fromkeys(words)), None)
    return list(seen)


class QueryMix:
    """Draws queries from the distinct strings with a Zipf-like popularity (a few searched
    often, most rarely), and counts what was asked."""

    def __init__(self, queries: list[str]) -> None:
        self.queries = queries
        self._weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(queries))]
        self.asked: set[str] = set()
        self._lock = threading.Lock()

    def draw(self, rng: random.Random) -> str:
        query = rng.choices(self.queries, self._weights)[0]
        with self._lock:
            self.asked.add(query)
        return query

    def request(self, mode: str, *, filtered: bool = False) -> Request:
        def send(client: httpx.Client, rng: random.Random) -> httpx.Response:
            params: dict[str, object] = {"q": self.draw(rng), "mode": mode}
            if filtered:
                params |= {"codec": rng.choice(CODECS), "min_height": rng.choice(HEIGHTS[:3]),
                           "max_duration": 1800}  # fmt: skip
            return client.get("/api/v1/search", params=params)

        return send


def health(client: httpx.Client, rng: random.Random) -> httpx.Response:
    return client.get("/health")


CACHES = ("ranking", "query_vector")


def cache_counters(base: str) -> dict[str, float]:
    """The service's search cache counters, from its /metrics."""
    text = httpx.get(f"{base}/metrics", headers=HEADERS, timeout=30).text
    counters = {}
    for line in text.splitlines():
        for cache in CACHES:
            for name in ("hits", "misses"):
                if line.startswith(f"video_archive_{cache}_cache_{name}_total "):
                    counters[f"{cache}_{name}"] = float(line.split()[1])
    return counters


def hit_rates(before: dict[str, float], after: dict[str, float]) -> dict[str, float | None]:
    rates: dict[str, float | None] = {}
    for cache in CACHES:
        hits = after.get(f"{cache}_hits", 0) - before.get(f"{cache}_hits", 0)
        misses = after.get(f"{cache}_misses", 0) - before.get(f"{cache}_misses", 0)
        rates[f"{cache}_cache_hit_rate"] = (
            round(hits / (hits + misses), 3) if hits + misses else None
        )
    return rates


def wait_until_semantic(base: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = httpx.get(f"{base}/api/v1/search", params={"q": "warm", "mode": "semantic"},
                             headers=HEADERS, timeout=120)  # fmt: skip
        if response.status_code == 200:
            return
        time.sleep(2)
    raise RuntimeError(f"semantic search did not come up: {response.status_code} {response.text}")


HEADERS = {"X-API-Key": API_KEY}
MODES = ("keyword", "semantic", "hybrid")


# -- the phases --------------------------------------------------------------------------------
def with_load_average(run: Callable[[], dict]) -> dict:
    before = round(os.getloadavg()[0], 1)
    figures = run()
    figures["load_average"] = [before, round(os.getloadavg()[0], 1)]
    return figures


def closed_loop_phases(base: str, mix: QueryMix, clients: int, per_client: int) -> dict[str, dict]:
    results: dict[str, dict] = {}
    kinds: list[tuple[str, Request]] = [("health_baseline", health)]
    kinds += [(f"search_{mode}", mix.request(mode)) for mode in MODES]
    kinds += [(f"search_{mode}_filtered", mix.request(mode, filtered=True)) for mode in MODES]
    for number, (name, request) in enumerate(kinds):
        counters = cache_counters(base)
        results[name] = with_load_average(
            lambda request=request, number=number: closed_loop(
                base, request, clients=clients, per_client=per_client, headers=HEADERS,
                seed=number,
            )
        )  # fmt: skip
        results[name] |= hit_rates(counters, cache_counters(base))
        print(f"closed loop {name}: {results[name]}", flush=True)
    return results


def open_loop_phases(base: str, mix: QueryMix, rate: float, duration_s: float) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for number, mode in enumerate(MODES):
        counters = cache_counters(base)
        results[f"search_{mode}"] = with_load_average(
            lambda mode=mode, number=number: open_loop(
                base, mix.request(mode), rate=rate, duration_s=duration_s, headers=HEADERS,
                seed=100 + number,
            )
        )  # fmt: skip
        results[f"search_{mode}"] |= hit_rates(counters, cache_counters(base))
        print(f"open loop {mode}: {results[f'search_{mode}']}", flush=True)
    return results


def mixed_modes(mix: QueryMix) -> Request:
    requests = [mix.request(mode) for mode in MODES]

    def send(client: httpx.Client, rng: random.Random) -> httpx.Response:
        return rng.choice(requests)(client, rng)

    return send


def profile(base: str, pid: int, mix: QueryMix, clients: int, seconds: int, out: Path) -> dict:
    """py-spy samples the service while 20 clients search in every mode; the top frames
    by time spent in them (self) and under them (total), from the collapsed stacks."""
    raw = out.with_suffix(".folded")
    spy = subprocess.Popen(
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
         "--duration", str(seconds), "--rate", "100", "--format", "raw", "--threads",
         "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1)
    closed_loop(base, mixed_modes(mix), clients=clients, duration_s=seconds - 2, headers=HEADERS)
    _, stderr = spy.communicate(timeout=120)
    if spy.returncode != 0 or not raw.exists():
        return {"error": f"py-spy failed ({spy.returncode}): {stderr.decode()[-500:]}"}
    self_time: dict[str, int] = {}
    total_time: dict[str, int] = {}
    samples = idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if f and not f.startswith(("thread ", "process "))]
        if not frames:
            continue
        n = int(count)
        samples += n
        # Idle: a worker thread waiting for work, or the event loop waiting for sockets.
        if frames[-1].startswith("EpollSelector.select") or (
            frames[-1].startswith("Condition.wait") and any("Queue.get" in f for f in frames)
        ):
            idle += n
            continue
        self_time[frames[-1]] = self_time.get(frames[-1], 0) + n
        for frame in set(frames):
            total_time[frame] = total_time.get(frame, 0) + n
    busy = samples - idle

    def top(table: dict[str, int], k: int) -> list[dict]:
        best = sorted(table.items(), key=lambda item: -item[1])[:k]
        return [{"frame": frame, "share_of_busy": round(n / busy, 3)} for frame, n in best]

    return {"samples": samples, "idle_samples": idle, "seconds": seconds,
            "top_self": top(self_time, 15),
            "top_total_ours_and_libraries": top(
                {f: n for f, n in total_time.items()
                 if any(p in f for p in ("samples/", "lancedb/", "psycopg/", "sentence_"))}, 25),
            "folded_stacks": str(raw)}  # fmt: skip


def soak(base: str, pid: int, mix: QueryMix, clients: int, seconds: float) -> dict:
    """Every mode, ``clients`` clients, for ``seconds``; resident memory every 5 s. Growth
    compares the last minute with the first minute after a minute of warm-up."""
    counters = cache_counters(base)
    with RssSampler(pid) as sampler:
        figures = closed_loop(base, mixed_modes(mix), clients=clients, duration_s=seconds,
                              headers=HEADERS, seed=999)  # fmt: skip
    samples = sampler.samples
    warm = [rss for t, rss in samples if 60 <= t < 120] or [samples[0][1]]
    last = [rss for t, rss in samples if t >= samples[-1][0] - 60]
    figures |= hit_rates(counters, cache_counters(base))
    figures |= {
        "seconds": seconds,
        "rss_mb_first_minute_after_warm_up": round(statistics.median(warm) / 2**20, 1),
        "rss_mb_last_minute": round(statistics.median(last) / 2**20, 1),
        "rss_mb_max": round(max(rss for _, rss in samples) / 2**20, 1),
        "rss_growth": round(statistics.median(last) / statistics.median(warm) - 1, 3),
        "rss_samples_mb": [[t, round(rss / 2**20, 1)] for t, rss in samples],
    }
    return figures


def relevance_figures(pg: EphemeralPostgres, work: Path) -> dict:
    """The relevance test's measure (samples/video_archive/relevance.py), in its own
    catalogue: described clips scanned and indexed as gold does."""
    from samples.video_archive import relevance
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    catalog = open_catalog(pg.create_database("bench_relevance"))
    relevance.scan_described(catalog, work / "described")
    backend = relevance.index_described(catalog, work / "relevance-index", MiniLMEmbedder())
    report = relevance.evaluate(catalog.conn, backend)
    catalog.close()
    return report


def ratios(closed: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Each kind against /health; and the machine time one request took (cores x wall /
    requests, load generator and PostgreSQL included), /health's too: a search must cost
    no more than 2.5 times /health's to reach 40 % of its throughput."""
    baseline = closed["health_baseline"]
    cores = os.cpu_count() or 1
    return {
        name: {
            "throughput_vs_health": round(v["throughput_rps"] / baseline["throughput_rps"], 3),
            "p95_vs_health": round(v["p95_ms"] / baseline["p95_ms"], 2),
            "machine_ms_per_request": round(cores * 1000 / v["throughput_rps"], 2),
        }
        for name, v in closed.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests-per-client", type=int, default=50)
    parser.add_argument("--distinct-queries", type=int, default=2000)
    parser.add_argument("--open-loop-rate", type=float, default=50.0)
    parser.add_argument("--open-loop-s", type=float, default=30.0)
    parser.add_argument("--profile-s", type=int, default=30)
    parser.add_argument("--soak-s", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/web.json")
    args = parser.parse_args()

    load_at_start = round(os.getloadavg()[0], 1)
    mix = QueryMix(distinct_queries(args.distinct_queries))
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp, EphemeralPostgres() as pg:
        work = Path(tmp)
        derivatives = work / "derivatives"
        poster = write_poster(derivatives)
        started = time.perf_counter()
        fill_catalog(pg.dsn, args.items, poster)
        fill_s = time.perf_counter() - started
        print(f"catalog: {args.items:,} items in {fill_s:.1f} s", flush=True)
        relevance = relevance_figures(pg, work)
        print(f"relevance: { {m: r['top3_share'] for m, r in relevance.items()} }", flush=True)
        indexing = build_index(pg.dsn, work / "index", args.items)
        print(f"index: {indexing}", flush=True)
        plans = explain_keyword_queries(pg.dsn)
        engines = keyword_engines(pg.dsn, work / "index", mix.queries[:300])
        print(f"keyword engines: {engines}", flush=True)
        semantic_index = semantic_index_figures(work / "index", mix.queries[:300])
        print(f"semantic index: {semantic_index}", flush=True)
        embedding = query_embedding_figures(mix.queries[:300])
        print(f"query embedding: {embedding}", flush=True)
        port = free_port()
        server = start_server(pg.dsn, derivatives, work / "index", port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_semantic(base)
            # Warm the pool and the caches once, untimed.
            closed_loop(base, mixed_modes(mix), clients=4, per_client=10, headers=HEADERS)
            closed = closed_loop_phases(base, mix, args.clients, args.requests_per_client)
            opened = open_loop_phases(base, mix, args.open_loop_rate, args.open_loop_s)
            profiled = profile(base, server.pid, mix, args.clients, args.profile_s,
                               ROOT / ".cache/bench/web_profile.json")  # fmt: skip
            print(f"profile: {profiled.get('top_self', profiled)[:5]}", flush=True)
            grid = first_grid_page(base, rounds=10)
            soaked = soak(base, server.pid, mix, args.clients, args.soak_s) if args.soak_s else {}
            print(f"soak: { {k: v for k, v in soaked.items() if k != 'rss_samples_mb'} }")
            cache = cache_counters(base)
        finally:
            server.terminate()
            server.wait(timeout=20)
    load_at_end = round(os.getloadavg()[0], 1)
    report = {
        "benchmark": "video archive web search",
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
        "distinct_query_strings": len(mix.queries),
        "distinct_query_strings_asked": len(mix.asked),
        "search_caches_overall": {**cache, **hit_rates({}, cache)},
        "catalog_fill_s": round(fill_s, 1),
        "semantic_index": indexing,
        "closed_loop": closed,
        "closed_loop_vs_health": ratios(closed),
        "open_loop": opened,
        "soak": soaked,
        "relevance_top3": relevance,
        "profile": profiled,
        "first_grid_page": grid,
        "keyword_engines": engines,
        "semantic_index_part": semantic_index,
        "query_embedding": embedding,
        "keyword_query_plans": plans,
        "notes": "The service (one uvicorn process) and this load generator share the "
        f"machine's {os.cpu_count()} cores. Keyword mode is PostgreSQL full-text search; "
        "semantic and hybrid use the LanceDB index of the same 100,000 items, embedded with "
        "all-MiniLM-L6-v2 (vectors kept in .cache/bench between runs). Open-loop latency is "
        "counted from each request's scheduled send time.",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k not in ("keyword_query_plans",)},
                     indent=2)[:6000])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
