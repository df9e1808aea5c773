"""Benchmark of questions over the archive (samples/archive_qa) on the described samples.

In one run, over the same catalogue and index (a throwaway PostgreSQL, the real model):
  * retrieval quality: the tested measure of samples/archive_qa/evaluation.py (the cited
    clip in the top three passages, and the share answered from the right subtitle window);
  * latency per question, one at a time, of:
      - the baseline: the search path alone (run_search, hybrid, the question's filters);
      - retrieval (the search, then every candidate's passages embedded and ranked);
      - a whole extractive answer;
      - a whole answer from a real OpenAI-compatible endpoint (llama.cpp's server with
        SmolLM2-135M, tests/archive_qa/answer_model_server.py), when it is installed;
    each as p50/p95 and as a ratio of the baseline's p50 and p95.
Every question set is asked once untimed (the model and caches warm up), then ROUNDS times.
Results go to bench/results/archive_qa.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from http_load import latency_ms  # noqa: E402 (beside this file)

from samples.archive_qa.answerers import EndpointAnswerer, ExtractiveAnswerer  # noqa: E402
from samples.archive_qa.evaluation import QUESTIONS, evaluate  # noqa: E402
from samples.archive_qa.passages import retrieve  # noqa: E402
from samples.archive_qa.qa import ask  # noqa: E402
from samples.video_archive import relevance  # noqa: E402
from samples.video_archive.catalog import open_catalog  # noqa: E402
from samples.video_archive.search import Filters, run_search  # noqa: E402
from tests.postgres_server import EphemeralPostgres  # noqa: E402

HERE = Filters(source=relevance.SOURCE)


def timed(call: Callable[[str], object], rounds: int) -> list[float]:
    for question in QUESTIONS:  # untimed warm-up
        call(question.text)
    seconds = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            call(question.text)
            seconds.append(time.perf_counter() - started)
    return seconds


def start_answer_server() -> tuple[subprocess.Popen, str, str] | None:
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return None
    from tests.archive_qa.answer_model_server import start

    return start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/archive_qa.json")
    args = parser.parse_args()
    load_at_start = round(os.getloadavg()[0], 1)
    from integrations.openai_compatible import ChatEndpoint
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    with tempfile.TemporaryDirectory(prefix="bench-qa-") as tmp, EphemeralPostgres() as pg:
        work = Path(tmp)
        catalog = open_catalog(pg.create_database("bench_qa"))
        relevance.scan_described(catalog, work / "described")
        backend = relevance.index_described(catalog, work / "index", MiniLMEmbedder())
        conn = catalog.conn
        quality = evaluate(conn, backend)
        print(f"quality: top3 {quality['top3_share']}, timed {quality['timed_share']}", flush=True)
        calls: dict[str, Callable[[str], object]] = {
            "search_alone_baseline": lambda q: run_search(
                conn, backend, q, "hybrid", HERE, limit=10
            ),
            "retrieval": lambda q: retrieve(conn, backend, q, HERE, k=5),
            "answer_extractive": lambda q: ask(
                conn, backend, q, filters=HERE, answerer=ExtractiveAnswerer()
            ),
        }
        server = start_answer_server()
        endpoint_note = "the answer model is not installed (make setup-answer-model)"
        if server is not None:
            _, base_url, key = server
            answerer = EndpointAnswerer(ChatEndpoint(base_url, "smollm2", key), 6000)
            calls["answer_endpoint_smollm2_135m"] = lambda q: ask(
                conn, backend, q, filters=HERE, answerer=answerer
            )
            endpoint_note = "llama.cpp server, SmolLM2-135M-Instruct Q4_1, on the same cores"
        latencies: dict[str, dict[str, float]] = {}
        try:
            for name, call in calls.items():
                latencies[name] = latency_ms(timed(call, args.rounds))
                print(f"{name}: {latencies[name]}", flush=True)
        finally:
            if server is not None:
                server[0].terminate()
                server[0].wait(timeout=30)
        backend.close()
        catalog.close()
    baseline = latencies["search_alone_baseline"]
    report = {
        "benchmark": "questions over the archive",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": round(os.getloadavg()[0], 1),
        },
        "questions": len(QUESTIONS),
        "rounds": args.rounds,
        "retrieval_quality": quality,
        "latency": latencies,
        "latency_vs_search_alone": {
            name: {
                "p50": round(figures["p50_ms"] / baseline["p50_ms"], 2),
                "p95": round(figures["p95_ms"] / baseline["p95_ms"], 2),
            }
            for name, figures in latencies.items()
            if name != "search_alone_baseline"
        },
        "endpoint": endpoint_note,
        "notes": "One question at a time over the 16 described clips; the catalogue is a "
        "throwaway PostgreSQL and the index LanceDB, embedded with all-MiniLM-L6-v2.",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
