"""The application factory: routers, error handlers, OpenAPI metadata and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.api.errors import HANDLERS
from app.api.routes import clusters, names, pairs, system
from app.core.matcher import Matcher
from app.settings import Settings, get_settings

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Canonym recognises the many spellings of one entity's name: transliterations
(`Gaddafi`, `Qaddafi`, `Kadhafi`), other scripts (`القذافي`, `Зеленский`), titles and
`"Last, First"` forms. It **normalizes** names, **compares** pairs with a calibrated
probability and named, explained evidence, and **clusters** batches of names into entities
with a canonical spelling. Every error has the shape `{"error": {"code", "message"}}`.
"""

TAGS = [
    {"name": "Names", "description": "Normalize names: clean, romanize and key each token."},
    {"name": "Pairs", "description": "Compare two names: calibrated probability and evidence."},
    {"name": "Clusters", "description": "Group a batch of names into entities."},
    {"name": "System", "description": "Liveness and readiness probes."},
]


def _operation_id(route: APIRoute) -> str:
    """Operation ids in ``tag-name`` style: ``names-normalize``, ``system-healthz``."""
    tag = str(route.tags[0]).lower() if route.tags else "default"
    return f"{tag}-{route.name.replace('_', '-')}"


def _warm_matcher() -> Matcher:
    # Loading the model and running one comparison fills the core's caches before traffic.
    matcher = Matcher()
    matcher.normalize("Muammar al-Gaddafi")
    matcher.compare("Gaddafi", "القذافي", explain=True)
    return matcher


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    logging.getLogger("app").setLevel(app.state.settings.log_level.upper())
    app.state.matcher = await run_in_threadpool(_warm_matcher)
    logger.info("matcher loaded (threshold %.3f)", app.state.matcher.threshold)
    try:
        yield
    finally:
        app.state.matcher = None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Canonym HTTP application.

    Args:
        settings: the settings to serve with; ``get_settings()`` (the environment) when omitted.

    Returns:
        The FastAPI application; its lifespan loads and warms the matcher.
    """
    app = FastAPI(
        title="Canonym",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan,
        exception_handlers=HANDLERS,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings or get_settings()
    app.state.matcher = None
    for module in (names, pairs, clusters, system):
        app.include_router(module.router)
    return app
