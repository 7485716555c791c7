"""Registry records in files and request bodies: JSON objects (JSON Lines) and CSV rows.

One record per entity::

    {"id": "ent_…", "canonical": "Muammar Gaddafi", "kind": "person", "country": "LY",
     "wikidata_id": "Q19878", "attributes": {…},
     "aliases": ["Qaddafi", {"name": "القذافي", "source": "press", "script": "Arabic"}],
     "judgements": [{"name": "Gaddafi Stadium", "verdict": "rejected", "author": "ana",
                     "created_at": "2026-11-30T09:12:00+00:00"}]}

Only ``canonical`` is required. In CSV, one row per alias and one per judgement, with the
columns of ``CSV_COLUMNS``; rows with the same ``id`` (or, without an id, the same canonical name
and kind) form one entity.
The standard ``csv`` and ``json`` modules do the parsing; this module only maps and validates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app.batch.io import read_lines
from app.core.index import RegistryEntity
from app.errors import InputFormatError
from app.store.base import AliasDraft, EntityDraft, PastJudgement

__all__ = [
    "CSV_COLUMNS",
    "draft_from_record",
    "read_records",
    "record_from_draft",
    "registry_entities",
    "write_records",
]

# The fields of an entity record, in the order an export writes them.
_ENTITY_FIELDS = ("id", "canonical", "kind", "country", "wikidata_id", "attributes")
CSV_COLUMNS = (
    *_ENTITY_FIELDS,
    "alias",
    "alias_source",
    "alias_script",
    "judgement_name",
    "judgement_verdict",
    "judgement_author",
    "judgement_created_at",
)
_FIELDS = {*_ENTITY_FIELDS, "aliases", "judgements"}
_JUDGEMENT_FIELDS = {"name", "verdict", "author", "created_at"}


def _text(obj: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        msg = f'{where}: "{key}" must be a string'
        raise InputFormatError(msg)
    return value


def _alias(item: Any, where: str) -> AliasDraft:
    if isinstance(item, str):
        return AliasDraft(item, "import")
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        source = _text(item, "source", where) or "import"
        return AliasDraft(item["name"], source, _text(item, "script", where))
    msg = f'{where}: an alias is a string or an object with a string "name"'
    raise InputFormatError(msg)


def _timestamp(value: Any, where: str) -> datetime | None:
    """An ISO 8601 time (UTC when it has no offset), in UTC; ``None`` when absent."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        msg = f'{where}: "created_at" must be an ISO 8601 time such as "2026-11-30T09:12:00Z"'
        raise InputFormatError(msg)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _object(obj: Any, fields: set[str], where: str, what: str) -> dict[str, Any]:
    """``obj`` when it is a JSON object of known ``fields``; else ``InputFormatError``."""
    if not isinstance(obj, dict):
        msg = f"{where}: expected {what}"
        raise InputFormatError(msg)
    unknown = sorted(set(obj) - fields)
    if unknown:
        msg = f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(fields))})"
        raise InputFormatError(msg)
    return obj


def _judgement(item: Any, where: str) -> PastJudgement:
    item = _object(item, _JUDGEMENT_FIELDS, where, "a judgement object (name, verdict)")
    return PastJudgement(
        name=_text(item, "name", where, required=True) or "",
        verdict=_text(item, "verdict", where, required=True) or "",
        author=_text(item, "author", where) or "anonymous",
        created_at=_timestamp(item.get("created_at"), where),
    )


def draft_from_record(obj: Any, where: str) -> EntityDraft:
    """An ``EntityDraft`` from one record; ``InputFormatError`` names ``where`` on bad input."""
    obj = _object(obj, _FIELDS, where, "a JSON object")
    aliases = obj.get("aliases") or []
    attributes = obj.get("attributes") or {}
    judgements = obj.get("judgements") or []
    for field, value in (("aliases", aliases), ("judgements", judgements)):
        if not isinstance(value, list):
            msg = f'{where}: "{field}" must be a list'
            raise InputFormatError(msg)
    if not isinstance(attributes, dict):
        msg = f'{where}: "attributes" must be an object'
        raise InputFormatError(msg)
    return EntityDraft(
        canonical=_text(obj, "canonical", where, required=True) or "",
        kind=_text(obj, "kind", where) or "other",
        # An empty id or Wikidata item is refused by the store, not silently dropped.
        id=_text(obj, "id", where),
        country=_text(obj, "country", where) or None,
        wikidata_id=_text(obj, "wikidata_id", where),
        attributes=attributes,
        aliases=tuple(_alias(a, f"{where}: aliases[{i}]") for i, a in enumerate(aliases)),
        judgements=tuple(
            _judgement(j, f"{where}: judgements[{i}]") for i, j in enumerate(judgements)
        ),
    )


