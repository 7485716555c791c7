"""The application factory: routers, error handlers, OpenAPI metadata and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.api.errors import HANDLERS
from app.api.middleware import add_middleware
from app.api.registry import Registry
from app.api.routes import clusters, names, pairs, registry, resolve, system
from app.core.matcher import Matcher
from app.settings import Settings, get_settings
from app.store.seeds import load_seeds
from app.store.sql import SqlStore

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

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


def _open_registry(settings: Settings, matcher: Matcher) -> Registry:
    # Opening runs the migrations; the seeds are loaded once per seed file (idempotent).
    store = SqlStore(settings.store_url)
    try:
        if settings.load_seeds:
            load_seeds(store, Path(settings.seed_file) if settings.seed_file else None)
        return Registry.open(store, matcher)
    except BaseException:
        store.close()
        raise


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logging.getLogger("app").setLevel(settings.log_level.upper())
    matcher = await run_in_threadpool(_warm_matcher)
    logger.info("matcher loaded (threshold %.3f)", matcher.threshold)
    app.state.matcher = matcher
    app.state.registry = await run_in_threadpool(_open_registry, settings, matcher)
    try:
        yield
    finally:
        app.state.registry.store.close()
        app.state.registry = None
        app.state.matcher = None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Canonym HTTP application.

    Args:
        settings: the settings to serve with; ``get_settings()`` (the environment) when omitted.

    Returns:
        The FastAPI application; its lifespan loads and warms the matcher, opens the registry
        (loading the seeds once) and builds its candidate index.
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
    add_middleware(app, app.state.settings)
    app.state.matcher = None
    app.state.registry = None
    for router in (
        names.router,
        pairs.router,
        clusters.router,
        resolve.router,
        registry.router,
        resolve.judgements_router,
        system.router,
    ):
        app.include_router(router)
    return app
