"""The scaler's settings (core.settings: the environment over the TOML file over defaults).

``WORKER_SCALER_CONFIG`` names a TOML file with the groups; the Prometheus password comes
from the environment (``WORKER_SCALER_PROMETHEUS_PASSWORD``, the root-only environment file)::

    prometheus_url = "http://10.0.1.5:9090"
    region = "us-east-1"
    poll_s = 30

    [groups.cpu]                      # the Celery queue
    autoscaling_group = "cdaprod-prod-worker-cpu"
    minimum = 1
    maximum = 6
    tasks_per_worker = 8              # the workers' Celery concurrency
    idle_minutes = 15
    scale_in_cooldown_s = 300
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings, optional_http_url
from services.worker_scaler.decision import GroupPolicy

ENV_PREFIX = "WORKER_SCALER_"


class GroupSettings(BaseModel):
    """One queue's worker group and how it scales (decision.GroupPolicy's fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    autoscaling_group: str = Field(min_length=1, max_length=255)
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


class ScalerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    prometheus_url: optional_http_url("http://10.0.1.5:9090") = Field(min_length=1)  # type: ignore[valid-type]
    prometheus_user: str = "admin"
    prometheus_password: SecretStr
    region: str = Field(min_length=1)
    groups: dict[str, GroupSettings] = Field(min_length=1)
    poll_s: float = Field(default=30, gt=0, le=600)
    # Where the queues' figures are published for the groups' alarms and dashboards.
    metric_namespace: str = "Cdaprod/Workers"
