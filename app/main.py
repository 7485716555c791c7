"""The ASGI application for uvicorn: ``uvicorn app.main:app``."""

from __future__ import annotations

from app.api.app import create_app

__all__ = ["app"]

app = create_app()
