"""Bulk operations of ``SqlStore``: streaming reads for the index, import and export.

A mixin, so that ``sql.py`` keeps the per-record operations; it relies only on ``engine``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from app.errors import ConflictError
from app.store.base import (
    Alias,
    AliasDraft,
    Change,
    EntityDraft,
    ImportSummary,
    OnConflict,
    PastJudgement,
)
from app.store.changes import claim_seq, open_snapshot, record_change
from app.store.rows import (
    CHUNK,
    ENTITY_ID,
    alias_drafts,
    alias_record,
    alias_row,
    as_utc,
    entity_row,
    judgement_row,
    name_digest,
    utc_now,
)
from app.store.schema import aliases, entities, judgements

__all__ = ["BulkOperations"]


class BulkOperations:
    """Insert helpers and the bulk operations of the registry store."""

    engine: Engine

    def _insert(self, table: sa.Table) -> Any:
        """A dialect-aware INSERT that can skip rows clashing with a unique constraint."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _insert_aliases(self, conn: Connection, rows: list[dict[str, Any]]) -> int:
        """Insert the aliases an entity lacks; returns how many were added."""
        if not rows:
            return 0
        # Drivers disagree on the rowcount of executemany (psycopg reports -1): count instead.
        count = sa.select(sa.func.count()).select_from(aliases)
        before = int(conn.execute(count).scalar_one())
        stmt = self._insert(aliases).on_conflict_do_nothing(
            index_elements=["entity_id", "name_digest"]
        )
        for start in range(0, len(rows), CHUNK):
            conn.execute(stmt, rows[start : start + CHUNK])
        return int(conn.execute(count).scalar_one()) - before

    def _insert_judgements(
        self, conn: Connection, rows: list[dict[str, Any]], merged: set[str]
    ) -> int | None:
        """Insert the judgements an entity lacks (an import of the same export twice adds
        none; only the ``merged`` entities, which existed before, can hold some already); a
        confirmation is linked to its alias. Returns the id from which the new ones are
        numbered, or ``None`` when none was added."""
        fresh = [r for r in rows if r["entity_id"] not in merged or not self._judged(conn, r)]
        if not fresh:
            return None
        for row in fresh:
            if row["verdict"] == "confirmed":
                alias = self._find_alias(conn, row["entity_id"], row["name"])
                if alias is None:  # pragma: no cover - the import added the alias
                    msg = f"confirmed name {row['name'][:80]!r} has no alias"
                    raise ConflictError(msg)
                row["alias_id"] = alias.id
        # Writers are serialised (``claim_seq``), so the new ids all lie above today's highest.
        highest = conn.execute(sa.select(sa.func.max(judgements.c.id))).scalar_one()
        for start in range(0, len(fresh), CHUNK):
            conn.execute(judgements.insert(), fresh[start : start + CHUNK])
        return int(highest or 0) + 1

    def _judged(self, conn: Connection, row: dict[str, Any]) -> bool:
        """True when the entity holds this very judgement (same name, verdict, author, time)."""
        cols = judgements.c
        stmt = sa.select(cols.created_at).where(
            cols.entity_id == row["entity_id"],
            cols.name == row["name"],
            cols.verdict == row["verdict"],
            cols.author == row["author"],
        )
        return any(as_utc(at) == row["created_at"] for (at,) in conn.execute(stmt))

    def _find_alias(self, conn: Connection, entity_id: str, name: str) -> Alias | None:
        stmt = sa.select(aliases).where(
            aliases.c.entity_id == entity_id, aliases.c.name_digest == name_digest(name)
        )
        row = conn.execute(stmt).first()
        return None if row is None else alias_record(row)

    def _exists(self, conn: Connection, entity_id: str) -> bool:
        if not ENTITY_ID.fullmatch(entity_id):
            return False
        stmt = sa.select(entities.c.id).where(entities.c.id == entity_id)
        return conn.execute(stmt).first() is not None

    def iter_entities(self) -> Iterator[tuple[str, str, str]]:
        """(id, canonical name, kind) of every entity, streamed."""
        with open_snapshot(self.engine) as snap:
            yield from snap.entities()

    def iter_aliases(self, after_id: int = 0) -> Iterator[tuple[int, str, str]]:
        """(alias id, entity id, name) of every alias with an id above ``after_id``, in id
        order, streamed."""
        with open_snapshot(self.engine) as snap:
            yield from snap.aliases(after_id)

    def import_entities(
        self, drafts: Iterable[EntityDraft], on_conflict: OnConflict = "error"
    ) -> ImportSummary:
        """Store many entities in one transaction.

        An id that exists already is an error (``ConflictError``, nothing stored) with
        ``on_conflict="error"``, left as it is with ``"skip"``, and gets the aliases it lacks
        with ``"merge"``.
        """
        now = utc_now()
        created, merged, skipped = 0, 0, 0
        ids: list[str] = []
        entity_rows: list[dict[str, Any]] = []
        alias_rows: list[dict[str, Any]] = []
        verdict_rows: list[dict[str, Any]] = []
        merged_ids: set[str] = set()
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            seen: set[str] = set()
            for n, draft in enumerate(drafts):
                row = entity_row(draft, now)
                if row["id"] in seen:
                    msg = f"entities[{n}]: id {row['id']!r} appears twice in the import"
                    raise ConflictError(msg)
                seen.add(row["id"])
                if draft.id is not None and self._exists(conn, row["id"]):
                    if on_conflict == "error":
                        msg = f"entities[{n}]: an entity with id {row['id']!r} exists already"
                        raise ConflictError(msg)
                    if on_conflict == "skip":
                        skipped += 1
                        continue
                    merged += 1
                    merged_ids.add(row["id"])
                else:
                    entity_rows.append(row)
                    created += 1
                ids.append(row["id"])
                for i, alias in enumerate(alias_drafts(draft)):
                    where = f"entities[{n}].aliases[{i}].name"
                    alias_rows.append(alias_row(row["id"], alias, now, where))
                for i, past in enumerate(draft.judgements):
                    verdict = judgement_row(row["id"], past, now, f"entities[{n}].judgements[{i}].")
                    verdict_rows.append(verdict)
                    if past.verdict == "confirmed":
                        # A confirmed name is an alias, as ``add_judgement`` makes it.
                        alias = AliasDraft(verdict["name"], "judgement")
                        where = f"entities[{n}].judgements[{i}].name"
                        alias_rows.append(alias_row(row["id"], alias, now, where))
                if len(entity_rows) >= CHUNK:
                    conn.execute(entities.insert(), entity_rows)
                    entity_rows = []
            if entity_rows:
                conn.execute(entities.insert(), entity_rows)
            added = self._insert_aliases(conn, alias_rows)
            first = self._insert_judgements(conn, verdict_rows, merged_ids)
            record_change(conn, Change(seq, "import", None, first))
        return ImportSummary(created, merged, skipped, added, tuple(ids))

    def export_entities(self) -> Iterator[EntityDraft]:
        """Every entity with its aliases, ordered by id (the input of ``import_entities``)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(entities).order_by(entities.c.id)).all()
            stmt = sa.select(aliases).order_by(aliases.c.entity_id, aliases.c.id)
            stream = iter(conn.execution_options(yield_per=10_000).execute(stmt))
            pending = next(stream, None)
            verdicts = sa.select(judgements).order_by(judgements.c.entity_id, judgements.c.id)
            verdict_stream = iter(conn.execution_options(yield_per=10_000).execute(verdicts))
            verdict = next(verdict_stream, None)
            for row in rows:
                own: list[AliasDraft] = []
                # The queries sort by entity id under the same collation and every alias and
                # judgement has its entity, so an entity's are the next run of each stream.
                while pending is not None and pending.entity_id == row.id:
                    own.append(AliasDraft(pending.name, pending.source, pending.script))
                    pending = next(stream, None)
                past: list[PastJudgement] = []
                while verdict is not None and verdict.entity_id == row.id:
                    at = as_utc(verdict.created_at)
                    past.append(PastJudgement(verdict.name, verdict.verdict, verdict.author, at))
                    verdict = next(verdict_stream, None)
                yield EntityDraft(
                    canonical=row.canonical,
                    kind=row.kind,
                    id=row.id,
                    country=row.country,
                    wikidata_id=row.wikidata_id,
                    attributes=dict(row.attributes or {}),
                    aliases=tuple(own),
                    judgements=tuple(past),
                )
