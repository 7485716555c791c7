"""Keeping a process's candidate index in step with the registry's change log.

Every process (uvicorn worker, compose replica) holds its own in-memory index. The store numbers
every committed write (``app.store.changes``); a process remembers the number of the last
change its index reflects and, to catch up, reads one consistent snapshot of the store:

1. the changes numbered after its own (if some were pruned already, it rebuilds the index);
2. entities deleted by those changes leave the index;
3. the entities those changes touched, and the owners of every alias with an id above the
   highest one indexed, are (re)read: new ones enter, renamed ones change;
4. aliases with an id above the highest one indexed are added (ids grow in commit order and
   are never reused), deleted ones removed;
5. judgements (made one by one, or brought by an import) are applied in their order: a
   rejection hides the entity for that name, a confirmation lifts it.

Because the snapshot shows the state right after its last change, the index equals the one a
full rebuild at that change would give. A process applies its own writes at once, after each
commit, and the others' every ``sync_interval_seconds`` (``ChangePoller``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from app.core.index import CandidateIndex
from app.store.base import Change, RegistrySnapshot

__all__ = ["ChangePoller", "apply_changes", "index_snapshot"]

logger = logging.getLogger(__name__)


def index_snapshot(snapshot: RegistrySnapshot) -> tuple[CandidateIndex, int]:
    """An index of every entity, alias and rejection of the snapshot, and its version."""
    version = snapshot.version()
    index = CandidateIndex()
    for entity_id, canonical, kind in snapshot.entities():
        index.set_entity(entity_id, canonical, kind)
    index.add_aliases(snapshot.aliases())
    for name, entity_id in snapshot.rejections():
        index.reject(name, entity_id)
    return index, version


def apply_changes(index: CandidateIndex, snapshot: RegistrySnapshot, changes: list[Change]) -> None:
    """Bring ``index`` from the state before ``changes`` to the snapshot's state (which ends
    with the last of them); see the module docstring for the steps."""
    for change in changes:
        if change.kind == "entity_deleted" and change.entity_id is not None:
            index.remove_entity(change.entity_id)
    touched = {c.entity_id for c in changes if c.entity_id is not None}
    touched |= snapshot.alias_entity_ids(index.max_alias_id)
    for entity_id, canonical, kind in snapshot.entities(touched):
        index.set_entity(entity_id, canonical, kind)
    index.add_aliases(snapshot.aliases(index.max_alias_id))
    for change in changes:
        if change.kind == "alias_deleted" and change.ref_id is not None:
            index.remove_alias(change.ref_id)
    judged = [c.ref_id for c in changes if c.kind == "judgement" and c.ref_id is not None]
    found = snapshot.judgements(judged)
    imported = [c.ref_id for c in changes if c.kind == "import" and c.ref_id is not None]
    if imported:
        # An import's judgements are numbered from its ``ref_id`` on; the judgements made after
        # it are read again with them, and every one is applied once, in id order.
        found = sorted(set(found) | set(snapshot.judgements_from(min(imported))))
    for _, name, entity_id, verdict in found:
        if verdict == "rejected":
            index.reject(name, entity_id)
        else:
            index.unreject(name, entity_id)


class ChangePoller:
    """A daemon thread that calls ``sync`` every ``interval_seconds`` until stopped.

    A failing call (the database is unreachable) is logged once per run of failures and
    counted in ``failures``; the next call tries again.
    """

    def __init__(self, sync: Callable[[], int], interval_seconds: float) -> None:
        """Args:
        sync: applies the new changes and returns how many it applied.
        interval_seconds: the pause between two calls.
        """
        self._sync = sync
        self.interval_seconds = interval_seconds
        self.failures = 0
        self.last_success: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="canonym-sync", daemon=True)

    def start(self) -> None:
        """Start polling."""
        self._thread.start()

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """Stop polling; waits for a call in progress up to ``timeout_seconds``."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_seconds)

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.interval_seconds):
            try:
                applied = self._sync()
            except Exception as exc:
                self.failures += 1
                if not failing:
                    logger.warning("registry sync failed, retrying: %s", exc)
                failing = True
                continue
            if failing:
                logger.info("registry sync works again")
            failing = False
            self.last_success = time.time()
            if applied:
                logger.debug("registry sync applied %d changes", applied)
