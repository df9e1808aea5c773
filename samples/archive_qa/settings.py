"""Settings of questions over the archive (``ARCHIVE_QA_*``, or the TOML file that
``ARCHIVE_QA_CONFIG`` names), on the project's one mechanism (core.settings).

With no ``llm_base_url`` answers are extractive and offline: the best passages, quoted.
With one, an OpenAI-compatible endpoint writes the answer from the same passages::

    llm_base_url = "http://gpu-worker.internal:8080/v1"   # llama.cpp server, vLLM, hosted
    llm_model = "smollm2"
    llm_timeout_s = 20          # then the passages are shown instead, with a notice
    max_context_chars = 6000    # the passages sent, at most

The key is best given as ``ARCHIVE_QA_LLM_API_KEY`` in the environment, and the catalogue's
address (``catalog_dsn``, a role that only reads) as ``ARCHIVE_QA_CATALOG_DSN``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings, optional_http_url

# An OpenAI-compatible endpoint's base URL (ending in /v1), or empty for extractive answers.
EndpointUrl = optional_http_url("http://gpu-worker.internal:8080/v1")


class QASettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_QA_")

    llm_base_url: EndpointUrl = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = "default"
    llm_timeout_s: float = Field(30.0, gt=0, le=600)
    llm_max_tokens: int = Field(400, ge=16, le=4096)
    # Passages beyond this many characters are not sent to the endpoint.
    max_context_chars: int = Field(6000, ge=500, le=200_000)
    # The catalogue as questions read it: best a role that can only read it. Empty: the
    # archive's own setting (VIDEO_ARCHIVE_CATALOG_DSN).
    catalog_dsn: str = ""
