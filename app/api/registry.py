"""The registry as the HTTP service uses it: the store, its candidate index and the matcher.

Every write goes to the store first (one transaction, which also appends the write to the
change log); once it is committed the index catches up with the log (``sync``), so the index
stays a pure function of the tables. The same catch-up, run every few seconds by the service
(``app.api.sync.ChangePoller``), brings in the writes of other processes: several workers or
replicas on one database answer alike within the poll interval. Reads (resolve) run
concurrently with each other and with a catch-up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.api.sync import apply_changes, index_snapshot
from app.api.turns import CORE
from app.core.index import CandidateIndex, Resolution
from app.core.matcher import Matcher
from app.core.memory import long_lived
from app.errors import EntityNotFoundError
from app.store.base import (
    Alias,
    AliasDraft,
    Entity,
    EntityDraft,
    EntityPatch,
    ImportSummary,
    Judgement,
    JudgementDraft,
    OnConflict,
    RegistryStore,
)

__all__ = ["Registry", "build_index"]

logger = logging.getLogger(__name__)


def build_index(store: RegistryStore) -> CandidateIndex:
    """An index of every entity, alias and rejection of the store (one consistent snapshot)."""
    with store.snapshot() as snapshot:
        return index_snapshot(snapshot)[0]


@dataclass(slots=True)
class Registry:
    """Store, index and matcher, kept consistent (see the module docstring).

    Attributes:
        version: the number of the last change of the store's log the index reflects.
    """

    store: RegistryStore
    index: CandidateIndex
    matcher: Matcher
    version: int
    _sync: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, store: RegistryStore, matcher: Matcher) -> Registry:
        """Build the index of ``store`` and wrap both."""
        start = time.perf_counter()
        with store.snapshot() as snapshot:
            index, version = index_snapshot(snapshot)
        stats = index.stats()
        logger.info(
            "registry index at version %d: %d entities, %d aliases, %d keys (%d too common) "
            "in %.1f s",
            version,
            stats.entities,
            stats.aliases,
            stats.keys,
            stats.common_keys,
            time.perf_counter() - start,
        )
        return cls(store, index, matcher, version)

    def sync(self) -> int:
        """Apply the changes committed since ``version`` to the index; returns how many (after
        a rebuild: the version rebuilt at).

        When the log no longer holds all of them (pruned after a long outage), or the store
        went back in time (restored from a backup), the index is rebuilt and swapped in.
        """
        with self._sync, self.store.snapshot() as snapshot:
            head = snapshot.version()
            if head == self.version:
                return 0
            changes = snapshot.changes_after(self.version)
            if head < self.version or len(changes) != head - self.version:
                logger.warning(
                    "registry changes %d..%d are not in the log; rebuilding the index",
                    self.version + 1,
                    head,
                )
                with long_lived():
                    self.index, self.version = index_snapshot(snapshot)
                return head
            apply_changes(self.index, snapshot, changes)
            self.version = head
            return len(changes)

    def resolve(
        self,
        names: Iterable[str],
        top_k: int,
        explain: bool,
        accept: Callable[[str], bool] | None = None,
    ) -> list[Resolution]:
        """Resolve each name against the registry (see ``Matcher.resolve``); ``accept`` keeps
        only the entities it accepts (by id) as candidates."""
        with CORE:  # one request at a time in the core (app.api.turns)
            return [self.matcher.resolve(n, self.index, top_k, explain, accept) for n in names]

    def find_entity(self, entity_id: str) -> Entity | None:
        """The stored entity with this id, or ``None`` when there is none (deleted meanwhile)."""
        try:
            return self.store.get_entity(entity_id)
        except EntityNotFoundError:
            return None

    def create_entity(self, draft: EntityDraft) -> Entity:
        """Store a new entity and index its aliases."""
        entity = self.store.create_entity(draft)
        self.sync()
        return entity

    def update_entity(self, entity_id: str, patch: EntityPatch) -> Entity:
        """Change an entity; a new canonical name becomes an alias."""
        entity = self.store.update_entity(entity_id, patch)
        self.sync()
        return entity

    def delete_entity(self, entity_id: str) -> Entity:
        """Delete an entity with its aliases and judgements."""
        entity = self.store.delete_entity(entity_id)
        self.sync()
        return entity

    def add_alias(self, entity_id: str, draft: AliasDraft) -> Alias:
        """Add an alias and index it."""
        alias = self.store.add_alias(entity_id, draft)
        self.sync()
        return alias

    def delete_alias(self, entity_id: str, alias_id: int) -> Alias:
        """Delete an alias and stop proposing it."""
        alias = self.store.delete_alias(entity_id, alias_id)
        self.sync()
        return alias

    def add_judgement(self, draft: JudgementDraft) -> Judgement:
        """Record a verdict: a confirmation becomes an alias (and lifts an earlier rejection),
        a rejection keeps the entity from being proposed for the name again."""
        judgement = self.store.add_judgement(draft)
        self.sync()
        return judgement

    def import_entities(
        self, drafts: Iterable[EntityDraft], on_conflict: OnConflict
    ) -> ImportSummary:
        """Store many entities in one transaction, then index them."""
        summary = self.store.import_entities(drafts, on_conflict)
        self.sync()
        return summary
