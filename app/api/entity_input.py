"""Entity request bodies turned into store drafts: one entity (``POST /v1/entities``) or many
(the bulk import's JSON array or JSON Lines), checked by the same rules.

A bulk import is validated against the very schema its OpenAPI document shows (a list of
``EntityCreate``): what ``POST /v1/entities`` refuses, the import refuses too, with the same
422 ``invalid_request`` body naming the record (``body.3.canonical``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from app.api.deps import is_json, media_type
from app.api.limits import check_batch_size, check_entity_name
from app.api.registry_schemas import AliasCreate, EntityCreate
from app.core.matcher import Matcher
from app.errors import InputFormatError, UnsupportedMediaTypeError
from app.settings import Settings
from app.store.base import AliasDraft, EntityDraft, PastJudgement

__all__ = ["alias_draft", "entity_draft", "import_drafts", "is_json_lines"]

_JSON_LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
_ENTITIES = TypeAdapter(list[EntityCreate])


def alias_draft(body: AliasCreate) -> AliasDraft:
    """The store draft of an alias body."""
    return AliasDraft(body.name, body.source, body.script)


def entity_draft(
    body: EntityCreate, where: str, settings: Settings, matcher: Matcher
) -> EntityDraft:
    """The store draft of an entity body, its names checked (``where`` prefixes their place).

    Raises:
        NameTooLongError, EmptyNameError, InvalidNameError: see ``check_entity_name``.
    """
    check_entity_name(body.canonical, f"{where}canonical", settings, matcher)
    aliases = []
    for i, item in enumerate(body.aliases):
        alias = AliasDraft(item, "manual") if isinstance(item, str) else alias_draft(item)
        check_entity_name(alias.name, f"{where}aliases[{i}]", settings, matcher)
        aliases.append(alias)
    for i, judgement in enumerate(body.judgements):
        check_entity_name(judgement.name, f"{where}judgements[{i}].name", settings, matcher)
    return EntityDraft(
        canonical=body.canonical,
        kind=body.kind,
        id=body.id,
        country=body.country,
        wikidata_id=body.wikidata_id,
        attributes=body.attributes,
        aliases=tuple(aliases),
        judgements=tuple(
            PastJudgement(j.name, j.verdict, j.author, j.created_at) for j in body.judgements
        ),
    )


def is_json_lines(content_type: str | None) -> bool:
    """True for JSON Lines, False for JSON; ``UnsupportedMediaTypeError`` for anything else."""
    if is_json(content_type):
        return False
    if media_type(content_type) in _JSON_LINES_TYPES:
        return True
    got = f"got {media_type(content_type)!r}" if content_type else "no content-type header"
    msg = (
        "the request body must be a JSON array (content-type: application/json) or JSON Lines "
        f"(content-type: application/x-ndjson) ({got})"
    )
    raise UnsupportedMediaTypeError(msg)


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{where}: not valid JSON ({exc.msg} at character {exc.pos})"
        raise InputFormatError(msg) from None
    except RecursionError:
        # Python's parser recurses once per level: a hostile body must not become a 500.
        msg = f"{where}: not valid JSON (nested too deeply)"
        raise InputFormatError(msg) from None


def _records(raw: bytes, json_lines: bool) -> list[Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"request body is not valid UTF-8 (at byte {exc.start})"
        raise InputFormatError(msg) from None
    if not json_lines:
        body = _loads(text, "request body")
        if not isinstance(body, list):
            msg = "request body must be a JSON array of entities (or JSON Lines)"
            raise InputFormatError(msg)
        return body
    return [
        _loads(line, f"line {number}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def import_drafts(
    raw: bytes, json_lines: bool, settings: Settings, matcher: Matcher
) -> list[EntityDraft]:
    """The drafts of a bulk import body, every record checked before anything is stored.

    Raises:
        InputFormatError: the body is not UTF-8, not JSON, or a JSON line is broken (400).
        BatchTooLargeError: more than ``CANONYM_MAX_ENTITIES_PER_REQUEST`` records (413).
        RequestValidationError: a record does not match ``EntityCreate`` (422).
    """
    records = _records(raw, json_lines)
    check_batch_size(len(records), settings.max_entities_per_request, "entities")
    try:
        bodies = _ENTITIES.validate_python(records)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return [
        entity_draft(body, f"entities[{i}].", settings, matcher) for i, body in enumerate(bodies)
    ]
