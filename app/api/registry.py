"""The registry as the HTTP service uses it: the store, its candidate index and the matcher.

Every write goes to the store first (one transaction); once it is committed the index catches
up with it, so the index stays a pure function of the tables. Writes are serialised by a lock:
the index takes new aliases by increasing id (``iter_aliases(after_id)``), which is only safe
when no two writes interleave. Reads (resolve) run concurrently with each other.

The index lives in the process: with several workers, each one sees the registry as it was at
its start plus its own writes (run one worker, or restart the others, after bulk changes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.core.index import CandidateIndex, Resolution
from app.core.matcher import Matcher
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


def build_index(store: RegistryStore, index: CandidateIndex | None = None) -> CandidateIndex:
    """An index of every entity, alias and rejection of the store."""
    index = index or CandidateIndex()
    for entity_id, canonical, kind in store.iter_entities():
        index.set_entity(entity_id, canonical, kind)
    index.add_aliases(store.iter_aliases())
    for name, entity_id in store.iter_rejections():
        index.reject(name, entity_id)
    return index


@dataclass(slots=True)
class Registry:
    """Store, index and matcher, kept consistent (see the module docstring)."""

    store: RegistryStore
    index: CandidateIndex
    matcher: Matcher
    _write: threading.Lock

    @classmethod
    def open(cls, store: RegistryStore, matcher: Matcher) -> Registry:
        """Build the index of ``store`` and wrap both."""
        start = time.perf_counter()
        index = build_index(store)
        stats = index.stats()
        logger.info(
            "registry index: %d entities, %d aliases, %d keys (%d too common) in %.1f s",
            stats.entities,
            stats.aliases,
            stats.keys,
            stats.common_keys,
            time.perf_counter() - start,
        )
        return cls(store, index, matcher, threading.Lock())

    def resolve(
        self,
        names: Iterable[str],
        top_k: int,
        explain: bool,
        accept: Callable[[str], bool] | None = None,
    ) -> list[Resolution]:
        """Resolve each name against the registry (see ``Matcher.resolve``); ``accept`` keeps
        only the entities it accepts (by id) as candidates."""
        return [self.matcher.resolve(n, self.index, top_k, explain, accept) for n in names]

    def find_entity(self, entity_id: str) -> Entity | None:
        """The stored entity with this id, or ``None`` when there is none (deleted meanwhile)."""
        try:
            return self.store.get_entity(entity_id)
        except EntityNotFoundError:
            return None

    def _catch_up(self, entity: Entity | None = None) -> None:
        if entity is not None:
            self.index.set_entity(entity.id, entity.canonical, entity.kind)
        self.index.add_aliases(self.store.iter_aliases(self.index.max_alias_id))

    def create_entity(self, draft: EntityDraft) -> Entity:
        """Store a new entity and index its aliases."""
        with self._write:
            entity = self.store.create_entity(draft)
            self._catch_up(entity)
            return entity

    def update_entity(self, entity_id: str, patch: EntityPatch) -> Entity:
        """Change an entity; a new canonical name becomes an alias."""
        with self._write:
            entity = self.store.update_entity(entity_id, patch)
            self._catch_up(entity)
            return entity

    def delete_entity(self, entity_id: str) -> Entity:
        """Delete an entity with its aliases and judgements."""
        with self._write:
            entity = self.store.delete_entity(entity_id)
            self.index.remove_entity(entity_id)
            return entity

    def add_alias(self, entity_id: str, draft: AliasDraft) -> Alias:
        """Add an alias and index it."""
        with self._write:
            alias = self.store.add_alias(entity_id, draft)
            self._catch_up()
            return alias

    def delete_alias(self, entity_id: str, alias_id: int) -> Alias:
        """Delete an alias and stop proposing it."""
        with self._write:
            alias = self.store.delete_alias(entity_id, alias_id)
            self.index.remove_alias(alias_id)
            return alias

    def add_judgement(self, draft: JudgementDraft) -> Judgement:
        """Record a verdict: a confirmation becomes an alias (and lifts an earlier rejection),
        a rejection keeps the entity from being proposed for the name again."""
        with self._write:
            judgement = self.store.add_judgement(draft)
            if judgement.verdict == "rejected":
                self.index.reject(judgement.name, judgement.entity_id)
            else:
                self.index.unreject(judgement.name, judgement.entity_id)
                self._catch_up()
            return judgement

    def import_entities(
        self, drafts: Iterable[EntityDraft], on_conflict: OnConflict
    ) -> ImportSummary:
        """Store many entities in one transaction, then index them."""
        with self._write:
            summary = self.store.import_entities(drafts, on_conflict)
            if summary.created or summary.aliases_added:
                for entity_id, canonical, kind in self.store.iter_entities():
                    if self.index.entity(entity_id) is None:
                        self.index.set_entity(entity_id, canonical, kind)
                self._catch_up()
            return summary
