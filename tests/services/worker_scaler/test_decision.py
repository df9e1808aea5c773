"""The worker scaler's decision (services/worker_scaler/decision.py): scale out at once, scale in
after the cooldown and never below the running tasks' workers, go to the minimum only after the
idle time, and refuse figures, policies and states it cannot reason about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from services.worker_scaler.decision import (
    Decision,
    GroupPolicy,
    QueueFigures,
    ScalerState,
    decide,
)

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
CPU = GroupPolicy(minimum=1, maximum=5, tasks_per_worker=4)
GPU = GroupPolicy(minimum=0, maximum=2, tasks_per_worker=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def figures(queued: int, running: int, seconds: float = 0, queue: str = "cpu") -> QueueFigures:
    return QueueFigures(queue=queue, queued=queued, running=running, at=at(seconds))


def run(policy: GroupPolicy, state: ScalerState, series: Iterable[QueueFigures]) -> list[Decision]:
    """Each figures' decision, each call given the state the previous one returned."""
    decisions = []
    for fig in series:
        decision = decide(fig, policy, state)
        decisions.append(decision)
        state = decision.state
    return decisions


def after_burst(policy: GroupPolicy) -> ScalerState:
    """The state of a group that went to its maximum at T0."""
    return ScalerState(desired=policy.maximum, last_change_at=T0, last_busy_at=T0)


@pytest.mark.parametrize("policy", [CPU, GPU], ids=["cpu-minimum-1", "gpu-minimum-0"])
def test_empty_queue_from_fresh_state_stays_at_minimum(policy: GroupPolicy) -> None:
    fresh = ScalerState(desired=policy.minimum)
    decisions = run(policy, fresh, (figures(0, 0, s) for s in range(0, 3600, 30)))
    assert {d.desired for d in decisions} == {policy.minimum}
    assert decisions[-1].reason == f"idle: at the minimum {policy.minimum}"
    assert decisions[-1].state.last_change_at is None


@pytest.mark.parametrize(
    ("queued", "running", "expected"),
    [(1, 0, 1), (4, 0, 1), (5, 0, 2), (3, 2, 2), (0, 9, 3), (20, 0, 5)],
)
def test_work_needs_its_tasks_over_tasks_per_worker(
    queued: int, running: int, expected: int
) -> None:
    decision = decide(figures(queued, running), CPU, ScalerState(desired=1))
    assert decision.desired == expected


def test_reason_says_what_the_work_needs() -> None:
    decision = decide(figures(3, 2), CPU, ScalerState(desired=1))
    assert decision.reason == "3 queued + 2 running need 2 workers of 4 tasks"


def test_burst_goes_to_maximum_and_says_how_many_tasks_wait() -> None:
    decision = decide(figures(40, 0), CPU, ScalerState(desired=1))
    assert decision.desired == 5
    # 5 workers of 4 tasks run 20 of the 40.
    assert decision.reason == "maximum reached: 20 tasks wait for 5 workers of 4 tasks"
    held = decide(figures(41, 0, 30), CPU, decision.state)
    assert (held.desired, held.reason) == (
        5,
        "maximum reached: 21 tasks wait for 5 workers of 4 tasks",
    )


def test_scale_out_does_not_wait_for_the_cooldown() -> None:
    just_changed = ScalerState(desired=2, last_change_at=at(-1), last_busy_at=at(-1))
    assert decide(figures(16, 0), CPU, just_changed).desired == 4


def test_burst_then_quiet_scales_in_only_after_the_cooldown() -> None:
    # Quiet: one worker's worth of tasks still running.
    quiet = [figures(0, 3, s) for s in range(30, 301, 30)]
    decisions = run(CPU, after_burst(CPU), quiet)
    held, last = decisions[:-1], decisions[-1]
    assert {d.desired for d in held} == {5}
    assert held[-1].reason == "held at 5: scale-in cooldown 30 s left"
    assert (last.desired, last.reason) == (1, "0 queued + 3 running need 1 worker of 4 tasks")
    assert last.state.last_change_at == at(300)


