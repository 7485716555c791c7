"""``POST /v1/cluster``: group a batch of names into entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.deps import MatcherDep, SettingsDep
from app.api.errors import error_responses
from app.api.examples import CLUSTER_EXAMPLES
from app.api.limits import check_names
from app.api.schemas import (
    ClusterEntity,
    ClusterMemberResult,
    ClusterRequest,
    ClusterResponse,
    NameCount,
)
from app.core.types import Cluster

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["Clusters"])


def _entity(cluster: Cluster) -> ClusterEntity:
    return ClusterEntity(
        entity_id=cluster.entity_id,
        canonical=cluster.canonical,
        canonical_reason=cluster.canonical_reason,
        confidence=cluster.confidence,
        members=[
            ClusterMemberResult(name=m.name, count=m.count, confidence=m.confidence)
            for m in cluster.members
        ],
    )


@router.post(
    "/cluster",
    summary="Cluster names into entities",
    response_model=ClusterResponse,
    responses=error_responses(400, 413, 422),
)
def cluster(
    request: Annotated[ClusterRequest, Body(openapi_examples=CLUSTER_EXAMPLES)],
    matcher: MatcherDep,
    settings: SettingsDep,
) -> ClusterResponse:
    """Group names into entities and choose each entity's canonical spelling.

    Names are plain strings (count 1) or `{"name": ..., "count": ...}` objects; repeated names
    are added up, and frequent spellings are preferred as canonical.

    - Every distinct name lands in exactly one entity; entities come largest total count first.
    - An entity's `confidence` is its cohesion (mean match probability between its members);
      a member's `confidence` is its mean match probability with the other members.
    - A name with no letter or digit left once normalized (an emoji, `"..."`) becomes an entity
      of its own; a blank string is refused with **422** `empty_name`.
    - At most `CANONYM_MAX_NAMES_PER_REQUEST` names of at most `CANONYM_MAX_NAME_LENGTH`
      characters (**413** otherwise).
    """
    pairs = [(n.name, n.count) if isinstance(n, NameCount) else (n, 1) for n in request.names]
    check_names([name for name, _ in pairs], settings)
    clusters = matcher.cluster(pairs)
    entities = [_entity(c) for c in clusters]
    distinct = sum(len(e.members) for e in entities)
    return ClusterResponse(entities=entities, names=distinct, entities_count=len(entities))
