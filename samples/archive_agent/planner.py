"""Planners: from the objective and each task's result, the next tasks and their order.

Pluggable like the answer step of samples/archive_qa:

* RulePlanner (default, offline, deterministic) understands objectives of the form
  "find N clips about TOPIC [and draft posts for them]": search, then for each of N
  different videos describe it, find its best scene for the topic, cut a clip there and,
  when asked, draft a post for the clip. When a video's step fails, the next video found
  takes its place, so the objective is still met when it can be.
* EndpointPlanner asks an OpenAI-compatible endpoint for the next tasks as JSON, given the
  objective, the tools and what has been done; a reply that is not valid JSON naming known
  tools is a PlannerError, which ends the run cleanly with that reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from integrations.openai_compatible import ChatEndpoint, ChatEndpointError
from samples.archive_agent.tools import Tool

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_OBJECTIVE = re.compile(
    r"^\s*find\s+(?P<count>\d+|\w+)\s+(?:clips?|videos?)\s+(?:about|of|with)\s+(?P<topic>.+?)"
    r"(?P<draft>\s+and\s+draft\s+(?:social\s+)?posts?(?:\s+for\s+(?:them|each))?)?\s*[.!]?\s*$",
    re.IGNORECASE,
)
MAX_CLIPS = 10


class PlannerError(RuntimeError):
    """The planner cannot go on (an objective it does not understand, a bad reply)."""


@dataclass
class Task:
    """One step to take: which tool, with what, and why."""

    description: str
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    priority: int = 0  # lower runs first


@dataclass
class Outcome:
    """What a finished task gave: the tool's result, or the error it recorded."""

    task: Task
    result: dict[str, Any] | None
    error: str | None = None


class Planner(Protocol):
    name: str

    def first_tasks(self, objective: str) -> list[Task]: ...

    def next_tasks(self, objective: str, outcome: Outcome, done: Sequence[Outcome]) -> list[Task]:
        """Tasks to add after ``outcome`` (creation); the agent then orders the queue."""
        ...

    def prioritise(self, queue: list[Task]) -> list[Task]: ...


@dataclass(frozen=True)
class ClipObjective:
    count: int
    topic: str
    draft: bool


def parse_objective(objective: str) -> ClipObjective:
    match = _OBJECTIVE.match(objective or "")
    if not match:
        raise PlannerError(
            "the rule planner understands 'find N clips about TOPIC [and draft posts for "
            f"them]'; got {objective!r} (name an answer endpoint for free-form objectives)"
        )
    raw = match["count"].lower()
    count = int(raw) if raw.isdigit() else _NUMBERS.get(raw, 0)
    if not 1 <= count <= MAX_CLIPS:
        raise PlannerError(f"ask for 1 to {MAX_CLIPS} clips, got {match['count']!r}")
    return ClipObjective(count, match["topic"].strip(), bool(match["draft"]))


class RulePlanner:
    """Search, then describe → find scenes → cut → (draft) for N different videos."""

    name = "rule"

    def __init__(self) -> None:
        self._goal: ClipObjective | None = None
        self._candidates: list[int] = []
        self._started: list[int] = []
        self._failed: set[int] = set()

    def first_tasks(self, objective: str) -> list[Task]:
        self._goal = parse_objective(objective)
        limit = min(self._goal.count * 3, 20)
        return [
            Task(
                f"search the archive for {self._goal.topic}",
                "search_archive",
                {"query": self._goal.topic, "limit": limit},
            )
        ]

    def next_tasks(self, objective: str, outcome: Outcome, done: Sequence[Outcome]) -> list[Task]:
        goal = self._goal
        if goal is None:
            raise PlannerError("first_tasks was not called")
        task, result = outcome.task, outcome.result or {}
        asset = task.arguments.get("asset_id")
        if outcome.error is not None:
            if task.tool == "search_archive":
                raise PlannerError(
                    f"the search failed, so there is nothing to work on: {outcome.error}"
                )
            if asset is None:
                return []
            self._failed.add(asset)
            return self._replacement(goal)
        if task.tool == "search_archive":
            self._candidates = [v["asset_id"] for v in result.get("videos", [])]
            return [t for _ in range(goal.count) for t in self._replacement(goal)]
        if task.tool == "describe_asset":
            return [
                Task(
                    f"find the scene of asset {asset} about {goal.topic}",
                    "find_scenes",
                    {"asset_id": asset, "query": goal.topic},
                    priority=1,
                )
            ]
        if task.tool == "find_scenes":
            return [
                Task(
                    f"cut a clip of asset {asset}",
                    "cut_clip",
                    {"asset_id": asset, "start_s": result["start_s"], "end_s": result["end_s"]},
                    priority=2,
                )
            ]
        if task.tool == "cut_clip" and goal.draft:
            return [
                Task(
                    f"draft a post for the clip of asset {asset}",
                    "draft_post",
                    {"asset_id": asset, "clip": result["clip"]},
                    priority=3,
                )
            ]
        return []

    def _replacement(self, goal: ClipObjective) -> list[Task]:
        """The next video not yet tried, while fewer than the goal are under way or done."""
        if len(self._started) - len(self._failed) >= goal.count:
            return []
        for asset in self._candidates:
            if asset not in self._started:
                self._started.append(asset)
                return [Task(f"describe asset {asset}", "describe_asset", {"asset_id": asset})]
        return []

    def prioritise(self, queue: list[Task]) -> list[Task]:
        # Finish a video before starting the next: later stages first, then the order found.
        return sorted(queue, key=lambda t: -t.priority)


