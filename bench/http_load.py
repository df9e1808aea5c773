# ruff: noqa: S311 - load generation, not secrets
"""Load patterns for the HTTP benchmarks: closed loop (N clients, each sending its next
request when the last one answered), open loop (requests sent on a fixed schedule whatever
the answers, latency counted from the scheduled moment, so a stall is not hidden by the
sender waiting for it), and a process's resident memory sampled alongside."""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

Request = Callable[[httpx.Client, random.Random], httpx.Response]


def latency_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of latencies given in seconds, in milliseconds."""
    q = statistics.quantiles(seconds, n=100) if len(seconds) > 1 else list(seconds) * 99
    return {
        "p50_ms": round(q[49] * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
    }


def summarise(latencies: list[float], errors: int, wall_s: float) -> dict[str, float]:
    return {
        "requests": len(latencies),
        "errors": errors,
        **latency_ms(latencies),
        "throughput_rps": round(len(latencies) / wall_s, 1),
    }


def closed_loop(
    base: str,
    request: Request,
    *,
    clients: int,
    per_client: int | None = None,
    duration_s: float | None = None,
    headers: dict[str, str] | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """``clients`` threads sending back to back, ``per_client`` requests each or for
    ``duration_s`` seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s if duration_s else None

    def client_loop(number: int) -> None:
        nonlocal errors
        rng = random.Random(seed * 1000 + number)
        sent = 0
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while (per_client is None or sent < per_client) and (
                deadline is None or time.monotonic() < deadline
            ):
                start = time.perf_counter()
                try:
                    ok = request(client, rng).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                sent += 1
                with lock:
                    latencies.append(elapsed)
                    errors += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise(latencies, errors, time.perf_counter() - started)


def open_loop(
    base: str,
    request: Request,
    *,
    rate: float,
    duration_s: float,
    headers: dict[str, str] | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """``rate`` requests a second for ``duration_s`` seconds, each sent at its scheduled
    time by a pool large enough that a slow answer does not delay the next send."""
    total = int(rate * duration_s)
    latencies: list[float] = []
    errors = 0
    late_sends = 0
    lock = threading.Lock()
    local = threading.local()
    rng_lock = threading.Lock()
    rng = random.Random(seed)

    def send(scheduled: float) -> None:
        nonlocal errors, late_sends
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, headers=headers, timeout=30)
        with rng_lock:
            own = random.Random(rng.random())
        try:
            ok = request(client, own).status_code == 200
        except httpx.HTTPError:
            ok = False
        done = time.perf_counter()
        with lock:
            latencies.append(done - scheduled)
            errors += not ok

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64, thread_name_prefix="open-loop") as pool:
        for number in range(total):
            scheduled = started + number / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            elif pause < -0.01:
                late_sends += 1
            pool.submit(send, scheduled)
    figures = summarise(latencies, errors, time.perf_counter() - started)
    figures["target_rps"] = rate
    figures["sends_late_over_10ms"] = late_sends
    return figures


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class RssSampler:
    """Samples a process's resident memory every ``every_s`` seconds in a thread."""

    def __init__(self, pid: int, every_s: float = 5.0) -> None:
        self.pid = pid
        self.every_s = every_s
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((round(time.monotonic() - started, 1), rss_bytes(self.pid)))
            self._stop.wait(self.every_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
