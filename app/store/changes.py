"""The registry's change log, and consistent snapshots to read it with.

Every write transaction starts with ``claim_seq``: it increments the one row of
``registry_version`` and so holds that row's lock until it commits. Writers therefore commit one
after the other, in the order of their numbers, and the numbers have no gaps (a transaction
that rolls back gives its number back). A reader that has applied every change up to ``n`` and
sees ``registry_version`` at ``m`` knows that exactly the changes ``n + 1 .. m`` are new; when
fewer are left in the table, the old ones were pruned and it starts over from a full read.

Serialising writers costs little here: the registry is written rarely and read often. It also
means that alias ids, given out inside the serialised section, increase in commit order.

A snapshot reads in one transaction that sees a single moment of the database: REPEATABLE
READ on PostgreSQL, an explicit ``BEGIN`` on SQLite (whose driver would otherwise give every
SELECT a snapshot of its own).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.store.base import CHANGE_KINDS, Change
from app.store.rows import utc_now
from app.store.schema import aliases, changes, entities, judgements, registry_version

__all__ = ["KEEP_CHANGES", "SqlSnapshot", "claim_seq", "open_snapshot", "record_change"]

# Changes kept in the table. A process that falls further behind than this (it lost its
# database for a long time) rebuilds its index from the tables instead.
KEEP_CHANGES = 100_000
# Pruning runs in one write out of this many.
_PRUNE_EVERY = 1_000
# Above this many ids, reading every entity is cheaper than asking for each one.
_MAX_LISTED_IDS = 5_000
_IN_CHUNK = 500


def claim_seq(conn: Connection) -> int:
    """Take the next change number; the first statement of every write transaction."""
    row = registry_version.c
    conn.execute(registry_version.update().where(row.id == 1).values(seq=row.seq + 1))
    return int(conn.execute(sa.select(row.seq).where(row.id == 1)).scalar_one())


def record_change(conn: Connection, change: Change) -> None:
    """Append ``change`` (numbered by ``claim_seq`` in this transaction) to the log."""
    if change.kind not in CHANGE_KINDS:
        msg = f"unknown change kind {change.kind!r}"
        raise ValueError(msg)
    conn.execute(
        changes.insert(),
        {
            "seq": change.seq,
            "kind": change.kind,
            "entity_id": change.entity_id,
            "ref_id": change.ref_id,
            "created_at": utc_now(),
        },
    )
    if change.seq % _PRUNE_EVERY == 0 and change.seq > KEEP_CHANGES:
        conn.execute(changes.delete().where(changes.c.seq <= change.seq - KEEP_CHANGES))


@contextmanager
def open_snapshot(engine: Engine) -> Iterator[SqlSnapshot]:
    """A read-only view of one moment of the registry (see the module docstring)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")
        try:
            yield SqlSnapshot(conn)
        finally:
            conn.rollback()


def _chunks(ids: Collection[str] | Collection[int]) -> Iterator[list[object]]:
    items = sorted(ids)
    for start in range(0, len(items), _IN_CHUNK):
        yield list(items[start : start + _IN_CHUNK])


class SqlSnapshot:
    """The reads of ``RegistrySnapshot`` on one connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def version(self) -> int:
        """The number of the last change committed in this snapshot."""
        stmt = sa.select(registry_version.c.seq).where(registry_version.c.id == 1)
        return int(self._conn.execute(stmt).scalar_one())

    def changes_after(self, seq: int) -> list[Change]:
        """The changes numbered above ``seq`` that the log still holds, in order."""
        stmt = sa.select(changes).where(changes.c.seq > seq).order_by(changes.c.seq)
        return [
            Change(int(r.seq), r.kind, r.entity_id, None if r.ref_id is None else int(r.ref_id))
            for r in self._conn.execute(stmt)
        ]

    def entities(self, ids: Collection[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(id, canonical name, kind) of the given entities that exist, or of every entity."""
        stmt = sa.select(entities.c.id, entities.c.canonical, entities.c.kind)
        if ids is None or len(ids) > _MAX_LISTED_IDS:
            wanted = None if ids is None else set(ids)
            rows = self._conn.execution_options(yield_per=10_000).execute(stmt)
            for i, c, k in rows:
                if wanted is None or i in wanted:
                    yield str(i), str(c), str(k)
            return
        for chunk in _chunks(ids):
            for i, c, k in self._conn.execute(stmt.where(entities.c.id.in_(chunk))):
                yield str(i), str(c), str(k)

    def alias_entity_ids(self, after_id: int) -> set[str]:
        """The entities of the aliases with an id above ``after_id``."""
        stmt = sa.select(aliases.c.entity_id).where(aliases.c.id > after_id).distinct()
        return {str(e) for e in self._conn.execute(stmt).scalars()}

    def aliases(self, after_id: int = 0) -> Iterator[tuple[int, str, str]]:
        """(alias id, entity id, name) of the aliases with an id above ``after_id``, in id
        order, streamed."""
        stmt = (
            sa.select(aliases.c.id, aliases.c.entity_id, aliases.c.name)
            .where(aliases.c.id > after_id)
            .order_by(aliases.c.id)
        )
        for alias_id, entity_id, name in self._conn.execution_options(yield_per=10_000).execute(
            stmt
        ):
            yield int(alias_id), str(entity_id), str(name)

    def judgements(self, ids: Collection[int]) -> list[tuple[int, str, str, str]]:
        """(id, name, entity id, verdict) of the given judgements that exist, in id order."""
        cols = judgements.c
        found: list[tuple[int, str, str, str]] = []
        for chunk in _chunks(ids):
            stmt = sa.select(cols.id, cols.name, cols.entity_id, cols.verdict)
            for i, n, e, v in self._conn.execute(stmt.where(cols.id.in_(chunk))):
                found.append((int(i), str(n), str(e), str(v)))
        return sorted(found)

    def judgements_from(self, first_id: int) -> list[tuple[int, str, str, str]]:
        """(id, name, entity id, verdict) of every judgement from ``first_id`` on, in id order
        (those of an import, and any made after it)."""
        cols = judgements.c
        stmt = (
            sa.select(cols.id, cols.name, cols.entity_id, cols.verdict)
            .where(cols.id >= first_id)
            .order_by(cols.id)
        )
        return [(int(i), str(n), str(e), str(v)) for i, n, e, v in self._conn.execute(stmt)]

    def rejections(self) -> Iterator[tuple[str, str]]:
        """(name, entity id) of every link whose latest judgement is a rejection."""
        cols = judgements.c
        latest: dict[tuple[str, str], str] = {}
        stmt = sa.select(cols.name, cols.entity_id, cols.verdict).order_by(cols.id)
        for name, entity_id, verdict in self._conn.execute(stmt):
            latest[(name, entity_id)] = verdict
        yield from (pair for pair, verdict in latest.items() if verdict == "rejected")
