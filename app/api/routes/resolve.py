"""``POST /v1/resolve`` (which known entity is this name?) and ``/v1/judgements``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query

from app.api.deps import JsonBody, MetricsDep, RegistryDep, SettingsDep, WriteAccess
from app.api.errors import error_responses
from app.api.examples import JUDGEMENT_EXAMPLES, RESOLVE_EXAMPLES
from app.api.limits import check_entity_name, check_names
from app.api.registry_schemas import (
    JudgementCreate,
    JudgementPublic,
    JudgementsPublic,
    ResolveCandidatePublic,
    ResolveRequest,
    ResolveResponse,
    ResolveResult,
)
from app.api.schemas import evidence_items
from app.core.index import Resolution
from app.core.matcher import RESOLVE_MARGIN
from app.store.base import JudgementDraft, JudgementQuery

__all__ = ["judgements_router", "router"]

router = APIRouter(prefix="/v1", tags=["Resolution"])
judgements_router = APIRouter(prefix="/v1/judgements", tags=["Judgements"])


def _result(resolution: Resolution, explain: bool) -> ResolveResult:
    return ResolveResult(
        name=resolution.name,
        decision=resolution.decision,  # type: ignore[arg-type]
        reason=resolution.reason,
        candidates=[
            ResolveCandidatePublic(
                entity_id=c.entity_id,
                canonical=c.canonical,
                kind=c.kind,
                probability=c.probability,
                alias=c.alias,
                summary=c.summary,
                evidence=evidence_items(c.evidence) if explain else None,
            )
            for c in resolution.candidates
        ],
    )


@router.post(
    "/resolve",
    summary="Resolve names to known entities",
    response_model=ResolveResponse,
    response_model_exclude_none=True,
    responses=error_responses(400, 413, 415, 422, 503),
    dependencies=[JsonBody],
)
def resolve(
    request: Annotated[ResolveRequest, Body(openapi_examples=RESOLVE_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> ResolveResponse:
    """Find, for each name, the registry entities it may denote, and decide.

    - Candidates share blocking keys with the name and are scored with the same calibrated
      comparison as `/v1/compare`; an entity takes its best alias's `probability`. An entity
      with aliases in the name's script is judged on those.
    - `decision` is `matched` when the best probability reaches `threshold` and leads the
      runner-up by more than `margin`, `ambiguous` when the runner-up is that close, `new`
      when nothing reaches the threshold. A one-token name against a full name ("Putin"
      against "Vladimir Putin") needs only even odds, provided it leads by the margin: the
      same uniqueness rule that lets a bare surname join a cluster.
    - A `matched` entity comes first. Otherwise candidates are listed by probability plus 1.5
      times their spelling closeness: among far-apart names the pair probability alone ranks
      poorly, and the closer spelling is the better guess. The `reason` says when this puts
      another candidate first.
    - Links rejected by a judgement are never proposed.
    - Each candidate has a one-sentence `summary`; `explain: true` adds every feature.
    - At most `CANONYM_MAX_NAMES_PER_REQUEST` names (**413**); blank names **422**.
    """
    check_names(request.names, settings)
    metrics.count_names("resolve", len(request.names))
    top_k = request.top_k or settings.resolve_top_k
    resolutions = registry.resolve(request.names, top_k, request.explain)
    return ResolveResponse(
        results=[_result(r, request.explain) for r in resolutions],
        threshold=registry.matcher.threshold,
        margin=RESOLVE_MARGIN,
    )


@judgements_router.post(
    "",
    summary="Judge a name-entity link",
    status_code=201,
    response_model=JudgementPublic,
    responses=error_responses(400, 401, 403, 404, 413, 415, 422),
    dependencies=[WriteAccess, JsonBody],
)
def create_judgement(
    body: Annotated[JudgementCreate, Body(openapi_examples=JUDGEMENT_EXAMPLES)],
    registry: RegistryDep,
    settings: SettingsDep,
) -> JudgementPublic:
    """Record a reviewer's verdict on "this name denotes this entity".

    - `confirmed`: the name becomes an alias of the entity (source `judgement`) and resolves
      to it from now on; an earlier rejection of the same link is lifted.
    - `rejected`: resolve never proposes this entity for this name again (names that differ
      only in case and punctuation count as the same name), also after a restart.
    - The latest verdict on a link wins. Unknown entity: **404**.
    """
    check_entity_name(body.name, "name", settings, registry.matcher)
    draft = JudgementDraft(body.name, body.entity_id, body.verdict, body.author)
    judgement = registry.add_judgement(draft)
    return JudgementPublic.model_validate(judgement, from_attributes=True)


@judgements_router.get(
    "",
    summary="List judgements",
    response_model=JudgementsPublic,
    responses=error_responses(422),
)
def list_judgements(
    registry: RegistryDep,
    offset: Annotated[
        int, Query(ge=0, le=2_147_483_647, description="Items to skip.", examples=[0])
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Items per page.", examples=[100])
    ] = 100,
    entity_id: Annotated[
        str | None, Query(description="Only this entity.", examples=["ent_gaddafi"])
    ] = None,
    verdict: Annotated[
        Literal["confirmed", "rejected"] | None,
        Query(description="Only this verdict.", examples=["rejected"]),
    ] = None,
) -> JudgementsPublic:
    """A page of judgements, newest first, with the number of matching judgements.

    Filter by `entity_id` and `verdict`.
    """
    page = registry.store.list_judgements(JudgementQuery(offset, limit, entity_id, verdict))
    data = [JudgementPublic.model_validate(j, from_attributes=True) for j in page.data]
    return JudgementsPublic(data=data, count=page.count)
