"""Drain this host's Celery worker before its instance goes.

Celery's warm shutdown: on SIGTERM the worker stops taking tasks and waits for the ones it
runs. systemd's default stop sends SIGTERM to every process of the unit, the tasks' too, and
kills what is left after TimeoutStopSec (60 s for the platform's units), so a drain first
puts a runtime drop-in on the unit: SIGTERM to the main process only (KillMode=mixed) and
the drain's own timeout. Past it, systemd kills the rest; Airflow then retries the killed
task on another worker (its retries), so work is late, not lost.

After the worker stopped, the termination lifecycle hook (when there is one) is completed,
so that Auto Scaling terminates the instance now instead of at the hook's timeout.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WORKER_UNIT = "airflow-worker.service"
DROP_IN_DIR = Path("/run/systemd/system")
DROP_IN_NAME = "50-drain.conf"


@dataclass(frozen=True)
class Drained:
    seconds: float
    clean: bool  # the worker stopped by itself, every task finished
    lifecycle: str  # what became of the lifecycle hook

    def line(self) -> str:
        how = (
            "the worker finished its tasks and stopped"
            if self.clean
            else "the timeout passed: systemd killed what still ran (Airflow retries it)"
        )
        return f"drained in {self.seconds:.0f} s: {how}; {self.lifecycle}"


def drop_in(timeout_s: int) -> str:
    return (
        "# Written by a drain (services/worker_lifecycle): a warm shutdown, then the timeout.\n"
        f"[Service]\nKillMode=mixed\nTimeoutStopSec={timeout_s}\n"
    )


def _systemctl(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemctl", *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def stop_worker(unit: str, timeout_s: int, drop_in_dir: Path = DROP_IN_DIR) -> bool:
    """Stop `unit` with a warm shutdown of at most `timeout_s`; True when it stopped by
    itself (systemd's Result is success), False when systemd had to kill it."""
    directory = drop_in_dir / f"{unit}.d"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DROP_IN_NAME).write_text(drop_in(timeout_s), encoding="utf-8")
    _systemctl("daemon-reload")
    _systemctl("stop", unit, timeout=timeout_s + 60)
    result = _systemctl("show", "--property=Result", "--value", unit).stdout.strip()
    return result == "success"


def drain(
    reason: str,
    timeout_s: int,
    *,
    unit: str = WORKER_UNIT,
    complete: Callable[[], str] | None = None,
    log: Callable[[str], None] = print,
    stop: Callable[[str, int], bool] = stop_worker,
    clock: Callable[[], float] = time.monotonic,
) -> Drained:
    """Stop taking tasks, wait for the running ones (at most `timeout_s`), then complete the
    lifecycle hook through `complete` when there is one."""
    if timeout_s < 1:
        raise ValueError(f"timeout_s must be at least 1 second, not {timeout_s}")
    log(f"worker-lifecycle: {reason}: stopping {unit} (warm shutdown, at most {timeout_s} s)")
    started = clock()
    clean = stop(unit, timeout_s)
    lifecycle = "no lifecycle hook to complete" if complete is None else complete()
    drained = Drained(seconds=clock() - started, clean=clean, lifecycle=lifecycle)
    log(f"worker-lifecycle: {drained.line()}")
    return drained
