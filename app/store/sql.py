"""``SqlStore``: the registry on SQLAlchemy Core, SQLite by default, PostgreSQL by URL.

The schema is created and upgraded by the Alembic migrations in ``migrations/`` when the store
opens. Every public method runs in one transaction (``engine.begin()``), so a write is either
committed in full before it is acknowledged or not at all. SQLite runs in WAL mode with
``synchronous=FULL``, so an acknowledged write survives a crash of the process or the machine.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from app.core.scripts import token_script
from app.errors import ConflictError, EntityNotFoundError, InputFormatError, InvalidNameError
from app.store.base import (
    VERDICTS,
    Alias,
    AliasDraft,
    AliasQuery,
    Entity,
    EntityDraft,
    EntityPatch,
    EntityQuery,
    ImportSummary,
    Judgement,
    JudgementDraft,
    JudgementQuery,
    OnConflict,
    Page,
    check_entity_id,
    check_kind,
    check_text,
)
from app.store.schema import aliases, entities, judgements, meta

__all__ = ["SqlStore", "migrate", "name_digest"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Every stored id matches this (``check_entity_id``): an id that does not cannot exist, and is
# answered without a query (PostgreSQL refuses NUL in text parameters).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
# Rows per INSERT statement in bulk imports: large enough to amortise round trips, small enough
# to stay under SQLite's and psycopg's parameter limits.
_CHUNK = 2_000


def name_digest(name: str) -> str:
    """The alias uniqueness key: BLAKE2b-128 of the UTF-8 name, in hex."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=16).hexdigest()


