"""A thin Weaviate client (weaviate-client v4): connect to our server with API-key auth.

Our Weaviate runs without a vectoriser (vectors are supplied by the caller), answers HTTP
on the URL's port and gRPC on 50051 unless told otherwise.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

DEFAULT_GRPC_PORT = 50051


class WeaviateConnectionError(RuntimeError):
    """The URL is malformed or the server cannot be reached."""


def connect_weaviate(url: str, api_key: str | None = None, grpc_port: int | None = None) -> Any:
    """Connect to Weaviate at ``url`` (http(s)://host:port), API-key auth when a key is given."""
    import weaviate
    from weaviate.classes.init import Auth

    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise WeaviateConnectionError(
            f"WEAVIATE_URL must look like http(s)://host:port, got {url!r}"
        )
    secure = parsed.scheme == "https"
    try:
        client = weaviate.connect_to_custom(
            http_host=parsed.hostname,
            http_port=parsed.port or (443 if secure else 8080),
            http_secure=secure,
            grpc_host=parsed.hostname,
            grpc_port=grpc_port or DEFAULT_GRPC_PORT,
            grpc_secure=secure,
            auth_credentials=Auth.api_key(api_key) if api_key else None,
        )
    except Exception as exc:  # the client raises several unrelated exception types
        raise WeaviateConnectionError(f"cannot connect to Weaviate at {url}: {exc}") from exc
    return client
