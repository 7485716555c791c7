"""``/v1/entities``: the registry's entities and their aliases (CRUD, paging, bulk import).

Reads are open; every write needs an API key when ``CANONYM_API_KEYS`` is set.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import JsonBody, RegistryDep, SettingsDep, WriteAccess
from app.api.entity_input import alias_draft, entity_draft, import_drafts, is_json_lines
from app.api.errors import error_responses
from app.api.examples import (
    ALIAS_CREATE_EXAMPLES,
    ENTITY_CREATE_EXAMPLES,
    ENTITY_UPDATE_EXAMPLES,
    IMPORT_EXAMPLES,
)
from app.api.limits import check_entity_name
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
from app.store.base import AliasQuery, EntityPatch, EntityQuery

__all__ = ["router"]

router = APIRouter(prefix="/v1/entities", tags=["Entities"])

EntityId = Annotated[str, Path(description="The entity's stable id.", examples=["ent_gaddafi"])]
# Bounded so that every engine can take them (PostgreSQL integers are 32-bit).
Offset = Annotated[int, Query(ge=0, le=2_147_483_647, description="Items to skip.", examples=[0])]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.", examples=[100])]


@router.post(
    "",
    summary="Create an entity",
    status_code=201,
    response_model=EntityPublic,
    responses=error_responses(400, 401, 403, 409, 413, 415, 422),
    dependencies=[WriteAccess, JsonBody],
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
    entity = registry.create_entity(entity_draft(body, "", settings, registry.matcher))
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
    responses=error_responses(400, 401, 403, 409, 413, 415, 422),
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
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/EntityCreate"},
                        "description": "The same entity objects, one JSON object per line "
                        "(JSON Lines).",
                    },
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
    `CANONYM_MAX_ENTITIES_PER_REQUEST` entities (**413**). A body or line that is not JSON is a
    **400** naming the line; a record that does not match the entity schema is a **422**
    naming its index (`body.3.canonical`), exactly as `POST /v1/entities` would answer it.
    Another content type is refused with **415**.
    """
    json_lines = is_json_lines(request.headers.get("content-type"))
    raw = await request.body()
    # Parsing and checking up to CANONYM_MAX_BODY_BYTES of records: off the event loop.
    drafts = await run_in_threadpool(import_drafts, raw, json_lines, settings, registry.matcher)
    summary = await run_in_threadpool(registry.import_entities, drafts, on_conflict)
    return ImportResponse(
        created=summary.created,
        merged=summary.merged,
        skipped=summary.skipped,
        aliases_added=summary.aliases_added,
        ids=list(summary.ids),
    )


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
    responses=error_responses(400, 401, 403, 404, 413, 415, 422),
    dependencies=[WriteAccess, JsonBody],
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
        check_entity_name(body.canonical, "canonical", settings, registry.matcher)
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
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422),
    dependencies=[WriteAccess, JsonBody],
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
    check_entity_name(body.name, "name", settings, registry.matcher)
    alias = registry.add_alias(entity_id, alias_draft(body))
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
    alias_id: Annotated[
        int, Path(ge=1, le=2_147_483_647, description="The alias's id.", examples=[17])
    ],
    registry: RegistryDep,
) -> AliasPublic:
    """Delete one alias; answers with what was deleted.

    The alias holding the canonical name cannot be deleted (**409**): rename the entity first.
    """
    alias = registry.delete_alias(entity_id, alias_id)
    return AliasPublic.model_validate(alias, from_attributes=True)