ENDPOINT_PROMPT = """You plan the next steps of an agent working on a video archive.
Objective: {objective}
Tools (name: arguments): {tools}
Done so far (task, tool, result or error):
{done}
Reply with JSON {{"tasks": [...]}}: the next tasks, at most 5, each
{{"description": "...", "tool": "<name>", "arguments": {{...}}}}; an empty list when the
objective is met. Never publish anything: posts are drafts for people to approve."""


class EndpointPlanner:
    """An OpenAI-compatible endpoint proposes the next tasks as JSON."""

    name = "endpoint"

    def __init__(self, endpoint: ChatEndpoint, tools: dict[str, Tool]) -> None:
        self.endpoint = endpoint
        self.tools = tools

    def first_tasks(self, objective: str) -> list[Task]:
        return self._ask(objective, [])

    def next_tasks(self, objective: str, outcome: Outcome, done: Sequence[Outcome]) -> list[Task]:
        return self._ask(objective, done)

    def prioritise(self, queue: list[Task]) -> list[Task]:
        return sorted(queue, key=lambda t: t.priority)

    def _ask(self, objective: str, done: Sequence[Outcome]) -> list[Task]:
        tools = "; ".join(
            f"{t.name}({', '.join(t.arguments)}): {t.description}" for t in self.tools.values()
        )
        lines = [
            f"- {o.task.description} [{o.task.tool}] -> "
            + (f"error: {o.error}" if o.error else json.dumps(o.result, default=str)[:400])
            for o in done[-10:]
        ]
        prompt = ENDPOINT_PROMPT.format(
            objective=objective, tools=tools, done="\n".join(lines) or "(nothing yet)"
        )
        try:
            reply = self.endpoint.complete(
                [{"role": "user", "content": prompt}], json_schema=self._schema()
            )
        except ChatEndpointError as exc:
            raise PlannerError(f"the planner endpoint failed: {exc}") from None
        return self._tasks(reply)

    def _schema(self) -> dict[str, Any]:
        """What a reply must be: {"tasks": [...]}, each task one tool with that tool's own
        arguments (constrained decoding keeps even a small model to known tools)."""
        variants = [
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string", "maxLength": 120},
                    "tool": {"const": tool.name},
                    "arguments": {
                        "type": "object",
                        "properties": tool.arguments,
                        "required": list(tool.arguments),
                        "additionalProperties": False,
                    },
                },
                "required": ["description", "tool", "arguments"],
            }
            for tool in self.tools.values()
        ]
        return {
            "type": "object",
            "properties": {"tasks": {"type": "array", "items": {"anyOf": variants}, "maxItems": 5}},
            "required": ["tasks"],
        }

    def _tasks(self, reply: str) -> list[Task]:
        text = reply.strip()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            start, end = text.find("["), text.rfind("]")
            try:
                parsed = json.loads(text[start : end + 1]) if start >= 0 and end > start else None
            except json.JSONDecodeError:
                parsed = None
        items = parsed.get("tasks") if isinstance(parsed, dict) else parsed
        if not isinstance(items, list):
            raise PlannerError(f"the planner's reply is not a JSON list of tasks: {text[:200]!r}")
        tasks = []
        for item in items:
            if not isinstance(item, dict) or item.get("tool") not in self.tools:
                raise PlannerError(f"the planner proposed an unknown tool: {item!r}"[:300])
            arguments = item.get("arguments") or {}
            if not isinstance(arguments, dict):
                raise PlannerError(f"the planner's arguments are not an object: {item!r}"[:300])
            tasks.append(
                Task(str(item.get("description") or item["tool"]), item["tool"], arguments)
            )
        return tasks