def test_scale_ins_are_one_cooldown_apart() -> None:
    first = decide(figures(0, 12, 300), CPU, after_burst(CPU))
    assert first.desired == 3
    second = decide(figures(0, 4, 330), CPU, first.state)
    assert (second.desired, second.reason) == (3, "held at 3: scale-in cooldown 270 s left")
    assert decide(figures(0, 4, 600), CPU, second.state).desired == 1


def test_flapping_figures_do_not_scale_in_within_the_cooldown() -> None:
    # Busy and quiet polls alternate every 30 s; within the cooldown the group keeps its workers.
    swinging = [figures(4 if (s // 30) % 2 else 0, 0, s) for s in range(30, 300, 30)]
    decisions = run(CPU, after_burst(CPU), swinging)
    assert {d.desired for d in decisions} == {5}
    assert decisions[-1].state.last_change_at == T0


def test_idle_gpu_group_goes_to_zero_only_after_idle_minutes() -> None:
    busy = decide(figures(2, 0, 0, queue="gpu"), GPU, ScalerState(desired=0))
    assert busy.desired == 2
    minutes = range(1, 21)
    quiet = [figures(0, 0, m * 60, queue="gpu") for m in minutes]
    by_minute = dict(zip(minutes, run(GPU, busy.state, quiet), strict=True))
    assert [by_minute[m].desired for m in minutes] == [2] * 14 + [0] * 6
    assert by_minute[14].reason == "held at 2: idle 14 min, to the minimum 0 in 1 min"
    assert by_minute[15].reason == "idle 15 min: to the minimum 0"


def test_idle_drop_waits_for_the_cooldown_too() -> None:
    # Idle for 15 min, but the maximum was lowered to 3 a minute ago.
    state = ScalerState(desired=3, last_change_at=at(14 * 60), last_busy_at=T0)
    held = decide(figures(0, 0, 15 * 60, queue="gpu"), GroupPolicy(0, 3, 1), state)
    assert (held.desired, held.reason) == (3, "held at 3: scale-in cooldown 240 s left")
    assert decide(figures(0, 0, 19 * 60, queue="gpu"), GroupPolicy(0, 3, 1), state).desired == 0


def test_work_during_idle_restarts_the_idle_clock() -> None:
    busy = decide(figures(2, 0, 0, queue="gpu"), GPU, ScalerState(desired=0))
    series = [figures(0, 0, 600), figures(0, 1, 840), figures(0, 0, 900), figures(0, 0, 1739)]
    decisions = run(GPU, busy.state, series)
    # One task at 14 min: the group scales in to its worker, then waits 15 min from there.
    assert [d.desired for d in decisions] == [2, 1, 1, 1]
    assert decisions[-1].state.last_busy_at == at(840)
    assert decide(figures(0, 0, 1740), GPU, decisions[-1].state).desired == 0


def test_running_tasks_keep_their_workers_after_the_cooldown() -> None:
    policy = GroupPolicy(minimum=0, maximum=8, tasks_per_worker=2)
    state = ScalerState(desired=8, last_change_at=T0, last_busy_at=T0)
    decisions = run(policy, state, [figures(0, 5, s) for s in range(300, 3600, 300)])
    assert {d.desired for d in decisions} == {3}


@pytest.mark.parametrize(
    ("desired", "policy", "expected"),
    [
        (7, GroupPolicy(minimum=1, maximum=4, tasks_per_worker=4), 4),
        (0, GroupPolicy(minimum=2, maximum=4, tasks_per_worker=4), 2),
    ],
    ids=["maximum-lowered", "minimum-raised"],
)
def test_changed_bounds_bring_desired_inside_at_once(
    desired: int, policy: GroupPolicy, expected: int
) -> None:
    # Changed a second ago: the cooldown does not hold a desired capacity outside the bounds.
    state = ScalerState(desired=desired, last_change_at=at(-1), last_busy_at=at(-1))
    decision = decide(figures(0, 4), policy, state)
    assert decision.desired == expected
    assert (
        decision.reason
        == f"bounds changed: {desired} -> {expected} (minimum {policy.minimum}, maximum 4)"
    )
    assert decision.state.last_change_at == T0


def test_state_records_changes_and_busy_figures_in_a_new_state() -> None:
    state = ScalerState(desired=1, last_change_at=at(-900), last_busy_at=at(-900))
    out = decide(figures(8, 0), CPU, state)
    assert out.state == ScalerState(
        desired=2, last_change_at=T0, last_busy_at=T0, recent_needs=((T0, 2),)
    )
    assert state == ScalerState(desired=1, last_change_at=at(-900), last_busy_at=at(-900))
    steady = decide(figures(0, 8, 60), CPU, out.state)
    assert steady.state == ScalerState(
        desired=2, last_change_at=T0, last_busy_at=at(60), recent_needs=((T0, 2), (at(60), 2))
    )
    # Needs older than the cooldown window are forgotten.
    later = decide(figures(0, 8, 400), CPU, steady.state)
    assert later.state.recent_needs == ((at(400), 2),)


def test_a_queue_swinging_every_poll_keeps_its_workers_until_it_settles() -> None:
    # 40 tasks and 4 alternate every minute, for 20 minutes: the group stays at its maximum
    # (no worker cycled out and back in every cooldown), then settles at 1 once the queue has
    # stayed at 4 tasks for a whole cooldown window: the last 40 came at minute 19, so at 24.
    swinging = [figures(40 if m % 2 else 4, 0, m * 60) for m in range(1, 21)]
    settled = [figures(4, 0, m * 60) for m in range(21, 30)]
    decisions = run(CPU, after_burst(CPU), swinging + settled)
    assert {d.desired for d in decisions[:20]} == {5}
    assert "needed within the last 300 s" in decisions[19].reason
    first_down = next(i for i, d in enumerate(decisions) if d.desired < 5)
    assert (first_down + 1, decisions[first_down].desired) == (24, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"queued": -1}, r"queued must be >= 0, got -1"),
        ({"running": -2}, r"running must be >= 0, got -2"),
        ({"at": datetime(2025, 1, 6, 9, 0)}, r"at must be a timezone-aware UTC datetime"),
    ],
    ids=["negative-queued", "negative-running", "naive-at"],
)
def test_bad_figures_are_refused(kwargs: dict[str, object], match: str) -> None:
    good: dict[str, object] = {"queue": "cpu", "queued": 0, "running": 0, "at": T0}
    with pytest.raises(ValueError, match=match):
        QueueFigures(**{**good, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"minimum": 5, "maximum": 2}, r"minimum 5 is above maximum 2: lower minimum or raise"),
        ({"minimum": -1}, r"minimum must be >= 0"),
        ({"minimum": 0, "maximum": 0}, r"maximum must be >= 1"),
        ({"tasks_per_worker": 0}, r"tasks_per_worker must be >= 1 \(the workers' Celery"),
        ({"idle_minutes": -1}, r"idle_minutes must be >= 0, got -1"),
        ({"scale_in_cooldown_s": -5}, r"scale_in_cooldown_s must be >= 0, got -5"),
    ],
    ids=[
        "minimum-above-maximum",
        "negative-minimum",
        "zero-maximum",
        "zero-tasks",
        "idle",
        "cooldown",
    ],
)
def test_bad_policy_is_refused(kwargs: dict[str, float], match: str) -> None:
    good: dict[str, float] = {"minimum": 1, "maximum": 4, "tasks_per_worker": 2}
    with pytest.raises(ValueError, match=match):
        GroupPolicy(**{**good, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"desired": -1}, r"desired must be >= 0, got -1"),
        ({"last_change_at": datetime(2025, 1, 6)}, r"last_change_at must be a timezone-aware"),
        ({"last_busy_at": datetime(2025, 1, 6)}, r"last_busy_at must be a timezone-aware"),
    ],
    ids=["negative-desired", "naive-last-change", "naive-last-busy"],
)
def test_bad_state_is_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ScalerState(**{"desired": 1, **kwargs})  # type: ignore[arg-type]
