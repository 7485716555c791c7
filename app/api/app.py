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
from app.api.guards import add_middleware
from app.api.metrics import Metrics
from app.api.middleware import RequestContextMiddleware
from app.api.routes import (
    clusters,
    names,
    pairs,
    reconcile,
    reconcile_v1,
    registry,
    resolve,
    review,
    system,
)
from app.api.runtime import Runtime
from app.settings import Settings, get_settings

__all__ = ["create_app"]


DESCRIPTION = """\
Canonym recognises the many spellings of one entity's name: transliterations
(`Gaddafi`, `Qaddafi`, `Kadhafi`), other scripts (`القذافي`, `Зеленский`), titles and
`"Last, First"` forms. It **normalizes** names, **compares** pairs with a calibrated
probability and named, explained evidence, and **clusters** batches of names into entities
with a canonical spelling. A persistent **registry** of known entities (seeded with public
figures, armed groups and cities in the news) answers "which known entity is this?" with
stable ids: **resolve** names against it, curate it with **judgements**. Writes need an API key
when `CANONYM_API_KEYS` is set. Every error has the shape `{"error": {"code", "message"}}`.
"""

TAGS = [
    {"name": "Names", "description": "Normalize names: clean, romanize and key each token."},
    {"name": "Pairs", "description": "Compare two names: calibrated probability and evidence."},
    {"name": "Clusters", "description": "Group a batch of names into entities."},
    {"name": "Resolution", "description": "Which known entity of the registry is this name?"},
    {"name": "Entities", "description": "The registry: entities with stable ids and aliases."},
    {"name": "Judgements", "description": "Reviewers confirm or reject name-entity links."},
    {
        "name": "Reconciliation",
        "description": "The W3C Reconciliation Service API over the registry, for OpenRefine "
        "(0.2 at /reconcile, 1.0-draft at /reconcile/v1).",
    },
    {"name": "System", "description": "Liveness and readiness probes, Prometheus metrics."},
]


def _operation_id(route: APIRoute) -> str:
    """Operation ids in ``tag-name`` style: ``names-normalize``, ``system-healthz``."""
    tag = str(route.tags[0]).lower() if route.tags else "default"
    return f"{tag}-{route.name.replace('_', '-')}"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    runtime: Runtime = app.state.runtime
    logging.getLogger("app").setLevel(settings.log_level.upper())
    await run_in_threadpool(runtime.start, app.state.background_start)
    try:
        yield
    finally:
        await run_in_threadpool(runtime.stop)


def create_app(settings: Settings | None = None, *, background_start: bool = False) -> FastAPI:
    """Build the Canonym HTTP application.

    Args:
        settings: the settings to serve with; ``get_settings()`` (the environment) when omitted.
        background_start: load the matcher and build the index after the server starts
            listening, so that ``/healthz`` answers at once and ``/readyz`` answers 503 until
            the index is built (served processes); by default the lifespan waits for both.

    Returns:
        The FastAPI application; its lifespan opens the registry (migrations, seeds loaded
        once), loads and warms the matcher, builds the candidate index and starts polling the
        registry's change log (``app.api.runtime``).
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
    settings = settings or get_settings()
    runtime = Runtime(settings)
    metrics = Metrics(runtime.figures)
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.metrics = metrics
    app.state.background_start = background_start
    # Body size limit and CORS (when origins are configured).
    add_middleware(app, settings)
    # Added last, so outermost: refused bodies and CORS preflights get a request id and are
    # counted too.
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    for router in (
        names.router,
        pairs.router,
        clusters.router,
        resolve.router,
        registry.router,
        resolve.judgements_router,
        reconcile_v1.router,
        reconcile.router,
        review.router,
        system.router,
    ):
        app.include_router(router)
    return app
