"""The ASGI application for uvicorn: ``uvicorn app.main:app`` (what ``canonym serve`` runs).

The matcher and the registry's index load after the server starts listening: ``/healthz``
answers at once, ``/readyz`` once the index is built.
"""

from __future__ import annotations

from app.api.app import create_app

__all__ = ["app"]

app = create_app(background_start=True)
