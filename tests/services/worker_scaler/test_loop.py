"""The scaler's poll against emulated Auto Scaling and CloudWatch (moto), figures given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from core.settings import SettingsError
from services.worker_scaler.decision import QueueFigures
from services.worker_scaler.figures import FiguresError
from services.worker_scaler.loop import poll
from services.worker_scaler.settings import GroupSettings, ScalerSettings

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
GROUPS = {
    "cpu": GroupSettings(
        autoscaling_group="w-cpu", queues=("default", "cpu", "media"), minimum=1, maximum=3,
        tasks_per_worker=2, idle_minutes=5, scale_in_cooldown_s=60,
    ),
    "gpu": GroupSettings(
        autoscaling_group="w-gpu", queues=("gpu",), minimum=0, maximum=2, tasks_per_worker=1
    ),
}  # fmt: skip


@pytest.fixture
def aws():
    with mock_aws():
        autoscaling = boto3.client("autoscaling", region_name="us-east-1")
        image = boto3.client("ec2", region_name="us-east-1").describe_images()["Images"][0]
        autoscaling.create_launch_configuration(
            LaunchConfigurationName="lc", ImageId=image["ImageId"], InstanceType="t3.micro"
        )
        for name, desired in (("w-cpu", 1), ("w-gpu", 0)):
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=0, MaxSize=3,
                DesiredCapacity=desired, AvailabilityZones=["us-east-1a"],
            )  # fmt: skip
        yield autoscaling, boto3.client("cloudwatch", region_name="us-east-1")


def desired(autoscaling, name: str) -> int:
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    return found["AutoScalingGroups"][0]["DesiredCapacity"]


def figures(at: datetime, **counts: tuple[int, int]):
    """The figures of every queue asked for: `counts`' (queued, running), else none."""
    return lambda queues: {q: QueueFigures(q, *counts.get(q, (0, 0)), at=at) for q in queues}


def test_a_burst_scales_out_and_the_figures_are_published(aws):
    autoscaling, cloudwatch = aws
    states: dict = {}
    outcomes = poll(
        GROUPS, states, figures(T0, cpu=(3, 1), media=(2, 0), gpu=(1, 0)), autoscaling,
        cloudwatch, "Cdaprod/Workers", lambda: T0,
    )  # fmt: skip
    assert desired(autoscaling, "w-cpu") == 3 and desired(autoscaling, "w-gpu") == 1
    assert [o.group for o in outcomes] == ["cpu", "gpu"]
    assert outcomes[0].line.startswith(
        "cpu: 5 queued, 1 running (default, cpu, media); w-cpu 1 -> 3: "
    )
    metrics = cloudwatch.list_metrics(Namespace="Cdaprod/Workers")["Metrics"]
    names = {(m["MetricName"], m["Dimensions"][0]["Value"]) for m in metrics}
    assert {("QueueTasks", "cpu"), ("QueueTasks", "media"), ("RunningTasks", "gpu")} <= names


def test_an_idle_queue_goes_to_its_minimum_after_the_cooldown_and_idle_time(aws):
    autoscaling, cloudwatch = aws
    autoscaling.set_desired_capacity(AutoScalingGroupName="w-cpu", DesiredCapacity=3)
    states: dict = {}
    for minute in range(0, 7):
        at = T0 + timedelta(minutes=minute)
        poll(GROUPS, states, figures(at, cpu=(0, 0), gpu=(0, 0)), autoscaling, cloudwatch,
             "Cdaprod/Workers", lambda at=at: at)  # fmt: skip
        if minute < 5:
            assert desired(autoscaling, "w-cpu") == 3, minute
    assert desired(autoscaling, "w-cpu") == 1


def test_a_change_made_elsewhere_is_taken_as_the_state(aws):
    autoscaling, cloudwatch = aws
    states: dict = {}
    busy = figures(T0, cpu=(0, 2), gpu=(0, 0))
    poll(GROUPS, states, busy, autoscaling, cloudwatch, "N", lambda: T0)
    autoscaling.set_desired_capacity(AutoScalingGroupName="w-cpu", DesiredCapacity=2)
    later = T0 + timedelta(seconds=30)
    outcomes = poll(GROUPS, states, figures(later, cpu=(0, 2), gpu=(0, 0)), autoscaling,
                    cloudwatch, "N", lambda: later)  # fmt: skip
    assert desired(autoscaling, "w-cpu") == 2, outcomes[0].line
    assert states["cpu"].desired == 2


def test_unknown_figures_hold_every_group(aws):
    autoscaling, cloudwatch = aws

    def unreadable(queues):
        raise FiguresError("Prometheus at http://p cannot be reached")

    outcomes = poll(GROUPS, {}, unreadable, autoscaling, cloudwatch, "N", lambda: T0)
    assert [o.line for o in outcomes] == [
        "cpu: held: Prometheus at http://p cannot be reached",
        "gpu: held: Prometheus at http://p cannot be reached",
    ]
    assert desired(autoscaling, "w-cpu") == 1


def load_settings(tmp_path, toml: str) -> ScalerSettings:
    """The settings from a TOML file with `toml` in it, and the password from the environment."""
    config = tmp_path / "scaler.toml"
    config.write_text(toml, encoding="utf-8")
    return ScalerSettings.load({"WORKER_SCALER_PROMETHEUS_PASSWORD": "x"}, config_file=config)


def test_bad_settings_name_what_to_fix(tmp_path):
    with pytest.raises(SettingsError, match="minimum \\(4\\) exceeds maximum \\(2\\)"):
        load_settings(
            tmp_path,
            'prometheus_url = "http://10.0.1.5:9090"\nregion = "us-east-1"\n'
            '[groups.cpu]\nautoscaling_group = "w"\nqueues = ["cpu"]\n'
            "minimum = 4\nmaximum = 2\ntasks_per_worker = 1\n",
        )
    with pytest.raises(SettingsError, match="http"):
        load_settings(
            tmp_path,
            'prometheus_url = "10.0.1.5:9090"\nregion = "us-east-1"\n'
            '[groups.cpu]\nautoscaling_group = "w"\nqueues = ["cpu"]\n'
            "minimum = 0\nmaximum = 2\ntasks_per_worker = 1\n",
        )


def test_a_queue_belongs_to_one_group(tmp_path):
    with pytest.raises(SettingsError, match="queue media is in the queues of groups cpu and gpu"):
        load_settings(
            tmp_path,
            'prometheus_url = "http://10.0.1.5:9090"\nregion = "us-east-1"\n'
            '[groups.cpu]\nautoscaling_group = "a"\nqueues = ["cpu", "media"]\nminimum = 1\n'
            "maximum = 2\ntasks_per_worker = 1\n"
            '[groups.gpu]\nautoscaling_group = "b"\nqueues = ["gpu", "media"]\nminimum = 0\n'
            "maximum = 2\ntasks_per_worker = 1\n",
        )
