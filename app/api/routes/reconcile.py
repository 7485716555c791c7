"""``/reconcile``: the W3C Reconciliation Service API 0.2 (OpenRefine's protocol).

The service URL to give OpenRefine is ``http://<host>:<port>/reconcile``. GET without
``queries`` answers the manifest; GET or POST (form) with ``queries`` answers a batch. GET routes
also answer JSONP when given ``callback`` (older OpenRefine widgets call them from the browser).
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from app import __version__
from app.api.deps import RegistryDep, SettingsDep
from app.api.errors import error_responses
from app.api.reconcile_schemas import (
    ReconciliationForm,
    ReconciliationManifest,
    ReconciliationPreviewSettings,
    ReconciliationResults,
    ReconciliationSuggestion,
    ReconciliationSuggestResponse,
    ReconciliationSuggestService,
    ReconciliationSuggestSettings,
    ReconciliationView,
)
from app.api.reconciliation import (
    KIND_NAMES,
    PROPERTIES,
    describe,
    kind_types,
    parse_queries,
    reconcile,
    suggest_entities,
)
from app.api.registry import Registry
from app.errors import EntityNotFoundError
from app.store.base import AliasQuery, Entity

__all__ = [
    "html_responses",
    "jsonp_responses",
    "preview",
    "router",
    "suggest_entity",
    "suggest_property",
    "suggest_type",
]

router = APIRouter(prefix="/reconcile", tags=["Reconciliation"])

_QUERIES_EXAMPLE = json.dumps(
    {
        "q0": {"query": "Qaddafi", "type": "person", "limit": 3},
        "q1": {"query": "Teheran", "type": "place", "properties": [{"pid": "country", "v": "IR"}]},
    }
)
Queries = Annotated[
    str | None,
    Query(
        description="A JSON object of queries under keys of your choice; each has `query` (the "
        "name), optional `type` (person, place, org, other), `limit` and `properties` "
        "(`country`). Omitted: the manifest.",
        examples=[_QUERIES_EXAMPLE],
    ),
]
Callback = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$",
        description="JSONP: wrap the JSON in a call of this function.",
        examples=["jsonp123"],
    ),
]


def html_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    # HTML on success, but errors stay JSON: their content is given explicitly, or FastAPI
    # would document them under the route's text/html media type.
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    out: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/html": {"schema": {"type": "string"}}}}
    }
    for status, response in error_responses(*statuses).items():
        out[status] = {"description": response["description"], "content": error}
    return out


def jsonp_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``error_responses`` plus the JSONP answer: with ``callback``, a 200 is JavaScript (the
    JSON, wrapped in a call of the callback) beside the route's JSON."""
    out = error_responses(*statuses)
    out[200] = {"content": {"application/javascript": {"schema": {"type": "string"}}}}
    return out


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _answer(model: BaseModel, callback: str | None) -> BaseModel | Response:
    if callback is None:
        return model
    body = model.model_dump_json(exclude_none=True)
    return Response(f"/**/{callback}({body});", media_type="application/javascript")


def manifest(base: str) -> ReconciliationManifest:
    """The service manifest, with URLs on ``base`` (the service's own address)."""

    def suggest(path: str) -> ReconciliationSuggestService:
        return ReconciliationSuggestService(service_url=base, service_path=path)

    return ReconciliationManifest(
        versions=["0.2"],
        name="Canonym registry",
        identifierSpace=f"{base}/v1/entities/",
        schemaSpace=f"{base}/reconcile/properties/",
        documentation=f"{base}/docs#/Reconciliation",
        serviceVersion=__version__,
        defaultTypes=[t for kind in KIND_NAMES for t in kind_types(kind)],
        view=ReconciliationView(url=f"{base}/reconcile/view/{{{{id}}}}"),
        preview=ReconciliationPreviewSettings(
            url=f"{base}/reconcile/preview?id={{{{id}}}}", width=400, height=200
        ),
        suggest=ReconciliationSuggestSettings(
            entity=suggest("/reconcile/suggest/entity"),
            type=suggest("/reconcile/suggest/type"),
            property=suggest("/reconcile/suggest/property"),
        ),
    )


@router.get(
    "",
    summary="Manifest or reconcile a batch",
    response_model=ReconciliationManifest | ReconciliationResults,
    response_model_exclude_none=True,
    responses=jsonp_responses(400, 413, 422, 503),
)
def reconcile_get(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    queries: Queries = None,
    callback: Callback = None,
) -> BaseModel | Response:
    """The reconciliation endpoint of the W3C Reconciliation Service API 0.2.

    - Without `queries`: the **service manifest** (versions, identifier space, the entity kinds
      as types, the view, preview and suggest URLs).
    - With `queries`: the candidates of every query, under the same keys. `score` is the
      calibrated probability times 100, `match` is true for the best candidate exactly when
      `/v1/resolve` decides `matched`. A query's `type` keeps only entities of those kinds, its
      `country` property only entities of that country.
    - At most `CANONYM_MAX_NAMES_PER_REQUEST` queries (**413**); a `queries` value that is not
      a query batch (or names an unknown type) is a **422** `invalid_request`.
    """
    if queries is None:
        return _answer(manifest(_base(request)), callback)
    requests = parse_queries(queries, settings)
    return _answer(ReconciliationResults(reconcile(requests, registry, settings)), callback)


