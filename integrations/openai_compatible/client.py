"""One chat completion from an OpenAI-compatible endpoint, through the openai SDK, bounded in
time and in output, with one error type whose message says what went wrong and where.

Retries are off: a caller that waits for an answer would rather fall back at once (the
archive's questions show the best passages) than wait through the SDK's retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openai


class ChatEndpointError(RuntimeError):
    """The endpoint gave no usable answer: unreachable, timed out, refused, or empty."""


@dataclass(frozen=True)
class ChatEndpoint:
    """Where to ask: ``base_url`` up to and including ``/v1``; ``api_key`` may be empty for
    a local server without keys."""

    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 30.0
    max_tokens: int = 400

    def complete(
        self,
        messages: Sequence[dict[str, str]],
        *,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        """The assistant's reply to ``messages`` (role/content dicts). With ``json_schema``
        the reply is constrained to JSON of that schema (OpenAI's structured outputs, which
        llama.cpp's server and vLLM implement by constrained decoding)."""
        client = openai.OpenAI(
            base_url=self.base_url,
            # The SDK insists on a key; a server without keys ignores this one.
            api_key=self.api_key or "no-key",
            timeout=self.timeout_s,
            max_retries=0,
        )
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=self.max_tokens,
                temperature=temperature,
                **_response_format(json_schema),
            )
        except openai.APITimeoutError:
            raise ChatEndpointError(
                f"{self.base_url} did not answer within {self.timeout_s:g} s"
            ) from None
        except openai.AuthenticationError:
            raise ChatEndpointError(f"{self.base_url} refused the API key (401)") from None
        except openai.APIStatusError as exc:
            raise ChatEndpointError(
                f"{self.base_url} answered {exc.status_code}: {_short(exc.message)}"
            ) from None
        except openai.APIConnectionError as exc:
            raise ChatEndpointError(f"cannot reach {self.base_url}: {exc}") from None
        finally:
            client.close()
        choices = response.choices or []
        content = (choices[0].message.content or "").strip() if choices else ""
        if not content:
            raise ChatEndpointError(f"{self.base_url} returned an empty answer")
        return content


def _response_format(schema: dict[str, Any] | None) -> dict[str, Any]:
    if schema is None:
        return {}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": schema, "strict": True},
        }
    }


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
