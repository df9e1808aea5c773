"""What the archive_agent notebook calls: the run's parameters in, the tools and planner
assembled from the workers' settings, the run out, and its display. The notebook stays
three cells (parameters, run, show)."""

from __future__ import annotations

import json
from typing import Any

from samples.archive_agent.agent import AgentRun, Limits, Step, run_agent
from samples.archive_agent.planner import EndpointPlanner, Planner, RulePlanner
from samples.archive_agent.step_lines import end_line, step_line
from samples.archive_agent.tools import ArchiveTools, Tool, ToolContext
from samples.archive_qa.answerers import endpoint_for
from samples.archive_qa.settings import QASettings


def planner_for(settings: QASettings, tools: dict[str, Tool]) -> Planner:
    """The endpoint planner when an endpoint is set (ARCHIVE_QA_LLM_*), else the rules."""
    endpoint = endpoint_for(settings)
    return EndpointPlanner(endpoint, tools) if endpoint is not None else RulePlanner()


def print_step(step: Step) -> None:
    print(step_line(step), flush=True)


def run_objective(
    objective: str,
    *,
    platform: str = "mastodon",
    max_steps: int | str = 40,
    max_seconds: float | str = 600,
    max_tool_calls: int | str = 40,
    catalog_dsn: str = "",
    lancedb_dir: str = "",
    index_backend: str = "",
) -> AgentRun:
    """Run the agent on ``objective``. The catalogue is read as the social pipeline reads it
    (SOCIAL_CATALOG_DSN unless ``catalog_dsn``), the index from VIDEO_ARCHIVE_*, clips go to
    SOCIAL_DERIVATIVES_DIR/agent and drafts to the SOCIAL_AIRTABLE_* calendar."""
    from integrations.airtable.client import ContentCalendar
    from samples.social_media_automation.config import load_social_settings
    from samples.social_media_automation.pipeline import refuse_derivatives_among_originals
    from samples.video_archive.catalog import open_catalog
    from samples.video_archive.notebook_support import notebook_settings
    from samples.video_archive.search import SemanticBackend

    limits = Limits(int(max_steps), float(max_seconds), int(max_tool_calls))
    social = load_social_settings()
    if platform not in social.platforms:
        known = ", ".join(sorted(social.platforms))
        raise ValueError(f"unknown platform {platform!r}; configured: {known}")
    settings = notebook_settings(
        catalog_dsn=catalog_dsn or social.catalog_dsn,
        lancedb_dir=lancedb_dir,
        index_backend=index_backend,
    )
    catalog = open_catalog(settings.catalog_dsn, migrate=False)
    backend = SemanticBackend(settings)
    try:
        refuse_derivatives_among_originals(catalog, social.derivatives_dir)
        context = ToolContext(
            catalog, backend, social, ContentCalendar.from_env(), platform=platform
        )
        tools = ArchiveTools(context).by_name
        planner = planner_for(QASettings.load(), tools)
        run = run_agent(objective, tools, planner, limits, on_step=print_step)
        print(end_line(run), flush=True)
        return run
    finally:
        backend.close()
        catalog.close()


def describe(run: AgentRun) -> str:
    lines = [
        f"**Objective:** {run.objective}",
        "",
        f"**Status:** {run.status}" + (f" ({run.reason})" if run.reason else ""),
        f"{len(run.steps)} steps, {run.tool_calls} tool calls, {run.seconds:.1f} s, "
        f"planner: {run.planner}",
        "",
        "| # | tool | arguments | result |",
        "|---|---|---|---|",
    ]
    for step in run.steps:
        arguments = json.dumps(step.arguments, default=str).replace("|", "\\|")
        outcome = f"**error:** {step.error}" if step.error else step.summary
        lines.append(f"| {step.number} | {step.tool} | `{arguments}` | {outcome} |")
    return "\n".join(lines)


def show(run: AgentRun) -> dict[str, Any]:
    from IPython.display import Markdown, display

    display(Markdown(describe(run)))
    print(json.dumps(run.as_dict(), indent=1, default=str))
    return run.as_dict()
