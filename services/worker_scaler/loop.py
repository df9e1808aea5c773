"""One poll of the scaler, per queue: read its figures, publish them as CloudWatch metrics,
decide (decision.decide) and set the group's desired capacity when the decision changed it.

A queue whose figures cannot be read holds its group (and says why); one queue's failure
never stops the others. The group's desired capacity as Auto Scaling has it is the truth: a
change made elsewhere (a person, an instance refresh) becomes the scaler's state, and counts
as a change for the cool-down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.worker_scaler.decision import Decision, QueueFigures, ScalerState, decide
from services.worker_scaler.figures import FiguresError
from services.worker_scaler.settings import GroupSettings

ReadFigures = Callable[[list[str]], Mapping[str, QueueFigures]]


@dataclass(frozen=True)
class Outcome:
    queue: str
    line: str  # one log line: what the scaler saw and did
    decision: Decision | None = None


def _desired_capacities(autoscaling: Any, names: list[str]) -> dict[str, int]:
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=names)
    return {
        g["AutoScalingGroupName"]: int(g["DesiredCapacity"]) for g in found["AutoScalingGroups"]
    }


def _publish(cloudwatch: Any, namespace: str, figures: QueueFigures) -> None:
    dimensions = [{"Name": "Queue", "Value": figures.queue}]
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Timestamp": figures.at,
             "Value": float(value), "Unit": "Count"}
            for name, value in (
                ("QueueTasks", figures.queued + figures.running),
                ("QueuedTasks", figures.queued),
                ("RunningTasks", figures.running),
            )
        ],
    )  # fmt: skip


def poll(
    groups: Mapping[str, GroupSettings],
    states: dict[str, ScalerState],
    read_figures: ReadFigures,
    autoscaling: Any,
    cloudwatch: Any,
    namespace: str,
    now: Callable[[], datetime],
) -> list[Outcome]:
    """One round over every queue; `states` is updated in place."""
    outcomes: list[Outcome] = []
    try:
        figures = read_figures(sorted(groups))
    except FiguresError as error:
        return [Outcome(queue, f"{queue}: held: {error}") for queue in sorted(groups)]
    current = _desired_capacities(autoscaling, [g.autoscaling_group for g in groups.values()])
    for queue, group in sorted(groups.items()):
        name = group.autoscaling_group
        if name not in current:
            outcomes.append(Outcome(queue, f"{queue}: held: no Auto Scaling group {name}"))
            continue
        state = states.get(queue) or ScalerState(desired=current[name])
        if state.desired != current[name]:
            state = replace(state, desired=current[name], last_change_at=now())
        seen = figures[queue]
        try:
            _publish(cloudwatch, namespace, seen)
        except Exception as error:  # the metric is for people; scaling goes on without it
            outcomes.append(Outcome(queue, f"{queue}: the metric was not published: {error}"))
        decision = decide(seen, group.policy(), state)
        if decision.desired != current[name]:
            autoscaling.set_desired_capacity(
                AutoScalingGroupName=name, DesiredCapacity=decision.desired, HonorCooldown=False
            )
        states[queue] = decision.state
        line = (
            f"{queue}: {seen.queued} queued, {seen.running} running; {name} "
            f"{current[name]} -> {decision.desired}: {decision.reason}"
        )
        outcomes.append(Outcome(queue, line, decision))
    return outcomes
