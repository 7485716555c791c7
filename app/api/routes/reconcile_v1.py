"""``/reconcile/v1``: the W3C Reconciliation Service API 1.0-draft, beside 0.2's ``/reconcile``.

The same registry, resolve and scores as 0.2 (see ``app.api.reconciliation``), in the draft's
shapes: the manifest at the service root, JSON batches posted to ``match``, suggest and preview
under the root. The suggest and preview routes are 0.2's own handlers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from app import __version__
from app.api.deps import RegistryDep, SettingsDep
from app.api.errors import error_responses
from app.api.reconcile_schemas import ReconciliationCandidate, ReconciliationSuggestResponse
from app.api.reconcile_v1_schemas import (
    ReconciliationBatchV1,
    ReconciliationCandidatesV1,
    ReconciliationCandidateV1,
    ReconciliationFeatureV1,
    ReconciliationManifestV1,
    ReconciliationPreviewV1,
    ReconciliationResultsV1,
    ReconciliationSuggestV1,
    ReconciliationViewV1,
)
from app.api.reconciliation import KIND_NAMES, kind_types, reconcile, requests_from_conditions
from app.api.routes.reconcile import (
    html_responses,
    jsonp_responses,
    preview,
    suggest_entity,
    suggest_property,
    suggest_type,
)

__all__ = ["router"]

router = APIRouter(prefix="/reconcile/v1", tags=["Reconciliation"])

_BATCH_EXAMPLES = {
    "openrefine": {
        "summary": "Names with a type and a country condition",
        "value": {
            "queries": [
                {
                    "type": "person",
                    "limit": 3,
                    "conditions": [{"matchType": "name", "propertyValue": "Qaddafi"}],
                },
                {
                    "conditions": [
                        {"matchType": "name", "propertyValue": "Teheran"},
                        {"matchType": "property", "propertyId": "country", "propertyValue": "IR"},
                    ]
                },
            ]
        },
    }
}


@router.get(
    "",
    summary="Manifest (1.0-draft)",
    response_model=ReconciliationManifestV1,
    responses=error_responses(),
)
def manifest_v1(request: Request) -> ReconciliationManifestV1:
    """The service manifest of the 1.0-draft protocol: batches go to `POST /reconcile/v1/match`,
    suggestions to `/reconcile/v1/suggest/{entity,type,property}`, previews to
    `/reconcile/v1/preview?id=`."""
    base = str(request.base_url).rstrip("/")
    return ReconciliationManifestV1(
        versions=["1.0-draft"],
        name="Canonym registry",
        documentation=f"{base}/docs#/Reconciliation",
        serviceVersion=__version__,
        defaultTypes=[t for kind in KIND_NAMES for t in kind_types(kind)],
        view=ReconciliationViewV1(url=f"{base}/reconcile/view/{{id}}"),
        preview=ReconciliationPreviewV1(width=400, height=200),
        suggest=ReconciliationSuggestV1(entity=True, property=True, type=True),
    )


def _candidate(c: ReconciliationCandidate) -> ReconciliationCandidateV1:
    return ReconciliationCandidateV1(
        id=c.id,
        name=c.name,
        description=c.description,
        score=c.score,
        match=c.match,
        type=c.type,
        features=[
            ReconciliationFeatureV1(
                id=f.id, name="calibrated probability of the same entity", value=f.value
            )
            for f in c.features
        ],
    )


@router.post(
    "/match",
    summary="Reconcile a batch (1.0-draft)",
    response_model=ReconciliationResultsV1,
    responses=error_responses(400, 413, 422, 503),
)
def match(
    batch: Annotated[ReconciliationBatchV1, Body(openapi_examples=_BATCH_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> ReconciliationResultsV1:
    """Reconcile a 1.0-draft batch: one result per query, in order.

    - The first `name` condition is the name; `type` keeps only entities of that kind.
    - `id` conditions and `country` property conditions narrow the candidates (unless they
      say `required: false`); a query with `id` conditions and no name answers those entities.
    - Scores and `match` as in 0.2: the calibrated probability times 100, and `match` exactly
      when `/v1/resolve` decides `matched`.
    """
    requests = requests_from_conditions(batch.queries, settings)
    results = reconcile(requests, registry, settings)
    return ReconciliationResultsV1(
        results=[
            ReconciliationCandidatesV1(candidates=[_candidate(c) for c in results[k].result])
            for k in requests
        ]
    )


router.get(
    "/suggest/entity",
    summary="Suggest entities (1.0-draft)",
    name="suggest_entity_v1",
    responses=jsonp_responses(422, 503),
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
)(suggest_entity)
router.get(
    "/suggest/type",
    summary="Suggest types (1.0-draft)",
    name="suggest_type_v1",
    responses=jsonp_responses(422),
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
)(suggest_type)
router.get(
    "/suggest/property",
    summary="Suggest properties (1.0-draft)",
    name="suggest_property_v1",
    responses=jsonp_responses(422),
    response_model=ReconciliationSuggestResponse,
    response_model_exclude_none=True,
)(suggest_property)
router.get(
    "/preview",
    summary="Preview an entity (1.0-draft)",
    name="preview_v1",
    response_class=HTMLResponse,
    responses=html_responses(404, 422, 503),
)(preview)
