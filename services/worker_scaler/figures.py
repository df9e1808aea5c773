"""The queues' figures as the scaler reads them: tasks queued and running per Celery queue,
from Prometheus (``airflow_queue_tasks``, exported from Airflow's metadata database by the
monitoring host's exporter; airflow/metrics/metadata.queries.yml).

The exporter reports every queue that ever had a task, with 0 when it has none, all in one
query: its series are there together or not at all. No series at all is therefore unknown, not
idle (the exporter is down, or no scrape has happened yet): reading it is an error, so the
scaler holds instead of stopping workers on missing data. A queue missing beside other queues'
series has never had a task: it is idle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import httpx

from services.worker_scaler.decision import QueueFigures

QUERY = 'sum by (queue, state) (airflow_queue_tasks{state=~"queued|running"})'


class FiguresError(RuntimeError):
    """Prometheus could not say how busy a queue is; the message says why."""


def read_queue_figures(
    prometheus_url: str,
    queues: Iterable[str],
    *,
    auth: tuple[str, str] | None = None,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, QueueFigures]:
    """Each of ``queues``' figures now, timed by Prometheus' evaluation time."""
    wanted = list(queues)
    try:
        with httpx.Client(auth=auth, timeout=timeout, transport=transport) as http:
            response = http.get(
                f"{prometheus_url.rstrip('/')}/api/v1/query", params={"query": QUERY}
            )
    except httpx.HTTPError as exc:
        raise FiguresError(f"Prometheus at {prometheus_url} cannot be reached: {exc}") from None
    if response.status_code != 200:
        raise FiguresError(f"Prometheus at {prometheus_url} answered {response.status_code}")
    body = response.json()
    if body.get("status") != "success":
        raise FiguresError(f"Prometheus refused the query: {body.get('error', body)}")
    counts: dict[str, dict[str, int]] = {}
    evaluated = 0.0
    for sample in body["data"]["result"]:
        labels, (timestamp, value) = sample["metric"], sample["value"]
        counts.setdefault(labels.get("queue", ""), {})[labels.get("state", "")] = int(float(value))
        evaluated = max(evaluated, float(timestamp))
    if not counts:
        raise FiguresError(
            "no airflow_queue_tasks series in Prometheus: the exporter is down or has not been "
            "scraped yet; holding rather than guessing"
        )
    at = datetime.fromtimestamp(evaluated, UTC)
    return {
        q: QueueFigures(
            q,
            queued=counts.get(q, {}).get("queued", 0),
            running=counts.get(q, {}).get("running", 0),
            at=at,
        )
        for q in wanted
    }
