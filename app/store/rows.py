"""Rows of the registry tables: building them from drafts (with the checks the stores need),
reading them back as records, and the constants the store modules share."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from app.core.scripts import token_script
from app.errors import InputFormatError, InvalidNameError, InvalidValueError
from app.store.base import (
    VERDICTS,
    Alias,
    AliasDraft,
    Entity,
    EntityDraft,
    Judgement,
    PastJudgement,
    check_entity_id,
    check_kind,
    check_text,
)

__all__ = [
    "CHUNK",
    "ENTITY_ID",
    "MAX_JSON_DEPTH",
    "alias_drafts",
    "alias_record",
    "alias_row",
    "as_utc",
    "check_filter",
    "check_short",
    "entity_record",
    "entity_row",
    "json_object",
    "judgement_record",
    "judgement_row",
    "name_digest",
    "script_of",
    "utc_now",
]

SURROGATE = re.compile("[\ud800-\udfff]")
# Every stored id matches this (``check_entity_id``): an id that does not cannot exist, and is
# answered without a query (PostgreSQL refuses NUL in text parameters).
ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
# Rows per INSERT statement in bulk imports: large enough to amortise round trips, small enough
# to stay under SQLite's and psycopg's parameter limits.
CHUNK = 2_000


def name_digest(name: str) -> str:
    """The alias uniqueness key: BLAKE2b-128 of the UTF-8 name, in hex."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=16).hexdigest()


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp with its UTC offset."""
    # SQLite keeps no offset: the store only ever writes UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def script_of(name: str) -> str:
    """The script of an alias (its letters' most frequent script)."""
    return token_script(name)


def alias_row(entity_id: str, draft: AliasDraft, now: datetime, where: str) -> dict[str, Any]:
    """The ``aliases`` row of a draft; ``where`` names the name in error messages."""
    name = check_text(draft.name, where)
    return {
        "entity_id": entity_id,
        "name": name,
        "name_digest": name_digest(name),
        "source": check_short(draft.source, "source", 64) or "manual",
        "script": check_short(draft.script, "script", 32) or script_of(name),
        "created_at": now,
    }


# Deeper JSON than this is refused: serialisers (pydantic's among them) stop at a few hundred
# levels, and an entity's attributes have no use for more than a handful.
MAX_JSON_DEPTH = 32


def _check_json(value: Any, where: str, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        msg = f"{where} nests deeper than {MAX_JSON_DEPTH} levels"
        raise InvalidValueError(msg)
    if isinstance(value, str):
        # PostgreSQL's jsonb refuses \u0000, and a lone surrogate has no UTF-8 form.
        if "\x00" in value or SURROGATE.search(value):
            msg = f"{where} contains a NUL character or an unpaired surrogate"
            raise InvalidValueError(msg)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(str(key), where, depth + 1)
            _check_json(item, where, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_json(item, where, depth + 1)


def json_object(value: dict[str, Any], where: str) -> dict[str, Any]:
    """A copy of a JSON object the stores can keep, and answer with, on every engine."""
    # NaN and infinities pass Python's json but not PostgreSQL's: refuse them on every engine.
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        msg = f"{where} must not hold NaN or infinite numbers"
        raise InvalidValueError(msg) from None
    except RecursionError:
        msg = f"{where} nests deeper than {MAX_JSON_DEPTH} levels"
        raise InvalidValueError(msg) from None
    _check_json(value, where, 0)
    return dict(value)


def check_filter(value: str | None, where: str) -> str | None:
    """A listing filter the stores can compare (no NUL, no unpaired surrogate)."""
    if value is not None and ("\x00" in value or SURROGATE.search(value)):
        msg = f"{where} contains a NUL character or an unpaired surrogate"
        raise InvalidNameError(msg)
    return value


def check_short(value: str | None, where: str, limit: int) -> str | None:
    """A short text field (``check_filter``) of at most ``limit`` characters: the column's
    size, which PostgreSQL enforces and SQLite does not."""
    check_filter(value, where)
    if value is not None and len(value) > limit:
        msg = f"{where} has {len(value)} characters, more than the limit of {limit}"
        raise InvalidValueError(msg)
    return value


def entity_row(draft: EntityDraft, now: datetime) -> dict[str, Any]:
    """The ``entities`` row of a draft; the id is generated when the draft has none."""
    generated = f"ent_{uuid.uuid4().hex[:16]}"
    return {
        "id": generated if draft.id is None else check_entity_id(draft.id),
        "canonical": check_text(draft.canonical, "canonical"),
        "kind": check_kind(draft.kind),
        "country": check_short(draft.country, "country", 64),
        "wikidata_id": check_short(draft.wikidata_id, "wikidata_id", 32),
        "attributes": json_object(draft.attributes, "attributes"),
        "created_at": now,
        "updated_at": now,
    }


def judgement_row(
    entity_id: str, verdict: PastJudgement, now: datetime, where: str = ""
) -> dict[str, Any]:
    """The ``judgements`` row of a verdict (at ``now`` unless it carries its time, kept in
    UTC), its fields checked; ``where`` prefixes the field names in errors."""
    name = check_text(verdict.name, f"{where}name")
    if verdict.verdict not in VERDICTS:
        msg = f"{where}verdict {verdict.verdict[:40]!r} is not one of {', '.join(VERDICTS)}"
        raise InputFormatError(msg)
    author = check_short(check_text(verdict.author, f"{where}author"), f"{where}author", 200)
    at = now if verdict.created_at is None else as_utc(verdict.created_at).astimezone(UTC)
    return {
        "name": name,
        "entity_id": entity_id,
        "verdict": verdict.verdict,
        "author": author or "",
        "alias_id": None,
        "created_at": at,
    }


def alias_drafts(draft: EntityDraft) -> list[AliasDraft]:
    """The draft's aliases with its canonical name first (every canonical name is an alias)."""
    names = {a.name for a in draft.aliases}
    head = [] if draft.canonical in names else [AliasDraft(draft.canonical, "canonical")]
    return head + list(draft.aliases)


def entity_record(row: Any) -> Entity:
    """The ``Entity`` of an ``entities`` row selected with its ``alias_count``."""
    return Entity(
        id=row.id,
        canonical=row.canonical,
        kind=row.kind,
        country=row.country,
        wikidata_id=row.wikidata_id,
        attributes=dict(row.attributes or {}),
        alias_count=int(row.alias_count),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def alias_record(row: Any) -> Alias:
    """The ``Alias`` of an ``aliases`` row."""
    return Alias(
        id=row.id,
        entity_id=row.entity_id,
        name=row.name,
        source=row.source,
        script=row.script,
        created_at=as_utc(row.created_at),
    )


def judgement_record(row: Any) -> Judgement:
    """The ``Judgement`` of a ``judgements`` row."""
    return Judgement(
        id=row.id,
        name=row.name,
        entity_id=row.entity_id,
        verdict=row.verdict,
        author=row.author,
        created_at=as_utc(row.created_at),
        alias_id=row.alias_id,
    )
