"""The change log (``changes``, ``registry_version``); alias ids never reused on SQLite.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the change log at version 0 and give SQLite's aliases ``AUTOINCREMENT``."""
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("ref_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    version = op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "seq": 0}])
    if op.get_bind().dialect.name == "sqlite":
        # Without AUTOINCREMENT SQLite gives a new row the highest id + 1, so deleting the newest
        # alias and adding another reused its id. The table is copied with its ids.
        with op.batch_alter_table(
            "aliases", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    """Drop the change log (SQLite's aliases keep ``AUTOINCREMENT``)."""
    op.drop_table("registry_version")
    op.drop_table("changes")
