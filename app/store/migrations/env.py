"""Alembic environment: migrations run on the connection ``SqlStore`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if _connection is None:  # pragma: no cover - the store always passes its connection
    msg = "run the registry migrations through app.store.sql.migrate()"
    raise RuntimeError(msg)
_run(_connection)
