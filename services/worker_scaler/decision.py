"""How many workers a queue's worker group should have, from the queue's figures.

One pure function, :func:`decide`: the queue's figures (tasks queued and running), the group's
policy and the scaler's state from its previous call give the desired capacity, a sentence for
the log and the next state. It does no I/O and reads no clock (the figures carry their time), so
the scaler that sets an Auto Scaling group's desired capacity and the tests on emulated AWS run
the same rules.

The rules: scale out at once to what the work needs; scale in only once the cooldown since the
last change has passed, to the most the work needed within that window (never below the
workers that the running tasks need); go down to the
minimum (0 is allowed) only after the queue has been empty for ``idle_minutes``; and bring a
desired capacity that is outside the policy's bounds inside them at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


def _require_aware(name: str, value: datetime | None) -> None:
    # Naive datetimes cannot be compared with aware ones; refuse them where they come in.
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware UTC datetime, got naive {value}")


@dataclass(frozen=True)
class QueueFigures:
    """A queue's tasks at one moment: waiting for a worker and running on one."""

    queue: str
    queued: int
    running: int
    at: datetime

    def __post_init__(self) -> None:
        for name in ("queued", "running"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        _require_aware("at", self.at)


@dataclass(frozen=True)
class GroupPolicy:
    """The bounds and pace of one worker group.

    ``tasks_per_worker`` is a worker's Celery concurrency: how many tasks one worker runs at once.
    """

    minimum: int
    maximum: int
    tasks_per_worker: int
    idle_minutes: float = 15
    scale_in_cooldown_s: float = 300

    def __post_init__(self) -> None:
        if self.minimum < 0:
            raise ValueError(
                f"minimum must be >= 0 (0 lets an idle group stop), got {self.minimum}"
            )
        if self.maximum < 1:
            raise ValueError(f"maximum must be >= 1 to run any task, got {self.maximum}")
        if self.minimum > self.maximum:
            raise ValueError(
                f"minimum {self.minimum} is above maximum {self.maximum}: "
                "lower minimum or raise maximum"
            )
        if self.tasks_per_worker < 1:
            raise ValueError(
                f"tasks_per_worker must be >= 1 (the workers' Celery concurrency), "
                f"got {self.tasks_per_worker}"
            )
        for name in ("idle_minutes", "scale_in_cooldown_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class ScalerState:
    """What the scaler remembers between calls.

    A fresh state is ``ScalerState(desired=<the group's current desired capacity>)``.
    ``last_busy_at`` is when the figures last showed work; a state without one takes the time of
    its first empty figures, so a scaler that starts beside an idle queue waits ``idle_minutes``
    before it stops the workers it finds.
    """

    desired: int
    last_change_at: datetime | None = None
    last_busy_at: datetime | None = None
    # (time, workers needed) of the figures within the last cooldown window.
    recent_needs: tuple[tuple[datetime, int], ...] = ()

    def __post_init__(self) -> None:
        if self.desired < 0:
            raise ValueError(f"desired must be >= 0, got {self.desired}")
        _require_aware("last_change_at", self.last_change_at)
        _require_aware("last_busy_at", self.last_busy_at)


@dataclass(frozen=True)
class Decision:
    """The desired capacity, why (one sentence for a log line), and the state for the next call."""

    desired: int
    reason: str
    state: ScalerState


def _workers(count: int) -> str:
    return f"{count} worker" if count == 1 else f"{count} workers"


def decide(figures: QueueFigures, policy: GroupPolicy, state: ScalerState) -> Decision:
    """The group's desired capacity for these figures (module docstring: the rules)."""
    tpw = policy.tasks_per_worker
    work = figures.queued + figures.running
    # Running tasks count in what is needed, so a scale-in to it keeps the workers they need.
    wanted = math.ceil(work / tpw)
    needed = min(max(wanted, policy.minimum), policy.maximum)
    current = state.desired
    bounded = min(max(current, policy.minimum), policy.maximum)
    last_busy_at = figures.at if work or state.last_busy_at is None else state.last_busy_at
    # A scale-in goes to the highest need seen within the cooldown window (the stabilisation
    # window of Kubernetes' HPA): a queue that swings between busy and quiet every poll keeps
    # its workers instead of cycling one out and back in every cooldown.
    window_start = figures.at - timedelta(seconds=policy.scale_in_cooldown_s)
    recent_needs = (
        *((at, n) for at, n in state.recent_needs if at > window_start),
        (figures.at, needed),
    )
    peak = max(n for _, n in recent_needs)

    if wanted > policy.maximum:
        waiting = work - policy.maximum * tpw
        work_reason = (
            f"maximum reached: {waiting} tasks wait for {_workers(policy.maximum)} of {tpw} tasks"
        )
    else:
        work_reason = (
            f"{figures.queued} queued + {figures.running} running need {_workers(wanted)} "
            f"of {tpw} tasks"
        )
        if wanted < policy.minimum:
            work_reason += f"; the minimum is {policy.minimum}"

    cooldown_left = 0.0
    if state.last_change_at is not None:
        since_change = (figures.at - state.last_change_at).total_seconds()
        cooldown_left = policy.scale_in_cooldown_s - since_change
    cooldown_reason = f"held at {current}: scale-in cooldown {math.ceil(cooldown_left)} s left"

    if needed > bounded:
        # Scale out at once: waiting tasks cost more than a worker started early.
        desired, reason = needed, work_reason
    elif bounded != current:
        desired = bounded
        reason = (
            f"bounds changed: {current} -> {bounded} "
            f"(minimum {policy.minimum}, maximum {policy.maximum})"
        )
    elif needed == current:
        desired = current
        reason = f"idle: at the minimum {policy.minimum}" if work == 0 else work_reason
    elif work == 0:
        # Empty queue, above the minimum: wait idle_minutes, for work often comes back in bursts.
        idle_s = (figures.at - last_busy_at).total_seconds()
        idle_left_s = policy.idle_minutes * 60 - idle_s
        if idle_left_s > 0:
            desired = current
            reason = (
                f"held at {current}: idle {math.floor(idle_s / 60)} min, "
                f"to the minimum {policy.minimum} in {math.ceil(idle_left_s / 60)} min"
            )
        elif cooldown_left > 0:
            desired, reason = current, cooldown_reason
        else:
            desired = policy.minimum
            reason = f"idle {policy.idle_minutes:g} min: to the minimum {policy.minimum}"
    elif cooldown_left > 0:
        # One scale-in per cooldown at most.
        desired, reason = current, cooldown_reason
    elif peak < current:
        desired = peak
        reason = (
            work_reason
            if peak == needed
            else (
                f"{work_reason}; down to {peak}, the most needed in the last "
                f"{policy.scale_in_cooldown_s:g} s"
            )
        )
    else:
        desired = current
        reason = (
            f"held at {current}: {_workers(peak)} needed within the last "
            f"{policy.scale_in_cooldown_s:g} s"
        )

    last_change_at = figures.at if desired != current else state.last_change_at
    return Decision(
        desired=desired,
        reason=reason,
        state=ScalerState(
            desired=desired,
            last_change_at=last_change_at,
            last_busy_at=last_busy_at,
            recent_needs=recent_needs,
        ),
    )
