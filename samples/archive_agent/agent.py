"""A task-list agent over the archive, in the BabyAGI pattern: an objective and a queue of
tasks; take the first, run its tool, let the planner create new tasks from the result and
order the queue; repeat until the queue is empty or a limit is reached.

Hard limits bound every run: steps, wall time and tool calls. Every step is recorded (task,
tool, arguments, a summary of the result or the error, seconds). A tool's error is recorded
and the run goes on (the planner may try another way); a planner that cannot go on ends the
run cleanly with its reason. The run's ``status`` says how it ended:

    done          the queue emptied: the planner had nothing more to do
    step_limit    max_steps tasks ran and more were queued (e.g. a planner that loops)
    time_limit    max_seconds passed
    tool_limit    max_tool_calls tools were called
    planner_failed  the planner could not plan (its reason is in ``reason``)

The tools can neither write an original nor publish (tools.py); nothing here changes that.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from samples.archive_agent.planner import Outcome, Planner, PlannerError, Task
from samples.archive_agent.tools import Tool, ToolError


@dataclass(frozen=True)
class Limits:
    max_steps: int = 40
    max_seconds: float = 600.0
    max_tool_calls: int = 40

    def __post_init__(self) -> None:
        if self.max_steps < 1 or self.max_tool_calls < 1 or self.max_seconds <= 0:
            raise ValueError("agent limits must be positive (steps, seconds, tool calls)")


@dataclass
class Step:
    number: int
    task: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    error: str | None
    seconds: float


@dataclass
class AgentRun:
    objective: str
    planner: str
    status: str = "running"
    reason: str = ""
    steps: list[Step] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "planner": self.planner,
            "status": self.status,
            "reason": self.reason,
            "tool_calls": self.tool_calls,
            "seconds": round(self.seconds, 2),
            "steps": [asdict(step) for step in self.steps],
        }


def run_agent(
    objective: str,
    tools: dict[str, Tool],
    planner: Planner,
    limits: Limits | None = None,
    *,
    on_step: Any = None,
) -> AgentRun:
    """Work on ``objective`` with ``tools`` as ``planner`` directs, within ``limits``;
    ``on_step(step)`` is called after each step (progress display)."""
    limits = limits or Limits()
    text = (objective or "").strip()
    run = AgentRun(text, planner.name)
    started = time.monotonic()
    if not text:
        run.status, run.reason = "planner_failed", "the objective is empty: say what to do"
        return run
    try:
        queue = planner.prioritise(planner.first_tasks(text))
    except PlannerError as exc:
        run.status, run.reason = "planner_failed", str(exc)
        return run
    done: list[Outcome] = []
    while queue:
        stop = _limit_reached(run, limits, started)
        if stop:
            run.status, run.reason = stop
            break
        task = queue.pop(0)
        outcome = _execute(run, task, tools)
        done.append(outcome)
        if on_step is not None:
            on_step(run.steps[-1])
        try:
            queue = planner.prioritise(queue + planner.next_tasks(text, outcome, done))
        except PlannerError as exc:
            run.status, run.reason = "planner_failed", str(exc)
            break
    else:
        run.status = "done"
    run.seconds = time.monotonic() - started
    return run


def _limit_reached(run: AgentRun, limits: Limits, started: float) -> tuple[str, str] | None:
    if len(run.steps) >= limits.max_steps:
        return "step_limit", f"stopped after {limits.max_steps} steps with tasks still queued"
    if time.monotonic() - started >= limits.max_seconds:
        return "time_limit", f"stopped after {limits.max_seconds:g} s with tasks still queued"
    if run.tool_calls >= limits.max_tool_calls:
        return "tool_limit", f"stopped after {limits.max_tool_calls} tool calls"
    return None


def _execute(run: AgentRun, task: Task, tools: dict[str, Tool]) -> Outcome:
    began = time.monotonic()
    tool = tools.get(task.tool)
    result: dict[str, Any] | None = None
    error: str | None = None
    if tool is None:
        error = f"no tool named {task.tool!r}; tools: {', '.join(sorted(tools))}"
    else:
        run.tool_calls += 1
        try:
            result = tool.run(**task.arguments)
        except ToolError as exc:
            error = str(exc)
        except TypeError as exc:  # arguments the tool does not take
            error = f"bad arguments for {task.tool}: {exc}"
        except Exception as exc:  # a bug in a tool: recorded, and the run goes on
            error = f"{task.tool} failed unexpectedly: {type(exc).__name__}: {exc}"
    if result is not None:
        run.results.append({"tool": task.tool, **result})
    run.steps.append(
        Step(
            len(run.steps) + 1,
            task.description,
            task.tool,
            dict(task.arguments),
            (result or {}).get("summary", "") if error is None else "",
            error,
            round(time.monotonic() - began, 3),
        )
    )
    return Outcome(task, result, error)
