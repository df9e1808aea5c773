"""The scaler's settings (core.settings: the environment over the TOML file over defaults).

``WORKER_SCALER_CONFIG`` names a TOML file with the groups; the Prometheus password comes
from the environment (``WORKER_SCALER_PROMETHEUS_PASSWORD``, the root-only environment file)::

    prometheus_url = "http://10.0.1.5:9090"
    region = "us-east-1"
    poll_s = 30

    [groups.cpu]                      # the worker group (its queue tag)
    autoscaling_group = "cdaprod-prod-worker-cpu"
    queues = ["default", "cpu", "media"]  # the Celery queues whose tasks it scales on
    minimum = 1
    maximum = 6
    tasks_per_worker = 8              # the workers' Celery concurrency
    idle_minutes = 15
    scale_in_cooldown_s = 300
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings, optional_http_url
from services.worker_scaler.decision import GroupPolicy

ENV_PREFIX = "WORKER_SCALER_"


class GroupSettings(BaseModel):
    """One worker group, the queues it scales on and how it scales (decision.GroupPolicy's
    fields). Its load is the sum of its queues' tasks; a queue that several groups serve
    belongs to the one that should start for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    autoscaling_group: str = Field(min_length=1, max_length=255)
    queues: tuple[str, ...] = Field(min_length=1)
    minimum: int = Field(ge=0)
    maximum: int = Field(ge=1)
    tasks_per_worker: int = Field(ge=1)
    idle_minutes: float = Field(default=15, ge=0)
    scale_in_cooldown_s: float = Field(default=300, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> GroupSettings:
        if self.minimum > self.maximum:
            raise ValueError(f"minimum ({self.minimum}) exceeds maximum ({self.maximum})")
        return self

    def policy(self) -> GroupPolicy:
        return GroupPolicy(
            minimum=self.minimum,
            maximum=self.maximum,
            tasks_per_worker=self.tasks_per_worker,
            idle_minutes=self.idle_minutes,
            scale_in_cooldown_s=self.scale_in_cooldown_s,
        )


def _one_group_per_queue(groups: dict[str, GroupSettings]) -> dict[str, GroupSettings]:
    owners: dict[str, str] = {}
    for name, group in sorted(groups.items()):
        for queue in group.queues:
            if queue in owners:
                raise ValueError(
                    f"queue {queue} is in the queues of groups {owners[queue]} and {name}: "
                    "its tasks would start workers in both; give it to one"
                )
            owners[queue] = name
    return groups


class ScalerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    prometheus_url: optional_http_url("http://10.0.1.5:9090") = Field(min_length=1)  # type: ignore[valid-type]
    prometheus_user: str = "admin"
    prometheus_password: SecretStr
    region: str = Field(min_length=1)
    groups: Annotated[dict[str, GroupSettings], AfterValidator(_one_group_per_queue)] = Field(
        min_length=1
    )
    poll_s: float = Field(default=30, gt=0, le=600)
    # Where the queues' figures are published for the groups' alarms and dashboards.
    metric_namespace: str = "Cdaprod/Workers"
