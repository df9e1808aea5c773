"""Typed dependencies of the routes: the settings, the post store, the publisher, the
metrics and the API key check. Each reads what create_app put on ``app.state``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from services.social_gateway.adapters import Adapter
from services.social_gateway.config import GatewaySettings
from services.social_gateway.errors import MissingApiKey
from services.social_gateway.metrics import GatewayMetrics
from services.social_gateway.publishing import Publisher
from services.social_gateway.store import PostStore

API_KEY_HEADER = "X-API-Key"
# auto_error off: a missing key gets the same 401 and message as a wrong one. The key may also
# come as a Bearer token: Prometheus sends credentials only in the Authorization header.
_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)
_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


def get_store(request: Request) -> PostStore:
    return request.app.state.store


def get_publisher(request: Request) -> Publisher:
    return request.app.state.publisher


def get_metrics(request: Request) -> GatewayMetrics:
    return request.app.state.metrics


def get_adapters(request: Request) -> Mapping[str, Adapter]:
    return request.app.state.adapters


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
StoreDep = Annotated[PostStore, Depends(get_store)]
PublisherDep = Annotated[Publisher, Depends(get_publisher)]
MetricsDep = Annotated[GatewayMetrics, Depends(get_metrics)]
AdaptersDep = Annotated[Mapping[str, Adapter], Depends(get_adapters)]


def client_name(settings: GatewaySettings, key: str | None) -> str | None:
    """The name of the client whose key this is, or None. Every configured digest is
    compared (in constant time), so timing tells nothing."""
    digest = hashlib.sha256((key or "").encode()).hexdigest()
    match = None
    for name, expected in settings.api_keys.items():
        if hmac.compare_digest(digest, expected):
            match = name
    return match if key else None


def presented_key(
    header_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> str | None:
    """The key the client sent: X-API-Key, else the Bearer token."""
    return header_key or (bearer.credentials if bearer else None)


PresentedKeyDep = Annotated[str | None, Depends(presented_key)]


def require_api_key(settings: SettingsDep, key: PresentedKeyDep) -> str:
    """The name of the client whose key came (X-API-Key or Bearer); 401 for a missing or
    wrong key."""
    name = client_name(settings, key)
    if name is None:
        raise MissingApiKey()
    return name


def optional_api_key(settings: SettingsDep, key: PresentedKeyDep) -> str | None:
    """The client's name when a valid key came, else None (routes open to anyone)."""
    return client_name(settings, key)


ApiKeyDep = Annotated[str, Depends(require_api_key)]
OptionalApiKeyDep = Annotated[str | None, Depends(optional_api_key)]