def migrate(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the latest schema revision."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite keeps no offset: the store only ever writes UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _script_of(name: str) -> str:
    return token_script(name)


def _alias_row(entity_id: str, draft: AliasDraft, now: datetime, where: str) -> dict[str, Any]:
    name = check_text(draft.name, where)
    return {
        "entity_id": entity_id,
        "name": name,
        "name_digest": name_digest(name),
        "source": (_check_filter(draft.source, "source") or "manual")[:64],
        "script": (_check_filter(draft.script, "script") or _script_of(name))[:32],
        "created_at": now,
    }


def _json_object(value: dict[str, Any], where: str) -> dict[str, Any]:
    # NaN and infinities pass Python's json but not PostgreSQL's: refuse them on every engine.
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        msg = f"{where} must not hold NaN or infinite numbers"
        raise InputFormatError(msg) from None
    return dict(value)


def _check_filter(value: str | None, where: str) -> str | None:
    """A listing filter the stores can compare (no NUL, no unpaired surrogate)."""
    if value is not None and ("\x00" in value or _SURROGATE.search(value)):
        msg = f"{where} contains a NUL character or an unpaired surrogate"
        raise InvalidNameError(msg)
    return value


def _entity_row(draft: EntityDraft, now: datetime) -> dict[str, Any]:
    return {
        "id": check_entity_id(draft.id) if draft.id else f"ent_{uuid.uuid4().hex[:16]}",
        "canonical": check_text(draft.canonical, "canonical"),
        "kind": check_kind(draft.kind),
        "country": _check_filter(draft.country, "country"),
        "wikidata_id": _check_filter(draft.wikidata_id, "wikidata_id"),
        "attributes": _json_object(draft.attributes, "attributes"),
        "created_at": now,
        "updated_at": now,
    }


def _alias_drafts(draft: EntityDraft) -> list[AliasDraft]:
    """The draft's aliases with its canonical name first (every canonical name is an alias)."""
    names = {a.name for a in draft.aliases}
    head = [] if draft.canonical in names else [AliasDraft(draft.canonical, "canonical")]
    return head + list(draft.aliases)


_ALIAS_COUNT = (
    sa.select(sa.func.count())
    .where(aliases.c.entity_id == entities.c.id)
    .correlate(entities)
    .scalar_subquery()
)


class SqlStore:
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
        for start in range(0, len(rows), _CHUNK):
            conn.execute(stmt, rows[start : start + _CHUNK])
        return int(conn.execute(count).scalar_one()) - before

    @staticmethod
    def _entity(row: Any) -> Entity:
        return Entity(
            id=row.id,
            canonical=row.canonical,
            kind=row.kind,
            country=row.country,
            wikidata_id=row.wikidata_id,
            attributes=dict(row.attributes or {}),
            alias_count=int(row.alias_count),
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
        )

    @staticmethod
    def _alias(row: Any) -> Alias:
        return Alias(
            id=row.id,
            entity_id=row.entity_id,
            name=row.name,
            source=row.source,
            script=row.script,
            created_at=_utc(row.created_at),
        )

    @staticmethod
    def _judgement(row: Any) -> Judgement:
        return Judgement(
            id=row.id,
            name=row.name,
            entity_id=row.entity_id,
            verdict=row.verdict,
            author=row.author,
            created_at=_utc(row.created_at),
            alias_id=row.alias_id,
        )

    def _get_entity(self, conn: Connection, entity_id: str) -> Entity:
        if not _ID.fullmatch(entity_id):
            msg = f"no entity with id {entity_id[:80]!r}"
            raise EntityNotFoundError(msg)
        stmt = sa.select(entities, _ALIAS_COUNT.label("alias_count")).where(
            entities.c.id == entity_id
        )
        row = conn.execute(stmt).first()
        if row is None:
            msg = f"no entity with id {entity_id[:80]!r}"
            raise EntityNotFoundError(msg)
        return self._entity(row)

    def _exists(self, conn: Connection, entity_id: str) -> bool:
        if not _ID.fullmatch(entity_id):
            return False
        stmt = sa.select(entities.c.id).where(entities.c.id == entity_id)
        return conn.execute(stmt).first() is not None

    # --- entities --------------------------------------------------------------------------

    def create_entity(self, draft: EntityDraft) -> Entity:
        """Store a new entity with its aliases; ``ConflictError`` when its id is taken."""
        now = _now()
        row = _entity_row(draft, now)
        alias_rows = [
            _alias_row(row["id"], a, now, f"aliases[{i}].name")
            for i, a in enumerate(_alias_drafts(draft))
        ]
        with self.engine.begin() as conn:
            if self._exists(conn, row["id"]):
                msg = f"an entity with id {row['id']!r} exists already"
                raise ConflictError(msg)
            conn.execute(entities.insert(), row)
            self._insert_aliases(conn, alias_rows)
            return self._get_entity(conn, row["id"])

    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this id; ``EntityNotFoundError`` when there is none."""
        with self.engine.begin() as conn:
            return self._get_entity(conn, entity_id)

    def list_entities(self, query: EntityQuery) -> Page[Entity]:
        """A page of entities ordered by canonical name then id, with the total count."""
        where = []
        _check_filter(query.country, "country")
        _check_filter(query.q, "q")
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
            data = [self._entity(r) for r in conn.execute(stmt)]
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
            values["country"] = _check_filter(patch.country, "country")
        if patch.wikidata_id is not None:
            values["wikidata_id"] = _check_filter(patch.wikidata_id, "wikidata_id")
        if patch.attributes is not None:
            values["attributes"] = _json_object(patch.attributes, "attributes")
        now = _now()
        with self.engine.begin() as conn:
            self._get_entity(conn, entity_id)
            values["updated_at"] = now
            conn.execute(entities.update().where(entities.c.id == entity_id).values(**values))
            if patch.canonical is not None:
                draft = AliasDraft(patch.canonical, "canonical")
                self._insert_aliases(conn, [_alias_row(entity_id, draft, now, "canonical")])
            return self._get_entity(conn, entity_id)

    def delete_entity(self, entity_id: str) -> Entity:
        """Delete the entity with its aliases and judgements; returns what was deleted."""
        with self.engine.begin() as conn:
            entity = self._get_entity(conn, entity_id)
            # Explicit deletes: the cascade needs PRAGMA foreign_keys on SQLite connections
            # that another tool may have opened without it.
            conn.execute(judgements.delete().where(judgements.c.entity_id == entity_id))
            conn.execute(aliases.delete().where(aliases.c.entity_id == entity_id))
            conn.execute(entities.delete().where(entities.c.id == entity_id))
            return entity

    def count_entities(self) -> int:
        """How many entities the registry holds."""
        with self.engine.begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar_one())

    # --- aliases ---------------------------------------------------------------------------

    def add_alias(self, entity_id: str, draft: AliasDraft) -> Alias:
        """Add an alias; ``ConflictError`` when the entity has this name already."""
        row = _alias_row(entity_id, draft, _now(), "name")
        with self.engine.begin() as conn:
            self._get_entity(conn, entity_id)
            if self._find_alias(conn, entity_id, row["name"]) is not None:
                msg = f"entity {entity_id!r} has the alias {row['name'][:80]!r} already"
                raise ConflictError(msg)
            alias_id = conn.execute(aliases.insert().returning(aliases.c.id), row).scalar_one()
            conn.execute(
                entities.update().where(entities.c.id == entity_id).values(updated_at=_now())
            )
            return self._get_alias(conn, entity_id, int(alias_id))

    def _find_alias(self, conn: Connection, entity_id: str, name: str) -> Alias | None:
        stmt = sa.select(aliases).where(
            aliases.c.entity_id == entity_id, aliases.c.name_digest == name_digest(name)
        )
        row = conn.execute(stmt).first()
        return None if row is None else self._alias(row)

    def _get_alias(self, conn: Connection, entity_id: str, alias_id: int) -> Alias:
        stmt = sa.select(aliases).where(aliases.c.id == alias_id, aliases.c.entity_id == entity_id)
        row = conn.execute(stmt).first()
        if row is None:
            msg = f"entity {entity_id[:80]!r} has no alias with id {alias_id}"
            raise EntityNotFoundError(msg)
        return self._alias(row)

    def get_alias(self, entity_id: str, alias_id: int) -> Alias:
        """One alias of an entity; ``EntityNotFoundError`` when either is unknown."""
        with self.engine.begin() as conn:
            self._get_entity(conn, entity_id)
            return self._get_alias(conn, entity_id, alias_id)

    def list_aliases(self, entity_id: str, query: AliasQuery) -> Page[Alias]:
        """A page of an entity's aliases in insertion order, with the total count."""
        where = [aliases.c.entity_id == entity_id]
        _check_filter(query.script, "script")
        _check_filter(query.source, "source")
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
            data = [self._alias(r) for r in conn.execute(stmt)]
            count = int(conn.execute(count_stmt).scalar_one())
        return Page(data, count)

    def delete_alias(self, entity_id: str, alias_id: int) -> Alias:
        """Delete one alias; the canonical name's alias cannot be deleted (``ConflictError``)."""
        with self.engine.begin() as conn:
            entity = self._get_entity(conn, entity_id)
            alias = self._get_alias(conn, entity_id, alias_id)
            if alias.name == entity.canonical:
                msg = (
                    f"alias {alias_id} is the canonical name of {entity_id!r}; "
                    "change the canonical name first"
                )
                raise ConflictError(msg)
            conn.execute(aliases.delete().where(aliases.c.id == alias_id))
            return alias

    # --- judgements ------------------------------------------------------------------------

    def add_judgement(self, draft: JudgementDraft) -> Judgement:
        """Record a verdict; a confirmation also adds the name as an alias (source
        ``judgement``) unless the entity has it already."""
        name = check_text(draft.name, "name")
        if draft.verdict not in VERDICTS:
            msg = f"verdict {draft.verdict[:40]!r} is not one of {', '.join(VERDICTS)}"
            raise InputFormatError(msg)
        now = _now()
        with self.engine.begin() as conn:
            self._get_entity(conn, draft.entity_id)
            alias_id = None
            if draft.verdict == "confirmed":
                found = self._find_alias(conn, draft.entity_id, name)
                if found is None:
                    row = _alias_row(draft.entity_id, AliasDraft(name, "judgement"), now, "name")
                    stmt = aliases.insert().returning(aliases.c.id)
                    alias_id = int(conn.execute(stmt, row).scalar_one())
                else:
                    alias_id = found.id
            author = check_text(draft.author, "author")[:200]
            values = {
                "name": name,
                "entity_id": draft.entity_id,
                "verdict": draft.verdict,
                "author": author,
                "alias_id": alias_id,
                "created_at": now,
            }
            new_id = conn.execute(judgements.insert().returning(judgements.c.id), values)
            return Judgement(
                int(new_id.scalar_one()),
                name,
                draft.entity_id,
                draft.verdict,
                author,
                now,
                alias_id,
            )

    def list_judgements(self, query: JudgementQuery) -> Page[Judgement]:
        """A page of judgements, newest first, with the total count."""
        where = []
        _check_filter(query.entity_id, "entity_id")
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
            data = [self._judgement(r) for r in conn.execute(stmt)]
            count = int(conn.execute(count_stmt).scalar_one())
        return Page(data, count)

    def iter_rejections(self) -> Iterator[tuple[str, str]]:
        """(name, entity id) of every link whose latest judgement is a rejection."""
        latest: dict[tuple[str, str], str] = {}
        stmt = sa.select(judgements.c.name, judgements.c.entity_id, judgements.c.verdict)
        with self.engine.begin() as conn:
            for name, entity_id, verdict in conn.execute(stmt.order_by(judgements.c.id)):
                latest[(name, entity_id)] = verdict
        yield from (pair for pair, verdict in latest.items() if verdict == "rejected")

    # --- bulk ------------------------------------------------------------------------------

    def iter_entities(self) -> Iterator[tuple[str, str, str]]:
        """(id, canonical name, kind) of every entity, streamed."""
        stmt = sa.select(entities.c.id, entities.c.canonical, entities.c.kind)
        with self.engine.connect() as conn:
            rows = conn.execution_options(yield_per=10_000).execute(stmt)
            yield from ((str(i), str(c), str(k)) for i, c, k in rows)

    def iter_aliases(self, after_id: int = 0) -> Iterator[tuple[int, str, str]]:
        """(alias id, entity id, name) of every alias with an id above ``after_id``, in id
        order, streamed."""
        stmt = (
            sa.select(aliases.c.id, aliases.c.entity_id, aliases.c.name)
            .where(aliases.c.id > after_id)
            .order_by(aliases.c.id)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=10_000).execute(stmt)
            for alias_id, entity_id, name in result:
                yield int(alias_id), entity_id, name

    def import_entities(
        self, drafts: Iterable[EntityDraft], on_conflict: OnConflict = "error"
    ) -> ImportSummary:
        """Store many entities in one transaction.

        An id that exists already is an error (``ConflictError``, nothing stored) with
        ``on_conflict="error"``, left as it is with ``"skip"``, and gets the aliases it lacks
        with ``"merge"``.
        """
        now = _now()
        created, merged, skipped = 0, 0, 0
        ids: list[str] = []
        entity_rows: list[dict[str, Any]] = []
        alias_rows: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            seen: set[str] = set()
            for n, draft in enumerate(drafts):
                row = _entity_row(draft, now)
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
                else:
                    entity_rows.append(row)
                    created += 1
                ids.append(row["id"])
                for i, alias in enumerate(_alias_drafts(draft)):
                    where = f"entities[{n}].aliases[{i}].name"
                    alias_rows.append(_alias_row(row["id"], alias, now, where))
                if len(entity_rows) >= _CHUNK:
                    conn.execute(entities.insert(), entity_rows)
                    entity_rows = []
            if entity_rows:
                conn.execute(entities.insert(), entity_rows)
            added = self._insert_aliases(conn, alias_rows)
        return ImportSummary(created, merged, skipped, added, tuple(ids))

    def export_entities(self) -> Iterator[EntityDraft]:
        """Every entity with its aliases, ordered by id (the input of ``import_entities``)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(entities).order_by(entities.c.id)).all()
            stmt = sa.select(aliases).order_by(aliases.c.entity_id, aliases.c.id)
            stream = iter(conn.execution_options(yield_per=10_000).execute(stmt))
            pending = next(stream, None)
            for row in rows:
                own: list[AliasDraft] = []
                # Both queries sort by entity id under the same collation and every alias has
                # its entity, so an entity's aliases are the next run of the stream.
                while pending is not None and pending.entity_id == row.id:
                    own.append(AliasDraft(pending.name, pending.source, pending.script))
                    pending = next(stream, None)
                yield EntityDraft(
                    canonical=row.canonical,
                    kind=row.kind,
                    id=row.id,
                    country=row.country,
                    wikidata_id=row.wikidata_id,
                    attributes=dict(row.attributes or {}),
                    aliases=tuple(own),
                )

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
