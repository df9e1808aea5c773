"""The archive agent on the described samples (three are about the harbour), with the real
tools: search through the archive's one path, clips cut by ffmpeg into the derivatives
directory, drafts written to the Airtable stand-in over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integrations.airtable.client import ContentCalendar
from samples.archive_agent.agent import Limits, run_agent
from samples.archive_agent.planner import (
    EndpointPlanner,
    PlannerError,
    RulePlanner,
    Task,
    parse_objective,
)
from samples.archive_agent.tools import ArchiveTools, ToolContext, ToolError
from samples.social_media_automation.config import SocialSettings
from samples.video_archive.relevance import SOURCE
from samples.video_archive.search import Filters
from services.saas_standins.airtable import airtable_standin
from tests.social_media_automation.social_testlib import ServedApp

pytestmark = pytest.mark.slow
TOKEN = "pat-agent-test-" + "t" * 20
HARBOUR = {"harbour/ferry_dawn", "harbour/fishing_boats", "harbour/lighthouse_storm"}
OBJECTIVE = "find three clips about the harbour and draft posts for them"


@pytest.fixture
def calendar() -> Iterator[ContentCalendar]:
    app, _ = airtable_standin(TOKEN)
    served = ServedApp(app)
    yield ContentCalendar(TOKEN, "appAGENT", "Content calendar", endpoint_url=served.url)
    served.stop()


@pytest.fixture
def tools(described, calendar: ContentCalendar, tmp_path: Path) -> ArchiveTools:
    social = SocialSettings.load(
        {}, catalog_dsn=described.dsn, derivatives_dir=tmp_path / "derivatives"
    )
    context = ToolContext(
        described.catalog, described.backend, social, calendar, filters=Filters(source=SOURCE)
    )
    return ArchiveTools(context)


def originals_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def clip_name(tools: ArchiveTools, asset_id: int) -> str:
    row = tools.conn.execute(
        "SELECT rel_path FROM files WHERE asset_id = %s AND status = 'present'", (asset_id,)
    ).fetchone()
    return row["rel_path"].removesuffix(".mp4")


def test_three_harbour_clips_become_three_drafts_and_a_rerun_adds_none(
    described, tools: ArchiveTools, calendar: ContentCalendar
) -> None:
    before = originals_digest(described.root)
    run = run_agent(OBJECTIVE, tools.by_name, RulePlanner())
    print(run.as_dict())
    assert run.status == "done", run.reason
    assert all(step.error is None for step in run.steps)
    assert run.steps[0].tool == "search_archive"
    rows = calendar.rows()
    assert len(rows) == 3 and {r.status for r in rows} == {"Draft"}
    assert {clip_name(tools, r.asset_id) for r in rows} == HARBOUR
    for row in rows:
        clip = Path(row.media)
        assert clip.is_file() and clip.stat().st_size > 0
        # Each draft's clip was cut from its own asset.
        assert clip.parent.name == str(row.asset_id) and clip.parent.parent.name == "agent"
    # Every step says what it did; the tools never touched an original.
    assert all(step.summary for step in run.steps)
    assert originals_digest(described.root) == before

    again = run_agent(OBJECTIVE, tools.by_name, RulePlanner())
    assert again.status == "done"
    assert len(calendar.rows()) == 3
    drafts = [s.summary for s in again.steps if s.tool == "draft_post"]
    assert len(drafts) == 3 and all("already in the calendar" in d for d in drafts)


def test_a_failing_tool_is_recorded_and_another_video_takes_its_place(
    tools: ArchiveTools, calendar: ContentCalendar
) -> None:
    cut = tools.by_name["cut_clip"]
    refused: list[int] = []

    def cut_all_but_the_first(**arguments: Any) -> dict[str, Any]:
        if not refused:
            refused.append(int(arguments["asset_id"]))
            raise ToolError(f"asset {arguments['asset_id']}: the render failed on purpose")
        return cut.run(**arguments)

    by_name = {
        **tools.by_name,
        "cut_clip": type(cut)(**{**cut.__dict__, "run": cut_all_but_the_first}),
    }
    run = run_agent("find two clips about the harbour", by_name, RulePlanner())
    assert run.status == "done", run.reason
    errors = [s for s in run.steps if s.error]
    assert len(errors) == 1 and "failed on purpose" in errors[0].error
    cuts = [s for s in run.steps if s.tool == "cut_clip" and s.error is None]
    assert len(cuts) == 2
    assert refused[0] not in {s.arguments["asset_id"] for s in cuts}
    assert calendar.rows() == []  # no drafts were asked for


class LoopingPlanner(RulePlanner):
    """Searches for ever: every result asks for another search."""

    name = "looping"

    def next_tasks(self, objective, outcome, done):  # type: ignore[override]
        return [Task("search again", "search_archive", {"query": "harbour", "limit": 1})]


def test_a_planner_that_loops_is_stopped_at_the_step_limit(tools: ArchiveTools) -> None:
    run = run_agent(OBJECTIVE, tools.by_name, LoopingPlanner(), Limits(max_steps=5))
    assert run.status == "step_limit"
    assert run.reason == "stopped after 5 steps with tasks still queued"
    assert len(run.steps) == 5 and run.tool_calls == 5


def test_the_time_and_tool_limits_stop_a_run(tools: ArchiveTools) -> None:
    timed = run_agent(OBJECTIVE, tools.by_name, LoopingPlanner(), Limits(max_seconds=0.5))
    assert timed.status == "time_limit" and "0.5 s" in timed.reason
    capped = run_agent(OBJECTIVE, tools.by_name, LoopingPlanner(), Limits(max_tool_calls=2))
    assert capped.status == "tool_limit" and capped.tool_calls == 2


@pytest.mark.parametrize(
    ("objective", "says"),
    [
        ("", "the objective is empty"),
        ("publish everything now", "the rule planner understands 'find N clips about TOPIC"),
        ("find eleven clips about boats", "ask for 1 to 10 clips"),
    ],
)
def test_an_objective_the_planner_cannot_plan_ends_the_run_cleanly(tools, objective, says):
    run = run_agent(objective, tools.by_name, RulePlanner())
    assert run.status == "planner_failed" and says in run.reason
    assert run.steps == []


def test_tools_refuse_bad_arguments_with_a_sentence(tools: ArchiveTools, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="asset 999999 is not in the catalogue"):
        tools.describe_asset(999999)
    with pytest.raises(ToolError, match="asset_id must be a number"):
        tools.describe_asset("the ferry")
    any_asset = tools.search_archive("harbour", 1)["videos"][0]["asset_id"]
    with pytest.raises(ToolError, match="must start before it ends"):
        tools.cut_clip(any_asset, 5, 2)
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"not a clip")
    with pytest.raises(ToolError, match="is not a clip cut by this agent"):
        tools.draft_post(any_asset, str(outside))


def test_objectives_are_read_as_people_write_them() -> None:
    goal = parse_objective("Find 3 videos about the old harbour and draft social posts for each.")
    assert (goal.count, goal.topic, goal.draft) == (3, "the old harbour", True)
    assert parse_objective("find two clips of lighthouses").draft is False


def test_an_endpoint_planners_reply_must_be_tasks_of_known_tools(tools: ArchiveTools) -> None:
    planner = EndpointPlanner(None, tools.by_name)  # type: ignore[arg-type]
    good = planner._tasks('Plan: [{"tool": "search_archive", "arguments": {"query": "x"}}]')
    assert good[0].tool == "search_archive" and good[0].arguments == {"query": "x"}
    assert planner._tasks("[]") == []
    with pytest.raises(PlannerError, match="not a JSON list"):
        planner._tasks("I would search the archive first.")
    with pytest.raises(PlannerError, match="unknown tool"):
        planner._tasks('[{"tool": "publish_post", "arguments": {}}]')


def test_an_endpoint_planner_is_bounded_and_only_ever_drafts(
    tools: ArchiveTools, calendar: ContentCalendar, answer_server
) -> None:
    """SmolLM2-135M plans badly, which is the point: whatever it proposes, the run ends
    within its limits with a status, every step recorded, and nothing but drafts."""
    from integrations.openai_compatible import ChatEndpoint

    base_url, key = answer_server
    endpoint = ChatEndpoint(base_url, "smollm2", key, max_tokens=500)
    limits = Limits(max_steps=6, max_seconds=120, max_tool_calls=6)
    run = run_agent(OBJECTIVE, tools.by_name, EndpointPlanner(endpoint, tools.by_name), limits)
    print(run.as_dict())
    assert run.status in {"done", "step_limit", "tool_limit", "time_limit", "planner_failed"}
    assert len(run.steps) <= 6 and run.tool_calls <= 6
    if run.status == "planner_failed":
        assert run.reason.startswith("the planner")
    assert {row.status for row in calendar.rows()} <= {"Draft"}


def test_a_failed_search_ends_the_run_with_its_reason(tools: ArchiveTools) -> None:
    def unavailable(**_: Any) -> dict[str, Any]:
        raise ToolError("semantic search is not available here (no index)")

    search = tools.by_name["search_archive"]
    by_name = {
        **tools.by_name,
        "search_archive": type(search)(**{**search.__dict__, "run": unavailable}),
    }
    run = run_agent(OBJECTIVE, by_name, RulePlanner())
    assert run.status == "planner_failed"
    assert run.reason == (
        "the search failed, so there is nothing to work on: "
        "semantic search is not available here (no index)"
    )
    assert len(run.steps) == 1 and run.steps[0].error
