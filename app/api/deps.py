"""Dependencies of the HTTP routes, as ``Annotated`` aliases.

They read from ``app.state``, filled by ``create_app`` (settings, metrics) and its lifespan
(the runtime's matcher and registry); tests override them with
``app.dependency_overrides[get_app_settings]`` or by passing their own ``Settings`` to
``create_app``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.metrics import Metrics
from app.api.registry import Registry
from app.api.runtime import Runtime
from app.core.matcher import Matcher
from app.errors import ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError
from app.settings import Settings

__all__ = [
    "JsonBody",
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
    "is_json",
    "media_type",
    "require_api_key",
    "require_json_body",
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
    # Equal-length digests: compare_digest then takes the same time whatever the key's length.
    given_digest = _digest(given)
    matches = [hmac.compare_digest(given_digest, _digest(k)) for k in keys]
    if not any(matches):
        msg = "the API key is not valid"
        raise ForbiddenError(msg)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


# For the ``dependencies=`` of every mutating route.
WriteAccess = Depends(require_api_key)


def media_type(content_type: str | None) -> str:
    """The media type of a ``content-type`` header, lower-cased, without its parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(content_type: str | None) -> bool:
    """True for ``application/json`` and ``application/<anything>+json``."""
    kind = media_type(content_type)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def require_json_body(request: Request) -> None:
    """Refuse a body sent as anything but JSON with **415** ``unsupported_media_type``.

    Without this, a form or a text body would reach validation as a string and be answered
    with a confusing "body should be an object".
    """
    content_type = request.headers.get("content-type")
    if not is_json(content_type):
        got = f"got {media_type(content_type)!r}" if content_type else "no content-type header"
        msg = f"the request body must be JSON sent with content-type: application/json ({got})"
        raise UnsupportedMediaTypeError(msg)


# For the ``dependencies=`` of every route whose body is a JSON object.
JsonBody = Depends(require_json_body)
