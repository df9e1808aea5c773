"""One poll of the scaler: read every queue's figures and publish them as CloudWatch metrics;
then, per worker group, add up its queues' figures, decide (decision.decide) and set the
group's desired capacity when the decision changed it.

Figures that cannot be read hold every group (and say why); one group's failure never stops
the others. The group's desired capacity as Auto Scaling has it is the truth: a
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
    group: str  # a worker group's name, or a queue's when its metric was not published
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
    """One round over every group; `states` is updated in place."""
    outcomes: list[Outcome] = []
    try:
        figures = read_figures(sorted({q for g in groups.values() for q in g.queues}))
    except FiguresError as error:
        return [Outcome(name, f"{name}: held: {error}") for name in sorted(groups)]
    for queue_figures in figures.values():
        try:
            _publish(cloudwatch, namespace, queue_figures)
        except Exception as error:  # the metric is for people; scaling goes on without it
            outcomes.append(
                Outcome(queue_figures.queue, f"{queue_figures.queue}: not published: {error}")
            )
    current = _desired_capacities(autoscaling, [g.autoscaling_group for g in groups.values()])
    for name, group in sorted(groups.items()):
        asg = group.autoscaling_group
        if asg not in current:
            outcomes.append(Outcome(name, f"{name}: held: no Auto Scaling group {asg}"))
            continue
        state = states.get(name) or ScalerState(desired=current[asg])
        if state.desired != current[asg]:
            state = replace(state, desired=current[asg], last_change_at=now())
        mine = [figures[q] for q in group.queues]
        seen = QueueFigures(
            name,
            queued=sum(f.queued for f in mine),
            running=sum(f.running for f in mine),
            at=max(f.at for f in mine),
        )
        decision = decide(seen, group.policy(), state)
        if decision.desired != current[asg]:
            autoscaling.set_desired_capacity(
                AutoScalingGroupName=asg, DesiredCapacity=decision.desired, HonorCooldown=False
            )
        states[name] = decision.state
        line = (
            f"{name}: {seen.queued} queued, {seen.running} running ({', '.join(group.queues)}); "
            f"{asg} {current[asg]} -> {decision.desired}: {decision.reason}"
        )
        outcomes.append(Outcome(name, line, decision))
    return outcomes
