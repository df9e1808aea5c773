"""python -m services.worker_scaler: scale the worker groups on their queues, every poll_s.

Runs on the Airflow master of a cloud environment (role airflow_master), with the master's
instance role (autoscaling:SetDesiredCapacity on the worker groups, cloudwatch:PutMetricData).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from core.settings import SettingsError
from services.worker_scaler.figures import read_queue_figures
from services.worker_scaler.loop import poll
from services.worker_scaler.settings import ScalerSettings


def main() -> int:
    try:
        settings = ScalerSettings.load()
    except SettingsError as error:
        print(f"worker-scaler: {error}", file=sys.stderr)
        return 2
    import boto3

    autoscaling = boto3.client("autoscaling", region_name=settings.region)
    cloudwatch = boto3.client("cloudwatch", region_name=settings.region)
    auth = (settings.prometheus_user, settings.prometheus_password.get_secret_value())

    def read(queues: list[str]):
        return read_queue_figures(settings.prometheus_url, queues, auth=auth)

    states: dict = {}
    groups = "; ".join(
        f"{name} ({g.autoscaling_group}) on {', '.join(g.queues)}"
        for name, g in sorted(settings.groups.items())
    )
    print(f"worker-scaler: scaling {groups} every {settings.poll_s:.0f} s", flush=True)
    while True:
        for outcome in poll(
            settings.groups, states, read, autoscaling, cloudwatch, settings.metric_namespace,
            lambda: datetime.now(UTC),
        ):  # fmt: skip
            print(f"worker-scaler: {outcome.line}", flush=True)
        time.sleep(settings.poll_s)


if __name__ == "__main__":
    sys.exit(main())
