"""Request and response models of the HTTP API (the only pydantic models besides settings).

Every field carries a ``description`` and ``examples``; request bodies add ``openapi_examples``
with real spelling-variant sets (``app.api.examples``). Routes convert the core's dataclasses
into these models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api.examples import (
    CLUSTER_ENTITY_EXAMPLE,
    EMPTY_NAME_MESSAGE,
    ERROR_DETAIL_EXAMPLE,
    EVIDENCE_EXAMPLE,
    NORMALIZE_RESULT_EXAMPLE,
    TOKEN_EXAMPLE,
)
from app.core.types import Evidence

__all__ = [
    "ClusterEntity",
    "ClusterMemberResult",
    "ClusterRegistryLink",
    "ClusterRequest",
    "ClusterResponse",
    "CompareRequest",
    "CompareResponse",
    "CompareResult",
    "ErrorBody",
    "ErrorDetail",
    "ErrorResponse",
    "EvidenceItem",
    "HealthResponse",
    "NameCount",
    "NamePair",
    "NormalizeRequest",
    "NormalizeResponse",
    "NormalizeResult",
    "ReadinessResponse",
    "TokenResult",
    "WeakestLinkResult",
    "evidence_items",
]

_REQUEST = ConfigDict(extra="forbid", strict=True)


# --- /v1/normalize -------------------------------------------------------------------------------


class NormalizeRequest(BaseModel):
    """Names to normalize."""

    model_config = _REQUEST

    names: list[str] = Field(
        description="Raw names, in any script. Each must keep a letter or digit once cleaned.",
        examples=[["President Muammar al-Gaddafi", "Зеленский, Владимир"]],
    )


class TokenResult(BaseModel):
    """One token of a normalized name."""

    text: str = Field(
        description="The token as written, Unicode-normalized and case-folded.",
        examples=["قذافي"],
    )
    latin: str = Field(description="Lower-case ASCII romanization.", examples=["qdhafi"])
    script: str = Field(description="Unicode script of the token.", examples=["Arabic"])
    skeleton: str = Field(
        description="Transliteration-variant key: spellings that differ only in variant "
        "letters share it.",
        examples=["KDF"],
    )


class NormalizeResult(BaseModel):
    """A name after normalization."""

    name: str = Field(
        description="The name as given in the request.", examples=["President Muammar al-Gaddafi"]
    )
    normalized: str = Field(
        description="Cleaned display form: invisible characters removed, titles removed, "
        '"Last, First" reordered; case preserved.',
        examples=["Muammar al-Gaddafi"],
    )
    latin: str = Field(
        description="The romanized tokens joined by single spaces.",
        examples=["muammar al gaddafi"],
    )
    titles: list[str] = Field(
        description="Titles and honorifics found and removed.", examples=[["President"]]
    )
    scripts: list[str] = Field(
        description="Distinct scripts of the name's letters, in order of first appearance.",
        examples=[["Latin"]],
    )
    tokens: list[TokenResult] = Field(
        description="The name's tokens, in reading order.",
        examples=[[TOKEN_EXAMPLE]],
    )


class NormalizeResponse(BaseModel):
    """Normalized names, in request order."""

    results: list[NormalizeResult] = Field(
        description="One result per requested name, in the same order.",
        examples=[[NORMALIZE_RESULT_EXAMPLE]],
    )


# --- /v1/compare ---------------------------------------------------------------------------------


class NamePair(BaseModel):
    """Two names to compare."""

    model_config = _REQUEST

    a: str = Field(description="The first name.", examples=["Gaddafi"])
    b: str = Field(description="The second name.", examples=["القذافي"])


class CompareRequest(BaseModel):
    """Pairs of names to compare."""

    model_config = _REQUEST

    pairs: list[NamePair] = Field(
        description="The pairs to compare; each name must keep a letter or digit once cleaned.",
        examples=[[{"a": "Gaddafi", "b": "Qaddafi"}]],
    )
    explain: bool = Field(
        default=False,
        description="Add a one-sentence summary and every feature's evidence to each result.",
        examples=[True],
    )


class EvidenceItem(BaseModel):
    """One named feature of a comparison."""

    feature: str = Field(
        description="The feature's name.", examples=["joined_consonant_similarity"]
    )
    value: float = Field(
        description="The feature's value; its scale is named in the description "
        "(*_similarity is 0-1, *_distance is >= 0).",
        examples=[1.0],
    )
    contribution: float = Field(
        description='What the feature adds to the log-odds of "same entity".', examples=[1.59]
    )
    description: str = Field(
        description="What the feature measures.",
        examples=["Similarity of the whole names' consonant keys, token order ignored (0-1)."],
    )


def evidence_items(evidence: Iterable[Evidence]) -> list[EvidenceItem]:
    """The core's evidence as response items (one per feature, in order)."""
    return [
        EvidenceItem(
            feature=e.feature,
            value=e.value,
            contribution=e.contribution,
            description=e.description,
        )
        for e in evidence
    ]


