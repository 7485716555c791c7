"""Registry records in files and request bodies: JSON objects (JSON Lines) and CSV rows.

One record per entity::

    {"id": "ent_…", "canonical": "Muammar Gaddafi", "kind": "person", "country": "LY",
     "wikidata_id": "Q19878", "attributes": {…},
     "aliases": ["Qaddafi", {"name": "القذافي", "source": "press", "script": "Arabic"}]}

Only ``canonical`` is required. In CSV, one row per alias with the columns of ``CSV_COLUMNS``;
rows with the same ``id`` (or, without an id, the same canonical name and kind) form one entity.
The standard ``csv`` and ``json`` modules do the parsing; this module only maps and validates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from app.batch.io import read_lines
from app.core.index import RegistryEntity
from app.errors import InputFormatError
from app.store.base import AliasDraft, EntityDraft

__all__ = [
    "CSV_COLUMNS",
    "draft_from_record",
    "read_records",
    "record_from_draft",
    "registry_entities",
    "write_records",
]

CSV_COLUMNS = (
    "id",
    "canonical",
    "kind",
    "country",
    "wikidata_id",
    "attributes",
    "alias",
    "alias_source",
    "alias_script",
)
_FIELDS = {"id", "canonical", "kind", "country", "wikidata_id", "attributes", "aliases"}


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


def draft_from_record(obj: Any, where: str) -> EntityDraft:
    """An ``EntityDraft`` from one record; ``InputFormatError`` names ``where`` on bad input."""
    if not isinstance(obj, dict):
        msg = f"{where}: expected a JSON object"
        raise InputFormatError(msg)
    unknown = sorted(set(obj) - _FIELDS)
    if unknown:
        msg = f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(_FIELDS))})"
        raise InputFormatError(msg)
    aliases = obj.get("aliases") or []
    attributes = obj.get("attributes") or {}
    if not isinstance(aliases, list):
        msg = f'{where}: "aliases" must be a list'
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
                "_where": where,
            }
        if row.get("alias"):
            alias = {"name": row["alias"], "source": row.get("alias_source") or "import"}
            if row.get("alias_script"):
                alias["script"] = row["alias_script"]
            groups[key]["aliases"].append(alias)
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
            writer.writerow([*head, alias.name, alias.source, alias.script or ""])
        count += 1
    return count
