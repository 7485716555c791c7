"""Dependencies of the HTTP routes, as ``Annotated`` aliases.

Both read from ``app.state``, filled by ``create_app`` (settings) and its lifespan (matcher);
tests override them with ``app.dependency_overrides[get_app_settings]`` or by passing their own
``Settings`` to ``create_app``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.core.matcher import Matcher
from app.settings import Settings

__all__ = ["MatcherDep", "SettingsDep", "get_app_settings", "get_matcher"]


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_matcher(request: Request) -> Matcher:
    """The matcher loaded by the lifespan; 503 while it is not loaded yet."""
    matcher: Matcher | None = getattr(request.app.state, "matcher", None)
    if matcher is None:
        raise HTTPException(status_code=503, detail="the matcher is not loaded yet")
    return matcher


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