@router.post(
    "",
    summary="Reconcile a batch (form)",
    response_model=ReconciliationResults,
    response_model_exclude_none=True,
    responses=error_responses(400, 413, 422, 503),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "examples": {
                        "openrefine": {
                            "summary": "An OpenRefine batch: names with types and a country",
                            "value": {"queries": _QUERIES_EXAMPLE},
                        }
                    }
                }
            }
        }
    },
)
def reconcile_post(
    registry: RegistryDep,
    settings: SettingsDep,
    form: Annotated[ReconciliationForm, Form()],
) -> ReconciliationResults:
    """Reconcile the batch in the form field `queries` (how OpenRefine sends it).

    Same answer as `GET /reconcile?queries=...`.
    """
    requests = parse_queries(form.queries, settings)
    return ReconciliationResults(reconcile(requests, registry, settings))


@router.get(
    "/suggest/entity",
    summary="Suggest entities",
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
    responses=jsonp_responses(422, 503),
)
def suggest_entity(
    registry: RegistryDep,
    prefix: Annotated[
        str, Query(max_length=200, description="What was typed so far.", examples=["Qadd"])
    ],
    type: Annotated[  # the protocol names it so
        Literal["person", "place", "org", "other"] | None,
        Query(description="Only entities of this kind.", examples=["person"]),
    ] = None,
    cursor: Annotated[int, Query(ge=0, le=1000, description="Items to skip.", examples=[0])] = 0,
    callback: Callback = None,
) -> BaseModel | Response:
    """Auto-complete entity names: canonical names that contain `prefix`, then the entities
    resolve proposes for it with a probability of at least 0.5 (other spellings and scripts),
    ten per page from `cursor`."""
    found = suggest_entities(registry, prefix, type, cursor + 10)[cursor:]
    return _answer(ReconciliationSuggestResponse(result=found), callback)


@router.get(
    "/suggest/type",
    summary="Suggest types",
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
    responses=jsonp_responses(422),
)
def suggest_type(
    prefix: Annotated[
        str, Query(max_length=200, description="What was typed so far.", examples=["pe"])
    ] = "",
    callback: Callback = None,
) -> BaseModel | Response:
    """The entity kinds (person, place, org, other) whose id or name starts with `prefix`."""
    p = prefix.strip().casefold()
    found = [
        ReconciliationSuggestion(id=kind, name=name)
        for kind, name in KIND_NAMES.items()
        if kind.startswith(p) or name.casefold().startswith(p)
    ]
    return _answer(ReconciliationSuggestResponse(result=found), callback)


@router.get(
    "/suggest/property",
    summary="Suggest properties",
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
    responses=jsonp_responses(422),
)
def suggest_property(
    prefix: Annotated[
        str, Query(max_length=200, description="What was typed so far.", examples=["cou"])
    ] = "",
    callback: Callback = None,
) -> BaseModel | Response:
    """The properties that narrow candidates (`country`) whose id starts with `prefix`."""
    p = prefix.strip().casefold()
    found = [
        ReconciliationSuggestion(id=pid, name=pid, description=text)
        for pid, text in PROPERTIES.items()
        if pid.startswith(p)
    ]
    return _answer(ReconciliationSuggestResponse(result=found), callback)


def _aliases(registry: Registry, entity: Entity, limit: int) -> list[str]:
    page = registry.store.list_aliases(entity.id, AliasQuery(0, limit))
    return [a.name for a in page.data if a.name != entity.canonical]


def _entity_html(registry: Registry, entity: Entity, limit: int) -> str:
    names = "".join(f"<li>{escape(n)}</li>" for n in _aliases(registry, entity, limit))
    wikidata = (
        f' · <a href="https://www.wikidata.org/wiki/{escape(entity.wikidata_id)}">'
        f"{escape(entity.wikidata_id)}</a>"
        if entity.wikidata_id
        else ""
    )
    return (
        f"<h1>{escape(entity.canonical)}</h1>"
        f"<p>{escape(describe(entity, entity.kind))} · <code>{escape(entity.id)}</code>"
        f"{wikidata} · {entity.alias_count} names</p><ul>{names}</ul>"
    )


_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    "<style>body{{font:14px system-ui,sans-serif;margin:{margin}}}h1{{font-size:1.3em;"
    "margin:0 0 4px}}p{{color:#555;margin:0 0 6px}}ul{{margin:0;padding-left:18px}}</style>"
    "</head><body>{body}</body></html>"
)
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def _page(title: str, body: str, margin: str) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=escape(title), body=body, margin=margin))


@router.get(
    "/preview",
    summary="Preview an entity",
    response_class=HTMLResponse,
    responses=html_responses(404, 422, 503),
)
def preview(
    registry: RegistryDep,
    id: Annotated[  # the protocol names it so
        str, Query(max_length=64, description="The entity's id.", examples=["ent_3a13e87b2c74"])
    ],
) -> HTMLResponse:
    """A small HTML card of the entity (name, kind, country, first spellings) for OpenRefine's
    preview frame (400 x 200 pixels)."""
    entity = registry.store.get_entity(id)
    return _page(entity.canonical, _entity_html(registry, entity, 8), "6px")


@router.get(
    "/view/{entity_id}",
    summary="View an entity",
    response_class=HTMLResponse,
    responses=html_responses(404, 422, 503),
)
def view(
    registry: RegistryDep,
    entity_id: Annotated[
        str, Path(max_length=64, description="The entity's id.", examples=["ent_3a13e87b2c74"])
    ],
) -> HTMLResponse:
    """The entity's page: every spelling, with links to its JSON and to the review page."""
    if not _ID_PATTERN.fullmatch(entity_id):
        msg = f"no entity with id {entity_id[:80]!r}"
        raise EntityNotFoundError(msg)
    entity = registry.store.get_entity(entity_id)
    links = (
        f'<p><a href="../../v1/entities/{escape(entity.id)}">JSON</a> · '
        f'<a href="../../review">review page</a></p>'
    )
    return _page(entity.canonical, _entity_html(registry, entity, 1000) + links, "24px")
