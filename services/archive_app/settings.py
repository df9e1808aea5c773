"""Settings of the archive app (``ARCHIVE_APP_*``, or the TOML file ``ARCHIVE_APP_CONFIG``
names), on the project's one mechanism (core.settings).

The app holds no users of its own. The ingress lets a request through only after the
archive said who it is (nginx ``auth_request`` to ``/api/v1/whoami``) and passes the name
in ``user_header``; a request without it is refused. The app then calls the archive's API
with its own key (``api_key``, a viewer), and the browser loads posters and video from
``media_url`` with the person's own archive session (the session cookie is the parent
domain's, so it also goes to the app's own origin when the ingress routes media there).
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from core.settings import Origin, ServiceSettings, optional_http_url

AirflowUrl = optional_http_url("http://airflow-1:8080")


class AppSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_APP_")

    # The archive's API as the app reaches it (the private network).
    archive_url: str = Field(default="", validate_default=True)
    # The archive as the person's browser reaches it: an URL, or "/" for this app's own origin
    # (the ingress routes /api/v1/assets/ of app.<domain> to the archive); default: archive_url.
    media_url: str = ""
    api_key: SecretStr = Field(default=SecretStr(""), validate_default=True)
    user_header: str = "X-Archive-User"
    # The person's archive role, set by the ingress beside the name; only editors start
    # agent runs (they cut clips and write drafts).
    role_header: str = "X-Archive-Role"
    timeout_s: float = Field(60.0, gt=0, le=600)
    # Where `python -m services.archive_app serve` listens: the private interface, never
    # 0.0.0.0 by default (the ingress is the way in).
    bind_host: str = "127.0.0.1"
    bind_port: int = Field(8501, ge=1024, le=65535)
    # The app's own origins as browsers reach it (e.g. https://app.cdaprod.dev): its
    # WebSocket accepts these besides the same origin (behind a published port the Origin
    # keeps the port the Host header the ingress passes on has lost).
    public_origins: list[Origin] = Field(default_factory=list)
    # Agent runs: the Airflow API on the master (private network) and the app's own Airflow
    # user (role User: it may trigger and read runs, nothing more). Without a URL the agent
    # page says that agent runs are not set up here.
    airflow_url: AirflowUrl = ""
    airflow_user: str = ""
    airflow_password: SecretStr = SecretStr("")
    agent_dag: str = "archive_agent"
    agent_task: str = "run_agent"

    @model_validator(mode="after")
    def _airflow_credentials(self) -> AppSettings:
        password = self.airflow_password.get_secret_value()
        if self.airflow_url and not (self.airflow_user and password):
            raise ValueError(
                "airflow_url is set: set airflow_user and airflow_password too (an Airflow user "
                "with role User), or leave airflow_url empty for no agent page"
            )
        return self

    @field_validator("archive_url", "media_url")
    @classmethod
    def _http_url(cls, url: str, info) -> str:
        if info.field_name == "archive_url" and not url:
            raise ValueError("set it to the archive's URL, e.g. http://archive-1:8700")
        if info.field_name == "media_url" and url == "/":
            return url
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {url!r}")
        return url.rstrip("/")

    @field_validator("api_key")
    @classmethod
    def _key_given(cls, key: SecretStr) -> SecretStr:
        if not key.get_secret_value():
            raise ValueError("set it to an archive API key (a viewer is enough)")
        return key

    @property
    def browser_url(self) -> str:
        """The prefix of media URLs in pages: empty for this app's own origin."""
        if self.media_url == "/":
            return ""
        return self.media_url or self.archive_url
