"""Table definitions of the registry (SQLAlchemy Core). Changes go through a new migration in
``migrations/versions``; the tables here must stay equal to the migrated schema.

* ``entities``: one row per entity, with its stable id.
* ``aliases``: the spellings of each entity; ``name_digest`` (BLAKE2b of the name) carries the
  uniqueness per entity, because a unique index on the text itself has a size limit in
  PostgreSQL (about 2.7 kB per row) that arbitrary names could pass.
* ``judgements``: reviewers' verdicts on name-entity links, append-only (the latest one for a
  name and entity wins).
* ``meta``: key-value facts about the store (the digest of the seeds loaded).
* ``changes``: the change log, one row per committed write, numbered by ``seq`` without gaps;
  ``registry_version`` holds the last number given out (see ``changes.py``).

Alias ids are never reused (``AUTOINCREMENT`` on SQLite, a sequence on PostgreSQL): the indexes
take new aliases as "every id above the highest one seen".
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["aliases", "changes", "entities", "judgements", "meta", "metadata", "registry_version"]

metadata = sa.MetaData()

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("country", sa.String(64), nullable=True),
    sa.Column("wikidata_id", sa.String(32), nullable=True),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_entities_kind", "kind"),
    sa.Index("ix_entities_country", "country"),
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "entity_id",
        sa.String(64),
        sa.ForeignKey("entities.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_digest", sa.String(32), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("script", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("entity_id", "name_digest", name="uq_aliases_entity_name"),
    sqlite_autoincrement=True,
)

judgements = sa.Table(
    "judgements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column(
        "entity_id",
        sa.String(64),
        sa.ForeignKey("entities.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("alias_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_judgements_entity", "entity_id"),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=True),
    sa.Column("ref_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

registry_version = sa.Table(
    "registry_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
)
