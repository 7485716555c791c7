"""``SqlStore``: the registry on SQLAlchemy Core, SQLite by default, PostgreSQL by URL.

The schema is created and upgraded by the Alembic migrations in ``migrations/`` when the store
opens. Every public method runs in one transaction (``engine.begin()``), so a write is either
committed in full before it is acknowledged or not at all. Every write takes its change number
first and appends its change to the log (``changes.py``) in the same transaction. SQLite runs
in WAL mode with ``synchronous=FULL``, so an acknowledged write survives a crash of the process
or the machine.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from app.errors import ConflictError, EntityNotFoundError
from app.store.base import (
    Alias,
    AliasDraft,
    AliasQuery,
    Change,
    Entity,
    EntityDraft,
    EntityPatch,
    EntityQuery,
    Judgement,
    JudgementDraft,
    JudgementQuery,
    Page,
    PastJudgement,
    check_kind,
    check_text,
)
from app.store.bulk import BulkOperations
from app.store.changes import SqlSnapshot, claim_seq, open_snapshot, record_change
from app.store.rows import (
    ENTITY_ID,
    alias_drafts,
    alias_record,
    alias_row,
    check_filter,
    check_short,
    entity_record,
    entity_row,
    json_object,
    judgement_record,
    judgement_row,
    name_digest,
    utc_now,
)
from app.store.schema import aliases, entities, judgements, meta

__all__ = ["SqlStore", "migrate", "name_digest"]

_MIGRATIONS = Path(__file__).parent / "migrations"


# Any constant: the key of the PostgreSQL advisory lock that migrations take.
_MIGRATION_LOCK = 0x63616E6F


def migrate(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the latest schema revision.

    Processes that open a new registry together (replicas, workers) would otherwise all find
    it empty and all create its tables: the migration takes a lock first (an advisory lock on
    PostgreSQL, the write lock on SQLite), so the first one migrates and the others, once it
    has committed, find the schema at the latest revision.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


# How long a connection keeps trying to switch a new SQLite file to WAL while another holds it.
_WAL_SWITCH_SECONDS = 30.0


def _sqlite_wal(cursor: Any) -> None:
    """Put the database in WAL mode (persistent in the file, so usually already there).

    SQLite answers "database is locked" at once, without its busy handler, when a connection
    asks for WAL while another one is creating or migrating the same new file (processes that
    open a new registry together), so the switch is retried here until that one has finished.
    """
    deadline = time.monotonic() + _WAL_SWITCH_SECONDS
    delay = 0.01
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    _sqlite_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


_ALIAS_COUNT = (
    sa.select(sa.func.count())
    .where(aliases.c.entity_id == entities.c.id)
    .correlate(entities)
    .scalar_subquery()
)


class SqlStore(BulkOperations):
    """The registry in a SQL database (see the module docstring)."""

    def __init__(self, url: str) -> None:
        """Open (and migrate) the database at ``url``: ``sqlite:///path`` or
        ``postgresql+psycopg://user@host:port/db``."""
        self.url = url
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
        self.engine = engine
        migrate(engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # --- helpers ---------------------------------------------------------------------------

    def _get_entity(self, conn: Connection, entity_id: str) -> Entity:
        if not ENTITY_ID.fullmatch(entity_id):
            msg = f"no entity with id {entity_id[:80]!r}"
            raise EntityNotFoundError(msg)
        stmt = sa.select(entities, _ALIAS_COUNT.label("alias_count")).where(
            entities.c.id == entity_id
        )
        row = conn.execute(stmt).first()
        if row is None:
            msg = f"no entity with id {entity_id[:80]!r}"
            raise EntityNotFoundError(msg)
        return entity_record(row)

    # --- entities --------------------------------------------------------------------------

    def create_entity(self, draft: EntityDraft) -> Entity:
        """Store a new entity with its aliases; ``ConflictError`` when its id is taken."""
        if draft.judgements:
            # Past verdicts come with an export: stored (and announced) as an import of one.
            entity_id = self.import_entities([draft]).ids[0]
            with self.engine.begin() as conn:
                return self._get_entity(conn, entity_id)
        now = utc_now()
        row = entity_row(draft, now)
        alias_rows = [
            alias_row(row["id"], a, now, f"aliases[{i}].name")
            for i, a in enumerate(alias_drafts(draft))
        ]
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            if self._exists(conn, row["id"]):
                msg = f"an entity with id {row['id']!r} exists already"
                raise ConflictError(msg)
            conn.execute(entities.insert(), row)
            self._insert_aliases(conn, alias_rows)
            record_change(conn, Change(seq, "entity", row["id"]))
            return self._get_entity(conn, row["id"])

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this id; ``EntityNotFoundError`` when there is none."""
        with self.engine.begin() as conn:
            return self._get_entity(conn, entity_id)

    def list_entities(self, query: EntityQuery) -> Page[Entity]:
        """A page of entities ordered by canonical name then id, with the total count."""
        where = []
        check_filter(query.country, "country")
        check_filter(query.q, "q")
        if query.kind is not None:
            where.append(entities.c.kind == query.kind)
        if query.country is not None:
            where.append(entities.c.country == query.country)
        if query.q:
            pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(entities.c.canonical.ilike(pattern + "%", escape="\\"))
        stmt = (
            sa.select(entities, _ALIAS_COUNT.label("alias_count"))
            .where(*where)
            .order_by(entities.c.canonical, entities.c.id)
            .offset(query.offset)
            .limit(query.limit)
        )
        count_stmt = sa.select(sa.func.count()).select_from(entities).where(*where)
        with self.engine.begin() as conn:
            data = [entity_record(r) for r in conn.execute(stmt)]
            count = int(conn.execute(count_stmt).scalar_one())
        return Page(data, count)

    def update_entity(self, entity_id: str, patch: EntityPatch) -> Entity:
        """Change the given fields; a new canonical name is added as an alias."""
        values: dict[str, Any] = {}
        if patch.canonical is not None:
            values["canonical"] = check_text(patch.canonical, "canonical")
        if patch.kind is not None:
            values["kind"] = check_kind(patch.kind)
        if patch.country is not None:
            values["country"] = check_short(patch.country, "country", 64)
        if patch.wikidata_id is not None:
            values["wikidata_id"] = check_short(patch.wikidata_id, "wikidata_id", 32)
        if patch.attributes is not None:
            values["attributes"] = json_object(patch.attributes, "attributes")
        now = utc_now()
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            self._get_entity(conn, entity_id)
            values["updated_at"] = now
            conn.execute(entities.update().where(entities.c.id == entity_id).values(**values))
            if patch.canonical is not None:
                draft = AliasDraft(patch.canonical, "canonical")
                self._insert_aliases(conn, [alias_row(entity_id, draft, now, "canonical")])
            record_change(conn, Change(seq, "entity", entity_id))
            return self._get_entity(conn, entity_id)

    def delete_entity(self, entity_id: str) -> Entity:
        """Delete the entity with its aliases and judgements; returns what was deleted."""
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            entity = self._get_entity(conn, entity_id)
            # Explicit deletes: the cascade needs PRAGMA foreign_keys on SQLite connections
            # that another tool may have opened without it.
            conn.execute(judgements.delete().where(judgements.c.entity_id == entity_id))
            conn.execute(aliases.delete().where(aliases.c.entity_id == entity_id))
            conn.execute(entities.delete().where(entities.c.id == entity_id))
            record_change(conn, Change(seq, "entity_deleted", entity_id))
            return entity

    def count_entities(self) -> int:
        """How many entities the registry holds."""
        with self.engine.begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar_one())

    # --- aliases ---------------------------------------------------------------------------

    def add_alias(self, entity_id: str, draft: AliasDraft) -> Alias:
        """Add an alias; ``ConflictError`` when the entity has this name already."""
        row = alias_row(entity_id, draft, utc_now(), "name")
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            self._get_entity(conn, entity_id)
            if self._find_alias(conn, entity_id, row["name"]) is not None:
                msg = f"entity {entity_id!r} has the alias {row['name'][:80]!r} already"
                raise ConflictError(msg)
            alias_id = conn.execute(aliases.insert().returning(aliases.c.id), row).scalar_one()
            conn.execute(
                entities.update().where(entities.c.id == entity_id).values(updated_at=utc_now())
            )
            record_change(conn, Change(seq, "alias", entity_id, int(alias_id)))
            return self._get_alias(conn, entity_id, int(alias_id))

    def _get_alias(self, conn: Connection, entity_id: str, alias_id: int) -> Alias:
        stmt = sa.select(aliases).where(aliases.c.id == alias_id, aliases.c.entity_id == entity_id)
        row = conn.execute(stmt).first()
        if row is None:
            msg = f"entity {entity_id[:80]!r} has no alias with id {alias_id}"
            raise EntityNotFoundError(msg)
        return alias_record(row)

    def get_alias(self, entity_id: str, alias_id: int) -> Alias:
        """One alias of an entity; ``EntityNotFoundError`` when either is unknown."""
        with self.engine.begin() as conn:
            self._get_entity(conn, entity_id)
            return self._get_alias(conn, entity_id, alias_id)

    def list_aliases(self, entity_id: str, query: AliasQuery) -> Page[Alias]:
        """A page of an entity's aliases in insertion order, with the total count."""
        where = [aliases.c.entity_id == entity_id]
        check_filter(query.script, "script")
        check_filter(query.source, "source")
        if query.script is not None:
            where.append(aliases.c.script == query.script)
        if query.source is not None:
            where.append(aliases.c.source == query.source)
        stmt = (
            sa.select(aliases)
            .where(*where)
            .order_by(aliases.c.id)
            .offset(query.offset)
            .limit(query.limit)
        )
        count_stmt = sa.select(sa.func.count()).select_from(aliases).where(*where)
        with self.engine.begin() as conn:
            self._get_entity(conn, entity_id)
            data = [alias_record(r) for r in conn.execute(stmt)]
            count = int(conn.execute(count_stmt).scalar_one())
        return Page(data, count)

    def delete_alias(self, entity_id: str, alias_id: int) -> Alias:
        """Delete one alias; the canonical name's alias cannot be deleted (``ConflictError``)."""
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            entity = self._get_entity(conn, entity_id)
            alias = self._get_alias(conn, entity_id, alias_id)
            if alias.name == entity.canonical:
                msg = (
                    f"alias {alias_id} is the canonical name of {entity_id!r}; "
                    "change the canonical name first"
                )
                raise ConflictError(msg)
            conn.execute(aliases.delete().where(aliases.c.id == alias_id))
            record_change(conn, Change(seq, "alias_deleted", entity_id, alias_id))
            return alias

    # --- judgements ------------------------------------------------------------------------

    def add_judgement(self, draft: JudgementDraft) -> Judgement:
        """Record a verdict; a confirmation also adds the name as an alias (source
        ``judgement``) unless the entity has it already."""
        now = utc_now()
        values = judgement_row(
            draft.entity_id, PastJudgement(draft.name, draft.verdict, draft.author), now
        )
        name = values["name"]
        with self.engine.begin() as conn:
            seq = claim_seq(conn)
            self._get_entity(conn, draft.entity_id)
            alias_id = None
            if draft.verdict == "confirmed":
                found = self._find_alias(conn, draft.entity_id, name)
                if found is None:
                    row = alias_row(draft.entity_id, AliasDraft(name, "judgement"), now, "name")
                    stmt = aliases.insert().returning(aliases.c.id)
                    alias_id = int(conn.execute(stmt, row).scalar_one())
                else:
                    alias_id = found.id
            values["alias_id"] = alias_id
            new_id = int(
                conn.execute(judgements.insert().returning(judgements.c.id), values).scalar_one()
            )
            record_change(conn, Change(seq, "judgement", draft.entity_id, new_id))
            return Judgement(
                new_id,
                name,
                draft.entity_id,
                draft.verdict,
                values["author"],
                now,
                alias_id,
            )

    def list_judgements(self, query: JudgementQuery) -> Page[Judgement]:
        """A page of judgements, newest first, with the total count."""
        where = []
        check_filter(query.entity_id, "entity_id")
        if query.entity_id is not None:
            where.append(judgements.c.entity_id == query.entity_id)
        if query.verdict is not None:
            where.append(judgements.c.verdict == query.verdict)
        stmt = (
            sa.select(judgements)
            .where(*where)
            .order_by(judgements.c.id.desc())
            .offset(query.offset)
            .limit(query.limit)
        )
        count_stmt = sa.select(sa.func.count()).select_from(judgements).where(*where)
        with self.engine.begin() as conn:
            data = [judgement_record(r) for r in conn.execute(stmt)]
            count = int(conn.execute(count_stmt).scalar_one())
        return Page(data, count)

    def iter_rejections(self) -> Iterator[tuple[str, str]]:
        """(name, entity id) of every link whose latest judgement is a rejection."""
        with self.snapshot() as snap:
            yield from snap.rejections()

    def snapshot(self) -> AbstractContextManager[SqlSnapshot]:
        """A consistent read-only view of the registry (see ``changes.py``)."""
        return open_snapshot(self.engine)

    # --- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A stored fact about the store (``None`` when unset)."""
        with self.engine.begin() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
            return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Store a fact about the store, replacing the previous value."""
        with self.engine.begin() as conn:
            stmt = self._insert(meta).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
