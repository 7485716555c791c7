"""``POST /v1/cluster``: group a batch of names into entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from app.api.deps import JsonBody, MatcherDep, MetricsDep, SettingsDep, get_registry
from app.api.errors import error_responses
from app.api.examples import CLUSTER_EXAMPLES
from app.api.limits import check_names
from app.api.schemas import (
    ClusterEntity,
    ClusterMemberResult,
    ClusterRegistryLink,
    ClusterRequest,
    ClusterResponse,
    NameCount,
    WeakestLinkResult,
)
from app.api.turns import CORE
from app.core.index import CandidateIndex
from app.core.matcher import Matcher
from app.core.types import Cluster

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["Clusters"])


def _entity(cluster: Cluster) -> ClusterEntity:
    link = cluster.weakest_link
    return ClusterEntity(
        weakest_link=None
        if link is None
        else WeakestLinkResult(
            name=link.name,
            partner=link.partner,
            probability=link.probability,
            summary=link.summary,
        ),
        entity_id=cluster.entity_id,
        canonical=cluster.canonical,
        canonical_reason=cluster.canonical_reason,
        confidence=cluster.confidence,
        members=[
            ClusterMemberResult(name=m.name, count=m.count, confidence=m.confidence)
            for m in cluster.members
        ],
    )


def _attach(
    entity: ClusterEntity, cluster: Cluster, matcher: Matcher, index: CandidateIndex
) -> None:
    attached, resolution = matcher.attach_cluster(cluster, index)
    link = ClusterRegistryLink(decision=resolution.decision, reason=resolution.reason)
    if resolution.decision == "matched":
        top = resolution.candidates[0]
        link.entity_id, link.canonical, link.probability = (
            top.entity_id,
            top.canonical,
            top.probability,
        )
    entity.entity_id, entity.canonical = attached.entity_id, attached.canonical
    entity.canonical_reason = attached.canonical_reason
    entity.registry = link


@router.post(
    "/cluster",
    summary="Cluster names into entities",
    response_model=ClusterResponse,
    response_model_exclude_none=True,
    responses=error_responses(400, 413, 415, 422, 503),
    dependencies=[JsonBody],
)
def cluster(
    request: Annotated[ClusterRequest, Body(openapi_examples=CLUSTER_EXAMPLES)],
    matcher: MatcherDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    http: Request,
) -> ClusterResponse:
    """Group names into entities and choose each entity's canonical spelling.

    Names are plain strings (count 1) or `{"name": ..., "count": ...}` objects; repeated names
    are added up, and frequent spellings are preferred as canonical.

    - Every distinct name lands in exactly one entity; entities come largest total count first.
    - A member's `confidence` is the calibrated probability that it belongs to its entity (from
      its match probabilities with the other members and the entity's size and scripts); an
      entity's `confidence` is the mean of its members', the expected share of them that belong.
    - A name with no letter or digit left once normalized (an emoji, `"..."`) becomes an entity
      of its own; a blank string is refused with **422** `empty_name`.
    - With `resolve: true`, each entity is looked up in the registry: its (at most 20) most
      frequent names are resolved and vote with their counts. When a majority resolves to one
      registry entity, the entity takes that entity's stable `entity_id` and canonical name,
      and `registry` gives the decision and the reason (also for `ambiguous` and `new`).
    - With `explain: true`, each entity of two names or more adds its `weakest_link`: its
      least confident member, the member that holds it in, and one plain sentence about them.
    - At most `CANONYM_MAX_NAMES_PER_REQUEST` names of at most `CANONYM_MAX_NAME_LENGTH`
      characters (**413** otherwise).
    """
    pairs = [(n.name, n.count) if isinstance(n, NameCount) else (n, 1) for n in request.names]
    check_names([name for name, _ in pairs], settings)
    metrics.count_names("cluster", len(pairs))
    with CORE:  # one request at a time in the core (app.api.turns)
        clusters = matcher.cluster(pairs, explain=request.explain)
        entities = [_entity(c) for c in clusters]
        if request.resolve:
            index = get_registry(http).index
            for entity, found in zip(entities, clusters, strict=True):
                _attach(entity, found, matcher, index)
    distinct = sum(len(e.members) for e in entities)
    return ClusterResponse(entities=entities, names=distinct, entities_count=len(entities))
