"""Dependencies of the HTTP routes, as ``Annotated`` aliases.

They read from ``app.state``, filled by ``create_app`` (settings, metrics) and its lifespan
(the runtime's matcher and registry); tests override them with
``app.dependency_overrides[get_app_settings]`` or by passing their own ``Settings`` to
``create_app``.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.metrics import Metrics
from app.api.registry import Registry
from app.api.runtime import Runtime
from app.core.matcher import Matcher
from app.errors import ForbiddenError, UnauthorizedError
from app.settings import Settings

__all__ = [
    "MatcherDep",
    "MetricsDep",
    "RegistryDep",
    "RuntimeDep",
    "SettingsDep",
    "WriteAccess",
    "get_app_settings",
    "get_matcher",
    "get_metrics",
    "get_registry",
    "get_runtime",
    "require_api_key",
]

# auto_error=False: a missing key is answered by require_api_key in the service's error shape.
_API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key of CANONYM_API_KEYS."
)
_BEARER = HTTPBearer(auto_error=False, description="An API key of CANONYM_API_KEYS.")


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_runtime(request: Request) -> Runtime:
    """The runtime of the application (loaded or not)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_metrics(request: Request) -> Metrics:
    """The metrics of the application."""
    metrics: Metrics = request.app.state.metrics
    return metrics


def get_matcher(request: Request) -> Matcher:
    """The matcher loaded by the lifespan; 503 while it is not loaded yet."""
    matcher = get_runtime(request).matcher
    if matcher is None:
        raise HTTPException(status_code=503, detail="the matcher is not loaded yet")
    return matcher


def get_registry(request: Request) -> Registry:
    """The registry opened by the lifespan; 503 while its index is not built yet."""
    registry = get_runtime(request).registry
    if registry is None:
        raise HTTPException(status_code=503, detail="the registry is not loaded yet")
    return registry


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def require_api_key(
    settings: SettingsDep,
    api_key: Annotated[str | None, Security(_API_KEY_HEADER)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
) -> None:
    """Let a write through when no keys are configured or it carries one of them.

    The key comes in ``X-API-Key`` or as ``Authorization: Bearer <key>``. Keys are compared with
    ``hmac.compare_digest`` (constant time) and against every configured key, so the answer
    time does not tell how much of a key was right or which key it was close to.
    """
    keys = settings.api_key_list
    if not keys:
        return
    given = api_key or (bearer.credentials if bearer is not None else None)
    if not given:
        msg = (
            "this route changes the registry and needs an API key "
            "(X-API-Key header or Authorization: Bearer)"
        )
        raise UnauthorizedError(msg)
    given_bytes = given.encode("utf-8", "replace")
    matches = [hmac.compare_digest(given_bytes, k.encode("utf-8")) for k in keys]
    if not any(matches):
        msg = "the API key is not valid"
        raise ForbiddenError(msg)


# For the ``dependencies=`` of every mutating route.
WriteAccess = Depends(require_api_key)