def record_from_draft(draft: EntityDraft) -> dict[str, Any]:
    """The JSON record of an entity (fields that are unset are left out)."""
    record: dict[str, Any] = {"id": draft.id, "canonical": draft.canonical, "kind": draft.kind}
    if draft.country:
        record["country"] = draft.country
    if draft.wikidata_id:
        record["wikidata_id"] = draft.wikidata_id
    if draft.attributes:
        record["attributes"] = draft.attributes
    record["aliases"] = [
        {"name": a.name, "source": a.source, **({"script": a.script} if a.script else {})}
        for a in draft.aliases
    ]
    if draft.judgements:
        record["judgements"] = [_judgement_record(j) for j in draft.judgements]
    return record


def _judgement_record(past: PastJudgement) -> dict[str, Any]:
    record = {"name": past.name, "verdict": past.verdict, "author": past.author}
    if past.created_at is not None:
        record["created_at"] = past.created_at.isoformat()
    return record


def _read_jsonl(path: Path) -> Iterator[EntityDraft]:
    for number, line in read_lines(path):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"{where}: not valid JSON ({exc.msg})"
            raise InputFormatError(msg) from None
        yield draft_from_record(obj, where)


def _read_csv(path: Path) -> Iterator[EntityDraft]:
    reader = csv.DictReader(text + "\n" for _, text in read_lines(path))
    if reader.fieldnames is None or "canonical" not in reader.fieldnames:
        msg = f'{path}:1: a registry CSV needs a "canonical" column'
        raise InputFormatError(msg)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        where = f"{path}:{number}"
        key = (row.get("id") or "",) if row.get("id") else ("", row["canonical"], row["kind"])
        if key not in groups:
            try:
                attributes = json.loads(row["attributes"]) if row.get("attributes") else {}
            except json.JSONDecodeError as exc:
                msg = f"{where}: attributes are not valid JSON ({exc.msg})"
                raise InputFormatError(msg) from None
            groups[key] = {
                **{k: row.get(k) or None for k in ("id", "canonical", "kind", "country")},
                "wikidata_id": row.get("wikidata_id") or None,
                "attributes": attributes,
                "aliases": [],
                "judgements": [],
                "_where": where,
            }
        if row.get("alias"):
            alias = {"name": row["alias"], "source": row.get("alias_source") or "import"}
            if row.get("alias_script"):
                alias["script"] = row["alias_script"]
            groups[key]["aliases"].append(alias)
        if row.get("judgement_name") or row.get("judgement_verdict"):
            judgement = {
                "name": row.get("judgement_name") or "",
                "verdict": row.get("judgement_verdict") or "",
                "author": row.get("judgement_author") or "anonymous",
            }
            if row.get("judgement_created_at"):
                judgement["created_at"] = row["judgement_created_at"]
            groups[key]["judgements"].append(judgement)
    for group in groups.values():
        where = group.pop("_where")
        yield draft_from_record({k: v for k, v in group.items() if v is not None}, where)


def read_records(path: Path) -> Iterator[EntityDraft]:
    """Entity drafts from a JSON Lines file (``.jsonl``/``.ndjson``) or a CSV (``.csv``)."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    return _read_jsonl(path)


def registry_entities(path: Path) -> list[RegistryEntity]:
    """The entities of a registry export (``canonym registry export``, JSON Lines or CSV) as
    ``(id, canonical, kind, aliases)``, for an index outside the store.

    Raises:
        InputFormatError: the file is malformed, or a record has no ``id`` (an entity resolved
            to must keep its stable id, so only exports, which carry ids, can be used).
    """
    entities: list[RegistryEntity] = []
    for number, draft in enumerate(read_records(path), start=1):
        if not draft.id:
            msg = (
                f"{path}: entity {number} ({draft.canonical!r}) has no id; resolve against a "
                "registry export (canonym registry export), whose entities keep their ids"
            )
            raise InputFormatError(msg)
        aliases = tuple(a.name for a in draft.aliases)
        entities.append((draft.id, draft.canonical, draft.kind, aliases))
    return entities


def write_records(fh: IO[str], drafts: Iterable[EntityDraft], csv_format: bool) -> int:
    """Write entities as JSON Lines (UTF-8, one record per line) or CSV; returns how many."""
    count = 0
    if not csv_format:
        for draft in drafts:
            fh.write(json.dumps(record_from_draft(draft), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    for draft in drafts:
        head = [
            draft.id or "",
            draft.canonical,
            draft.kind,
            draft.country or "",
            draft.wikidata_id or "",
            json.dumps(draft.attributes, ensure_ascii=False) if draft.attributes else "",
        ]
        for alias in draft.aliases or (AliasDraft(draft.canonical, "canonical"),):
            writer.writerow([*head, alias.name, alias.source, alias.script or "", "", "", "", ""])
        for past in draft.judgements:
            at = past.created_at.isoformat() if past.created_at is not None else ""
            writer.writerow([*head, "", "", "", past.name, past.verdict, past.author, at])
        count += 1
    return count
