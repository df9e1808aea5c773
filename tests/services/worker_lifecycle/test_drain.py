"""The worker's termination handler: drain, then complete the hook; notices from IMDS."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from services.worker_lifecycle import __main__ as cli
from services.worker_lifecycle.drain import drain, drop_in
from services.worker_lifecycle.notices import MetadataService, pending_notice


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_drain_stops_the_worker_then_completes_the_hook():
    calls: list[str] = []
    clock = Clock()

    def stop(unit: str, timeout_s: int) -> bool:
        calls.append(f"stop {unit} {timeout_s}")
        clock.now += 42
        return True

    def complete() -> str:
        calls.append("complete")
        return "completed the lifecycle hook h (CONTINUE)"

    lines: list[str] = []
    drained = drain("scale-in", 600, stop=stop, complete=complete, log=lines.append, clock=clock)
    assert calls == ["stop airflow-worker.service 600", "complete"]
    assert drained.clean and drained.seconds == 42
    assert lines[-1] == (
        "worker-lifecycle: drained in 42 s: the worker finished its tasks and stopped; "
        "completed the lifecycle hook h (CONTINUE)"
    )


def test_a_drain_past_its_timeout_says_what_was_killed():
    drained = drain("spot", 100, stop=lambda unit, timeout: False, log=lambda line: None)
    assert not drained.clean
    assert "systemd killed what still ran (Airflow retries it)" in drained.line()
    assert drained.lifecycle == "no lifecycle hook to complete"


def test_the_drop_in_sends_the_warm_shutdown_to_the_worker_process_only():
    text = drop_in(900)
    assert "KillMode=mixed" in text
    assert "TimeoutStopSec=900" in text


def test_a_drain_needs_a_positive_timeout():
    with pytest.raises(ValueError, match="at least 1 second"):
        drain("x", 0, stop=lambda unit, timeout: True)


def test_the_command_line_wants_the_group_and_instance_with_a_hook(capsys):
    with pytest.raises(SystemExit):
        cli.main(["drain", "--reason", "x", "--lifecycle-hook", "h"])
    assert "--lifecycle-hook needs --group and --instance-id" in capsys.readouterr().err


class FakeMetadata(BaseHTTPRequestHandler):
    """IMDSv2 as far as the handler reads it: a token, then the two paths."""

    values: ClassVar[dict[str, str]] = {}

    def do_PUT(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"token")

    def do_GET(self) -> None:
        path = self.path.removeprefix("/latest/meta-data/")
        if self.headers.get("X-aws-ec2-metadata-token") != "token":
            self.send_response(401)
            self.end_headers()
            return
        if path not in self.values:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.values[path].encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def metadata():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMetadata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeMetadata.values = {}
    yield MetadataService(f"http://127.0.0.1:{server.server_address[1]}/latest")
    server.shutdown()


def test_no_notice_while_the_instance_is_in_service(metadata):
    FakeMetadata.values = {"autoscaling/target-lifecycle-state": "InService"}
    assert pending_notice(metadata) is None


def test_a_scale_in_is_a_termination_notice(metadata):
    FakeMetadata.values = {"autoscaling/target-lifecycle-state": "Terminated"}
    notice = pending_notice(metadata)
    assert notice is not None and notice.kind == "terminating"


def test_a_spot_reclaim_comes_first(metadata):
    FakeMetadata.values = {
        "autoscaling/target-lifecycle-state": "Terminated",
        "spot/instance-action": json.dumps({"action": "terminate", "time": "2026-12-03T08:00:00Z"}),
    }
    notice = pending_notice(metadata)
    assert notice is not None and notice.kind == "spot"
    assert notice.detail == "spot terminate at 2026-12-03T08:00:00Z"


class Stop(Exception):
    pass


def _sleeps(count: int):
    calls = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) >= count:
            raise Stop

    return sleep, calls


def test_watching_without_a_metadata_service_says_so_once_and_goes_on():
    nowhere = MetadataService("http://127.0.0.1:9/latest", 0.5)
    sleep, calls = _sleeps(3)
    lines: list[str] = []
    with pytest.raises(Stop):
        cli.watch(nowhere, 5, lambda notice: None, sleep=sleep, log=lines.append)
    assert calls == [5, 5, 5]
    assert sum("no metadata service answers" in line for line in lines) == 1


def test_the_first_notice_ends_the_watch(metadata):
    FakeMetadata.values = {"autoscaling/target-lifecycle-state": "InService"}
    seen = []

    def sleep(seconds: float) -> None:
        FakeMetadata.values["autoscaling/target-lifecycle-state"] = "Terminated"

    cli.watch(metadata, 1, seen.append, sleep=sleep, log=lambda line: None)
    assert [notice.kind for notice in seen] == ["terminating"]
