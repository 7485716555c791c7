"""``/v1/entities``: the registry's entities and their aliases (CRUD, paging, bulk import).

Reads are open; every write needs an API key when ``CANONYM_API_KEYS`` is set.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import RegistryDep, SettingsDep, WriteAccess
from app.api.errors import error_responses
from app.api.examples import (
    ALIAS_CREATE_EXAMPLES,
    ENTITY_CREATE_EXAMPLES,
    ENTITY_UPDATE_EXAMPLES,
    IMPORT_EXAMPLES,
)
from app.api.limits import check_batch_size, check_name
from app.api.registry_schemas import (
    AliasCreate,
    AliasesPublic,
    AliasPublic,
    EntitiesPublic,
    EntityCreate,
    EntityPublic,
    EntityUpdate,
    ImportResponse,
)
from app.errors import InputFormatError
from app.settings import Settings
from app.store.base import (
    AliasDraft,
    AliasQuery,
    EntityDraft,
    EntityPatch,
    EntityQuery,
)
from app.store.records import draft_from_record

__all__ = ["router"]

router = APIRouter(prefix="/v1/entities", tags=["Entities"])

EntityId = Annotated[str, Path(description="The entity's stable id.", examples=["ent_gaddafi"])]
Offset = Annotated[int, Query(ge=0, description="Items to skip.", examples=[0])]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.", examples=[100])]


def _draft(body: EntityCreate, settings: Settings) -> EntityDraft:
    check_name(body.canonical, "canonical", settings)
    aliases = []
    for i, item in enumerate(body.aliases):
        alias = AliasDraft(item, "manual") if isinstance(item, str) else _alias(item)
        check_name(alias.name, f"aliases[{i}]", settings)
        aliases.append(alias)
    return EntityDraft(
        canonical=body.canonical,
        kind=body.kind,
        id=body.id,
        country=body.country,
        wikidata_id=body.wikidata_id,
        attributes=body.attributes,
        aliases=tuple(aliases),
    )


def _alias(body: AliasCreate) -> AliasDraft:
    return AliasDraft(body.name, body.source, body.script)


@router.post(
    "",
    summary="Create an entity",
    status_code=201,
    response_model=EntityPublic,
    responses=error_responses(400, 401, 403, 409, 413, 422),
    dependencies=[WriteAccess],
)
def create_entity(
    body: Annotated[EntityCreate, Body(openapi_examples=ENTITY_CREATE_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> EntityPublic:
    """Store a new entity with its aliases and make it resolvable at once.

    - The canonical name is stored as an alias too.
    - Without an `id`, a stable one is generated (`ent_…`); an `id` that exists already is
      refused with **409** `conflict`.
    - Names are checked like everywhere else: blank **422**, too long **413**.
    """
    entity = registry.create_entity(_draft(body, settings))
    return EntityPublic.model_validate(entity, from_attributes=True)


@router.get(
    "",
    summary="List entities",
    response_model=EntitiesPublic,
    responses=error_responses(422),
)
def list_entities(
    registry: RegistryDep,
    offset: Offset = 0,
    limit: Limit = 100,
    kind: Annotated[
        Literal["person", "place", "org", "other"] | None,
        Query(description="Only entities of this kind.", examples=["place"]),
    ] = None,
    country: Annotated[
        str | None, Query(max_length=64, description="Only this country.", examples=["IR"])
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only canonical names containing this text (case-insensitive).",
            examples=["gaddafi"],
        ),
    ] = None,
) -> EntitiesPublic:
    """A page of entities ordered by canonical name, with the number of matching entities.

    Filter by `kind`, `country` and `q` (a case-insensitive part of the canonical name); page
    with `offset` and `limit` (at most 1000).
    """
    page = registry.store.list_entities(EntityQuery(offset, limit, kind, country, q))
    data = [EntityPublic.model_validate(e, from_attributes=True) for e in page.data]
    return EntitiesPublic(data=data, count=page.count)


@router.post(
    "/import",
    summary="Import entities in bulk",
    response_model=ImportResponse,
    responses=error_responses(400, 401, 403, 409, 413, 422),
    dependencies=[WriteAccess],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/EntityCreate"},
                    },
                    "examples": IMPORT_EXAMPLES,
                },
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": "One entity object per line."},
                },
            },
        }
    },
)
async def import_entities(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    on_conflict: Annotated[
        Literal["error", "skip", "merge"],
        Query(
            description="An id that exists: `error` refuses the whole import (409), `skip` "
            "leaves it, `merge` adds the aliases it lacks.",
            examples=["merge"],
        ),
    ] = "error",
) -> ImportResponse:
    """Store many entities in **one transaction**: all of them, or none when one is refused.

    The body is a JSON array of entity objects (as for `POST /v1/entities`) or JSON Lines
    (`content-type: application/x-ndjson`, one object per line). At most
    `CANONYM_MAX_ENTITIES_PER_REQUEST` entities (**413**); a record that cannot be read is a
    **400** naming its position.
    """
    raw = await request.body()
    records = _records(raw, request.headers.get("content-type", ""))
    check_batch_size(len(records), settings.max_entities_per_request, "entities")
    drafts = [_checked(r, i, settings) for i, r in enumerate(records)]
    summary = await run_in_threadpool(registry.import_entities, drafts, on_conflict)
    return ImportResponse(
        created=summary.created,
        merged=summary.merged,
        skipped=summary.skipped,
        aliases_added=summary.aliases_added,
        ids=list(summary.ids),
    )


def _records(raw: bytes, content_type: str) -> list[Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"request body is not valid UTF-8 (at byte {exc.start})"
        raise InputFormatError(msg) from None
    if "json" in content_type and "ndjson" not in content_type and "jsonl" not in content_type:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"request body is not valid JSON: {exc.msg} (at character {exc.pos})"
            raise InputFormatError(msg) from None
        if not isinstance(body, list):
            msg = "request body must be a JSON array of entities (or JSON Lines)"
            raise InputFormatError(msg)
        return body
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            msg = f"line {number}: not valid JSON ({exc.msg})"
            raise InputFormatError(msg) from None
    return records


def _checked(record: Any, index: int, settings: Settings) -> EntityDraft:
    draft = draft_from_record(record, f"entities[{index}]")
    check_name(draft.canonical, f"entities[{index}].canonical", settings)
    for i, alias in enumerate(draft.aliases):
        check_name(alias.name, f"entities[{index}].aliases[{i}]", settings)
    return draft


@router.get(
    "/{entity_id}",
    summary="Get an entity",
    response_model=EntityPublic,
    responses=error_responses(404, 422),
)
def get_entity(entity_id: EntityId, registry: RegistryDep) -> EntityPublic:
    """The entity with this id (**404** `entity_not_found` when there is none)."""
    entity = registry.store.get_entity(entity_id)
    return EntityPublic.model_validate(entity, from_attributes=True)


@router.patch(
    "/{entity_id}",
    summary="Update an entity",
    response_model=EntityPublic,
    responses=error_responses(400, 401, 403, 404, 413, 422),
    dependencies=[WriteAccess],
)
def update_entity(
    entity_id: EntityId,
    body: Annotated[EntityUpdate, Body(openapi_examples=ENTITY_UPDATE_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> EntityPublic:
    """Change the given fields of an entity; its id never changes.

    A new canonical name is added as an alias, and the old one stays an alias, so names
    resolved before still resolve to the same id.
    """
    if body.canonical is not None:
        check_name(body.canonical, "canonical", settings)
    patch = EntityPatch(
        canonical=body.canonical,
        kind=body.kind,
        country=body.country,
        wikidata_id=body.wikidata_id,
        attributes=body.attributes,
    )
    entity = registry.update_entity(entity_id, patch)
    return EntityPublic.model_validate(entity, from_attributes=True)


@router.delete(
    "/{entity_id}",
    summary="Delete an entity",
    response_model=EntityPublic,
    responses=error_responses(401, 403, 404, 422),
    dependencies=[WriteAccess],
)
def delete_entity(entity_id: EntityId, registry: RegistryDep) -> EntityPublic:
    """Delete an entity with its aliases and judgements; answers with what was deleted.

    Its id is not reused.
    """
    entity = registry.delete_entity(entity_id)
    return EntityPublic.model_validate(entity, from_attributes=True)


@router.get(
    "/{entity_id}/aliases",
    summary="List an entity's aliases",
    response_model=AliasesPublic,
    responses=error_responses(404, 422),
)
def list_aliases(
    entity_id: EntityId,
    registry: RegistryDep,
    offset: Offset = 0,
    limit: Limit = 100,
    script: Annotated[
        str | None, Query(max_length=32, description="Only this script.", examples=["Arabic"])
    ] = None,
    source: Annotated[
        str | None, Query(max_length=64, description="Only this source.", examples=["seed"])
    ] = None,
) -> AliasesPublic:
    """A page of an entity's aliases, oldest first, with the number of matching aliases.

    Filter by `script` (`Latin`, `Arabic`, `Cyrillic`, ...) and `source`.
    """
    page = registry.store.list_aliases(entity_id, AliasQuery(offset, limit, script, source))
    data = [AliasPublic.model_validate(a, from_attributes=True) for a in page.data]
    return AliasesPublic(data=data, count=page.count)


@router.post(
    "/{entity_id}/aliases",
    summary="Add an alias",
    status_code=201,
    response_model=AliasPublic,
    responses=error_responses(400, 401, 403, 404, 409, 413, 422),
    dependencies=[WriteAccess],
)
def add_alias(
    entity_id: EntityId,
    body: Annotated[AliasCreate, Body(openapi_examples=ALIAS_CREATE_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> AliasPublic:
    """Add a spelling to an entity; resolve proposes the entity for it at once.

    A name the entity has already is refused with **409** `conflict`.
    """
    check_name(body.name, "name", settings)
    alias = registry.add_alias(entity_id, _alias(body))
    return AliasPublic.model_validate(alias, from_attributes=True)


@router.delete(
    "/{entity_id}/aliases/{alias_id}",
    summary="Delete an alias",
    response_model=AliasPublic,
    responses=error_responses(401, 403, 404, 409, 422),
    dependencies=[WriteAccess],
)
def delete_alias(
    entity_id: EntityId,
    alias_id: Annotated[int, Path(description="The alias's id.", examples=[17])],
    registry: RegistryDep,
) -> AliasPublic:
    """Delete one alias; answers with what was deleted.

    The alias holding the canonical name cannot be deleted (**409**): rename the entity first.
    """
    alias = registry.delete_alias(entity_id, alias_id)
    return AliasPublic.model_validate(alias, from_attributes=True)