class CompareResult(BaseModel):
    """The decision for one pair."""

    a: str = Field(description="The first name, as given.", examples=["Gaddafi"])
    b: str = Field(description="The second name, as given.", examples=["القذافي"])
    probability: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that both names denote the same entity.",
        examples=[0.9242],
    )
    match: bool = Field(
        description="True when the probability reaches the service's threshold.", examples=[True]
    )
    summary: str | None = Field(
        default=None,
        description="One plain sentence explaining the decision (only when `explain` is true).",
        examples=["likely the same (gaddafi / al qdhafi): same consonants overall."],
    )
    evidence: list[EvidenceItem] | None = Field(
        default=None,
        description="Every feature with its contribution (only when `explain` is true).",
        examples=[[EVIDENCE_EXAMPLE]],
    )


class CompareResponse(BaseModel):
    """Decisions, in request order."""

    results: list[CompareResult] = Field(
        description="One result per requested pair, in the same order.",
        examples=[[{"a": "Gaddafi", "b": "القذافي", "probability": 0.9242, "match": True}]],
    )
    threshold: float = Field(
        ge=0.0,
        le=1.0,
        description="Probability at or above which a pair is a match.",
        examples=[0.5],
    )


# --- /v1/cluster ---------------------------------------------------------------------------------


class NameCount(BaseModel):
    """A name with the number of times it occurred."""

    model_config = _REQUEST

    name: str = Field(description="The name, as written.", examples=["Gaddafi"])
    count: int = Field(
        default=1,
        ge=1,
        le=1_000_000_000_000,
        description="How many times the name occurred; frequent spellings win as canonical.",
        examples=[12],
    )


class ClusterRequest(BaseModel):
    """Names to group into entities."""

    model_config = _REQUEST

    names: list[str | NameCount] = Field(
        description="Names, either plain strings (count 1) or objects with a count. "
        "Repeated names are added up.",
        examples=[["Gaddafi", {"name": "Qaddafi", "count": 3}, "القذافي"]],
    )
    resolve: bool = Field(
        default=False,
        description="Attach each entity to the registry entity its names resolve to: a matched "
        "entity takes the registry's id and canonical name, and `registry` says why.",
        examples=[True],
    )
    explain: bool = Field(
        default=False,
        description="Add each entity's `weakest_link`: its least confident member, the member "
        "that holds it in, and one plain sentence explaining that pair.",
        examples=[True],
    )


class ClusterMemberResult(BaseModel):
    """A distinct input name inside an entity."""

    name: str = Field(description="The name, as given.", examples=["Qaddafi"])
    count: int = Field(description="Its total count in the request.", examples=[3])
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that this name belongs to its entity, from its match "
        "probabilities with the entity's other names and the entity's size and scripts (1 for "
        "a single-name entity).",
        examples=[0.97],
    )


class ClusterRegistryLink(BaseModel):
    """How an entity of a batch relates to the registry (``resolve: true`` only)."""

    decision: str = Field(
        description="`matched`: a majority of its occurrences resolve to one registry entity; "
        "`ambiguous`: they split or only match ambiguously; `new`: none matches.",
        examples=["matched"],
    )
    entity_id: str | None = Field(
        default=None,
        description="The registry entity's stable id (matched only).",
        examples=["ent_6f1f3c2b9a0d"],
    )
    canonical: str | None = Field(
        default=None,
        description="The registry entity's canonical name (matched only).",
        examples=["Muammar Gaddafi"],
    )
    probability: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Best calibrated probability among its names (matched only).",
        examples=[0.98],
    )
    reason: str = Field(
        description="Why the decision was taken.",
        examples=["4 of 4 occurrences with a decision resolve to 'Muammar Gaddafi'"],
    )


