"""Tiny builders shared by the tests: registry stores on both engines, entity drafts."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.store.base import AliasDraft, EntityDraft
from app.store.schema import aliases, entities, judgements
from app.store.sql import SqlStore

# The CI server; CANONYM_TEST_POSTGRES_URL points the tests at another one.
POSTGRES_URL = os.environ.get(
    "CANONYM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_engine() -> sa.Engine:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL at {engine.url.render_as_string()} does not answer: {exc.orig}"
        if os.environ.get("CANONYM_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (CANONYM_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return engine


class StoreFactory:
    """Opens stores on one database: reopening gives the same data (a restart)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: list[SqlStore] = []

    def open(self) -> SqlStore:
        store = SqlStore(self.url)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()


@contextmanager
def store_factory(engine: str, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of stores on a fresh SQLite file or a fresh PostgreSQL schema."""
    if engine == "sqlite":
        factory = StoreFactory(f"sqlite:///{tmp_path / 'registry.db'}")
        yield factory
        factory.close_all()
        return
    admin = _postgres_engine()
    schema = f"canonym_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    factory = StoreFactory(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        yield factory
    finally:
        factory.close_all()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards (with any
    connection a killed client left behind)."""
    engine = _postgres_engine()
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def gaddafi(entity_id: str | None = "ent_gaddafi") -> EntityDraft:
    return EntityDraft(
        canonical="Muammar Gaddafi",
        kind="person",
        id=entity_id,
        country="LY",
        wikidata_id="Q19878",
        attributes={"born": 1942},
        aliases=(AliasDraft("Qaddafi", "press"), AliasDraft("القذافي", "press")),
    )


def draft(canonical: str, kind: str = "person", **fields) -> EntityDraft:
    aliases = tuple(AliasDraft(a) for a in fields.pop("aliases", ()))
    return EntityDraft(canonical=canonical, kind=kind, aliases=aliases, **fields)


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows of each registry table."""
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in (entities, aliases, judgements)
        }


def registry_counts(client) -> dict[str, int]:
    """Rows of each registry table behind a TestClient whose lifespan runs."""
    return table_counts(client.app.state.runtime.registry.store.engine)
