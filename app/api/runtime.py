"""What the application's lifespan starts and stops: the matcher, the registry and its poller.

Start-up has two parts. Opening the store (migrations, seeds) runs first and fails the start
when the database is wrong or unreachable: the server then exits instead of serving errors.
Loading the matcher and building the registry's index can take a minute at a million aliases;
a served process (``start(background=True)``) does it in a thread after the server listens, so
``/healthz`` answers at once and ``/readyz`` answers 503 until the index is built. A failed
build is logged and tried again every ``RETRY_SECONDS``. Tests and embedding callers use
``background=False``: the lifespan returns once everything is loaded.

Once the index is built, a ``ChangePoller`` applies other processes' writes every
``sync_interval_seconds``. ``stop`` ends the poller, then closes the store.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from app.api.metrics import ServiceFigures
from app.api.registry import Registry
from app.api.sync import ChangePoller
from app.core.matcher import Matcher
from app.core.memory import long_lived
from app.settings import Settings
from app.store.seeds import load_seeds
from app.store.sql import SqlStore

__all__ = ["RETRY_SECONDS", "Runtime", "open_store", "warm_matcher"]

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


def warm_matcher() -> Matcher:
    """A matcher whose model and caches are loaded."""
    # Loading the model and running one comparison fills the core's caches before traffic.
    matcher = Matcher()
    matcher.normalize("Muammar al-Gaddafi")
    matcher.compare("Gaddafi", "القذافي", explain=True)
    return matcher


def open_store(settings: Settings) -> SqlStore:
    """The registry's store, migrated to the latest schema, with the seeds loaded once per
    seed file (idempotent) when ``settings.load_seeds``."""
    store = SqlStore(settings.store_url)
    try:
        if settings.load_seeds:
            load_seeds(store, Path(settings.seed_file) if settings.seed_file else None)
    except BaseException:
        store.close()
        raise
    return store


class Runtime:
    """The loaded state of one service process (see the module docstring).

    Attributes:
        matcher: the warmed matcher, ``None`` until loaded.
        registry: the registry with its index, ``None`` until built.
    """

    def __init__(self, settings: Settings) -> None:
        """Args:
        settings: the settings the service runs with.
        """
        self.settings = settings
        self.matcher: Matcher | None = None
        self.registry: Registry | None = None
        self.poller: ChangePoller | None = None
        self._store: SqlStore | None = None
        self._stopping = threading.Event()
        self._loader: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        """Whether the matcher is loaded and the registry's index built."""
        return self.matcher is not None and self.registry is not None

    def start(self, background: bool) -> None:
        """Open the store, then load the matcher and build the index, in a thread of their
        own when ``background``."""
        self._stopping.clear()
        store = self._store = open_store(self.settings)
        if not background:
            self._load(store, retry=False)
            return
        self._loader = threading.Thread(
            target=self._load, args=(store, True), name="canonym-load", daemon=True
        )
        self._loader.start()

    def _load(self, store: SqlStore, retry: bool) -> None:
        matcher = warm_matcher()
        logger.info("matcher loaded (threshold %.3f)", matcher.threshold)
        self.matcher = matcher
        while not self._stopping.is_set():
            try:
                # The index lives as long as the process: built without the cyclic garbage
                # collector, then frozen out of its reach (see ``long_lived``).
                with long_lived():
                    registry = Registry.open(store, matcher)
            except Exception:
                if not retry:
                    raise
                logger.exception("building the registry index failed; retrying")
                self._stopping.wait(RETRY_SECONDS)
                continue
            self.poller = ChangePoller(registry.sync, self.settings.sync_interval_seconds)
            self.poller.start()
            self.registry = registry
            return

    def stop(self) -> None:
        """Stop the poller and close the store (a build still running is abandoned)."""
        self._stopping.set()
        if self.poller is not None:
            self.poller.stop()
        if self._loader is not None:
            self._loader.join(timeout=1.0)
        if self._store is not None:
            self._store.close()
        self.registry = None
        self.matcher = None

    def figures(self) -> ServiceFigures:
        """The registry's state for the metrics."""
        registry, poller = self.registry, self.poller
        if registry is None:
            return ServiceFigures(ready=False)
        stats = registry.index.stats()
        return ServiceFigures(
            ready=self.ready,
            index_entities=stats.entities,
            index_aliases=stats.aliases,
            registry_version=registry.version,
            sync_failures=poller.failures if poller is not None else 0,
            last_sync_timestamp_seconds=poller.last_success if poller is not None else None,
        )
