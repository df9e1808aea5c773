"""The scaler's queue figures read from Prometheus' query API (a stand-in answering in its
shapes here; the platform test reads the real one): counts per queue at Prometheus' time,
and no figures at all refused rather than read as idle queues."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from platformctl.terraform_moto import free_port
from services.worker_scaler.figures import QUERY, FiguresError, read_queue_figures

AT = 1_796_000_000.0


def _sample(queue: str, state: str, tasks: int) -> dict:
    return {"metric": {"queue": queue, "state": state}, "value": [AT, str(tasks)]}


def _prometheus(result: list[dict], status: str = "success") -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/query"
        assert request.url.params["query"] == QUERY
        if status != "success":
            return httpx.Response(200, json={"status": status, "error": "parse error"})
        return httpx.Response(200, json={"status": "success", "data": {"result": result}})

    return httpx.MockTransport(answer)


def test_each_queue_has_its_queued_and_running_tasks_at_prometheus_time() -> None:
    samples = [_sample("cpu", "queued", 7), _sample("cpu", "running", 2)]
    samples += [_sample("gpu", "queued", 0), _sample("gpu", "running", 1)]
    figures = read_queue_figures(
        "http://prom:9090/", ["cpu", "gpu"], transport=_prometheus(samples)
    )
    cpu, gpu = figures["cpu"], figures["gpu"]
    assert (cpu.queued, cpu.running, gpu.queued, gpu.running) == (7, 2, 0, 1)
    assert cpu.at == datetime.fromtimestamp(AT, UTC)


def test_no_series_at_all_is_unknown_not_idle() -> None:
    with pytest.raises(FiguresError, match="no airflow_queue_tasks series"):
        read_queue_figures("http://prom:9090", ["cpu", "gpu"], transport=_prometheus([]))


def test_a_queue_that_never_had_a_task_is_idle() -> None:
    samples = [_sample("cpu", "queued", 3), _sample("cpu", "running", 1)]
    figures = read_queue_figures("http://prom:9090", ["cpu", "gpu"], transport=_prometheus(samples))
    assert (figures["gpu"].queued, figures["gpu"].running) == (0, 0)
    assert figures["gpu"].at == datetime.fromtimestamp(AT, UTC)


def test_a_refused_query_and_an_unreachable_prometheus_are_named() -> None:
    with pytest.raises(FiguresError, match="refused the query: parse error"):
        read_queue_figures("http://prom:9090", ["cpu"], transport=_prometheus([], "error"))
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(FiguresError, match=f"Prometheus at {url} cannot be reached"):
        read_queue_figures(url, ["cpu"], timeout=2)
