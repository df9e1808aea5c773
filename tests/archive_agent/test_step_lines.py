"""The agent's progress lines read back as they were written: what the app's agent page
shows from a run's Airflow task log."""

from __future__ import annotations

from samples.archive_agent.agent import AgentRun, Step
from samples.archive_agent.step_lines import end_line, read_progress, step_line


def _step(number: int, tool: str, summary: str = "", error: str | None = None) -> Step:
    return Step(number, f"task {number}", tool, {}, summary, error, 0.25 * number)


def test_steps_and_the_end_read_back_from_a_log_with_prefixes_and_repeats() -> None:
    lines = [
        step_line(_step(1, "search_archive", "found 3 videos: asset 4, asset 7, asset 9")),
        step_line(_step(2, "cut_clip", error="ffmpeg failed:\nno such file")),
        step_line(_step(10, "draft_post", "Draft row rec123 (12.0 s)")),
    ]
    ended = AgentRun("find clips", "rules", status="step_limit", reason="40 steps ran")
    log = "\n".join(
        [
            "[2026-12-03T04:00:00.000+0000] {papermill} INFO - Executing cell 3",
            *(f"[2026-12-03T04:00:01.000+0000] {{papermill}} INFO - {line}" for line in lines),
            lines[0],  # read twice: logs fetched with overlap
            end_line(ended),
        ]
    )
    progress = read_progress(log)
    assert [(s.number, s.tool, s.failed) for s in progress.steps] == [
        (1, "search_archive", False),
        (2, "cut_clip", True),
        (10, "draft_post", False),
    ]
    assert progress.steps[0].outcome == "found 3 videos: asset 4, asset 7, asset 9"
    assert progress.steps[1].outcome == "ffmpeg failed: no such file"
    assert progress.steps[2].outcome == "Draft row rec123 (12.0 s)"
    assert progress.steps[2].seconds == 2.5
    assert (progress.status, progress.reason) == ("step_limit", "40 steps ran")


def test_a_run_still_going_has_no_status() -> None:
    progress = read_progress(step_line(_step(1, "search_archive", "found 1 video")))
    assert len(progress.steps) == 1 and progress.status is None
