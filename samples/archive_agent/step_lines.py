"""One line per agent step, as the run prints it while it goes, and the same lines read back.

The notebook prints a line per step and one when the run ends; Papermill logs them into the
Airflow task's log as they come (the DAG's ``log_output``). Whoever watches a run through
Airflow's API (the archive app's agent page) reads the steps back from that log with
``read_progress``. The format and its reader live here, side by side, so they cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samples.archive_agent.agent import AgentRun, Step

# Searched, not matched: a log line may carry a timestamp and a logger name in front.
_STEP = re.compile(r"\[\s*(\d+)\] (\S+) +(.*) \((\d+(?:\.\d+)?) s\)$")
_END = re.compile(r"agent run ended: (\w+)(?: \((.*)\))?$")
ERROR_PREFIX = "error: "


def step_line(step: Step) -> str:
    outcome = f"{ERROR_PREFIX}{step.error}" if step.error else step.summary
    # One line whatever the tool said: a line break would cut the step in two in the log.
    outcome = " ".join(outcome.split())
    return f"[{step.number:>3}] {step.tool:<15} {outcome} ({step.seconds:.1f} s)"


def end_line(run: AgentRun) -> str:
    reason = " ".join(run.reason.split())
    return f"agent run ended: {run.status}" + (f" ({reason})" if reason else "")


@dataclass(frozen=True)
class StepLine:
    number: int
    tool: str
    outcome: str
    failed: bool
    seconds: float


@dataclass(frozen=True)
class Progress:
    steps: list[StepLine]
    status: str | None  # None while the run goes on
    reason: str


def read_progress(text: str) -> Progress:
    """The steps and the end found in ``text`` (a task log or printed output), in order;
    a step seen twice (a log read with overlap) counts once."""
    steps: dict[int, StepLine] = {}
    status, reason = None, ""
    for raw in text.splitlines():
        line = raw.strip()
        if match := _STEP.search(line):
            number, tool, outcome, seconds = match.groups()
            failed = outcome.startswith(ERROR_PREFIX)
            if failed:
                outcome = outcome.removeprefix(ERROR_PREFIX)
            steps[int(number)] = StepLine(int(number), tool, outcome, failed, float(seconds))
        elif match := _END.search(line):
            status, reason = match.group(1), match.group(2) or ""
    return Progress([steps[n] for n in sorted(steps)], status, reason)