class WeakestLinkResult(BaseModel):
    """The least certain membership of an entity, explained (``explain: true`` only)."""

    name: str = Field(description="The member with the lowest confidence.", examples=["Araqchi"])
    partner: str = Field(
        description="The member it is most probably the same as.", examples=["Abbas Araghchi"]
    )
    probability: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the two denote the same entity.",
        examples=[0.7369],
    )
    summary: str = Field(
        description="One plain sentence explaining the pair.",
        examples=[
            "likely the same: same surname after transliteration (Araqchi = Araghchi, q/gh); "
            "first name missing (Abbas); model: same consonants."
        ],
    )


class ClusterEntity(BaseModel):
    """An entity found among the names."""

    entity_id: str = Field(
        description="Identifier derived from the entity's member names (same members, same id).",
        examples=[CLUSTER_ENTITY_EXAMPLE["entity_id"]],
    )
    canonical: str = Field(description="The chosen canonical spelling.", examples=["Qaddafi"])
    canonical_reason: str = Field(
        description="Why that spelling was chosen.",
        examples=["most frequent spelling (3 occurrences)"],
    )
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="Cohesion of the entity: the mean of its members' confidences, the expected "
        "share of its names that belong to it.",
        examples=[0.97],
    )
    members: list[ClusterMemberResult] = Field(
        description="The entity's distinct names, most frequent first.",
        examples=[CLUSTER_ENTITY_EXAMPLE["members"]],
    )
    registry: ClusterRegistryLink | None = Field(
        default=None,
        description="The registry entity it resolves to (only with `resolve: true`).",
        examples=[{"decision": "new", "reason": "none of its names matches a known entity"}],
    )
    weakest_link: WeakestLinkResult | None = Field(
        default=None,
        description="Its least certain membership, explained (only with `explain: true`, and "
        "only for entities of two names or more).",
        examples=[
            {
                "name": "Abbas Araghchi",
                "partner": "Araqchi",
                "probability": 0.7369,
                "summary": "likely the same: same surname after transliteration (Araghchi = "
                "Araqchi, gh/q); first name missing (Abbas); model: same consonants, different "
                "number of tokens.",
            }
        ],
    )


class ClusterResponse(BaseModel):
    """Entities, largest total count first."""

    entities: list[ClusterEntity] = Field(
        description="Every distinct requested name appears in exactly one entity.",
        examples=[[CLUSTER_ENTITY_EXAMPLE]],
    )
    names: int = Field(
        ge=0, description="Number of distinct names that were clustered.", examples=[3]
    )
    entities_count: int = Field(ge=0, description="Number of entities found.", examples=[1])


# --- errors and system ---------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """One problem found while validating a request."""

    type: str = Field(description="Machine-readable kind of problem.", examples=["string_type"])
    loc: list[str | int] = Field(
        description="Where the problem is: body, then field names and list indexes.",
        examples=[["body", "names", 0]],
    )
    msg: str = Field(description="What is wrong.", examples=["Input should be a valid string"])
    input: Any = Field(
        default=None,
        description="The offending input (long strings and collections are truncated).",
        examples=[42],
    )


class ErrorBody(BaseModel):
    """An error's stable code and readable message."""

    code: str = Field(description="Stable snake_case error code.", examples=["batch_too_large"])
    message: str = Field(
        description="What went wrong, naming the item or limit involved.",
        examples=[
            "batch of 10001 names exceeds the limit of 10000 (CANONYM_MAX_NAMES_PER_REQUEST)"
        ],
    )
    details: list[ErrorDetail] | None = Field(
        default=None,
        description="Individual validation problems (for `invalid_request` only).",
        examples=[[ERROR_DETAIL_EXAMPLE]],
    )


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody = Field(
        description="The error.",
        examples=[{"code": "empty_name", "message": EMPTY_NAME_MESSAGE}],
    )


class HealthResponse(BaseModel):
    """Liveness of the process."""

    status: str = Field(description='Always "ok" when the process answers.', examples=["ok"])
    version: str = Field(description="Canonym's version.", examples=["0.1.0"])


class ReadinessResponse(BaseModel):
    """Readiness to serve matching requests."""

    status: str = Field(
        description='"ready" once the matcher is warmed and the registry index built.',
        examples=["ready"],
    )
