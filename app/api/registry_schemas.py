"""Request and response models of the registry routes: entities, aliases, judgements, resolve.

Kept beside ``schemas.py`` (same rules: every field has a description and examples) so that
neither module grows past a readable size; routes convert the store's dataclasses into these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.api.schemas import EvidenceItem
from app.core.matcher import RESOLVE_SPELLING_WEIGHT

__all__ = [
    "AliasCreate",
    "AliasPublic",
    "AliasesPublic",
    "EntitiesPublic",
    "EntityCreate",
    "EntityPublic",
    "EntityUpdate",
    "ImportResponse",
    "JudgementCreate",
    "JudgementPublic",
    "JudgementsPublic",
    "ResolveCandidatePublic",
    "ResolveRequest",
    "ResolveResponse",
    "ResolveResult",
]

_REQUEST = ConfigDict(extra="forbid", strict=True)
Kind = Literal["person", "place", "org", "other"]
_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
_EXAMPLE_ID = "ent_8d1c5e0f2a7b"
_CREATED = "2026-11-29T06:00:00Z"


class AliasCreate(BaseModel):
    """A spelling of an entity's name to store."""

    model_config = _REQUEST

    name: str = Field(description="The name as written, in any script.", examples=["القذافي"])
    source: str = Field(
        default="manual",
        max_length=64,
        description="Where the spelling was found.",
        examples=["reuters"],
    )
    script: str | None = Field(
        default=None,
        max_length=32,
        description="Its script; detected from the letters when omitted.",
        examples=["Arabic"],
    )


def _iso_time(value: Any) -> Any:
    """An ISO 8601 string as a ``datetime``; anything but a string is left to the strict check
    (which refuses it: a number is not a time here, though pydantic would read it as one)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            msg = "must be an ISO 8601 time such as 2026-11-30T09:12:00Z"
            raise ValueError(msg) from None
    return value


class JudgementCarried(BaseModel):
    """A reviewer's verdict on a name of the entity, as a registry export carries it."""

    model_config = _REQUEST

    name: str = Field(description="The name judged.", examples=["Gaddafi Stadium"])
    verdict: Literal["confirmed", "rejected"] = Field(
        description="`confirmed` (the name is stored as an alias too) or `rejected` (the entity "
        "is never proposed for the name).",
        examples=["rejected"],
    )
    author: str = Field(
        default="anonymous", max_length=200, description="Who gave it.", examples=["ana"]
    )
    created_at: Annotated[datetime | None, BeforeValidator(_iso_time)] = Field(
        default=None,
        description="When it was given (ISO 8601, UTC when it has no offset); the time of the "
        "import when omitted.",
        examples=["2026-11-30T09:12:00Z"],
    )


class EntityCreate(BaseModel):
    """An entity to add to the registry."""

    model_config = _REQUEST

    canonical: str = Field(
        description="The canonical name; it is stored as an alias too.",
        examples=["Muammar Gaddafi"],
    )
    kind: Kind = Field(default="other", description="What the entity is.", examples=["person"])
    id: str | None = Field(
        default=None,
        pattern=_ID_PATTERN,
        description="A stable id to use (1-64 letters, digits, `_ . : -`); generated when "
        "omitted. Ids never change once stored.",
        examples=["ent_gaddafi"],
    )
    country: str | None = Field(
        default=None, max_length=64, description="Country code or name.", examples=["LY"]
    )
    wikidata_id: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^Q[1-9][0-9]*$",
        description="The entity's Wikidata item.",
        examples=["Q19878"],
    )
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        description="Further facts as a JSON object (external ids, dates).",
        examples=[{"born": "1942"}],
    )
    aliases: list[str | AliasCreate] = Field(
        default_factory=list,
        description="Other spellings: strings or alias objects.",
        examples=[["Qaddafi", {"name": "القذافي", "source": "press"}]],
    )
    judgements: list[JudgementCarried] = Field(
        default_factory=list,
        description="Reviewers' past verdicts on names of the entity, oldest first, as `canonym "
        "registry export` writes them: importing an export keeps rejected links rejected.",
        examples=[[{"name": "Gaddafi Stadium", "verdict": "rejected", "author": "ana"}]],
    )


class EntityUpdate(BaseModel):
    """Fields of an entity to change; omitted fields stay as they are."""

    model_config = _REQUEST

    canonical: str | None = Field(
        default=None,
        description="A new canonical name (the old one stays an alias).",
        examples=["Muammar al-Qaddafi"],
    )
    kind: Kind | None = Field(default=None, description="A new kind.", examples=["person"])
    country: str | None = Field(
        default=None, max_length=64, description="A new country.", examples=["LY"]
    )
    wikidata_id: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^Q[1-9][0-9]*$",
        description="A new Wikidata item.",
        examples=["Q19878"],
    )
    attributes: dict[str, Any] | None = Field(
        default=None,
        description="New attributes (they replace the old ones).",
        examples=[{"born": "1942"}],
    )


class EntityPublic(BaseModel):
    """A stored entity."""

    id: str = Field(description="Its stable id.", examples=[_EXAMPLE_ID])
    canonical: str = Field(description="Its canonical name.", examples=["Muammar Gaddafi"])
    kind: str = Field(description="person, place, org or other.", examples=["person"])
    country: str | None = Field(description="Country code or name.", examples=["LY"])
    wikidata_id: str | None = Field(description="Its Wikidata item.", examples=["Q19878"])
    attributes: dict[str, Any] = Field(description="Further facts.", examples=[{"born": "1942"}])
    alias_count: int = Field(ge=0, description="How many aliases it has.", examples=[12])
    created_at: datetime = Field(description="When it was stored (UTC).", examples=[_CREATED])
    updated_at: datetime = Field(description="When it last changed (UTC).", examples=[_CREATED])


class EntitiesPublic(BaseModel):
    """A page of entities."""

    data: list[EntityPublic] = Field(
        description="The entities of this page, by canonical name.",
        examples=[[{"id": _EXAMPLE_ID, "canonical": "Muammar Gaddafi", "kind": "person"}]],
    )
    count: int = Field(ge=0, description="Matching entities over all pages.", examples=[338])


class AliasPublic(BaseModel):
    """A stored alias."""

    id: int = Field(description="Its id.", examples=[17])
    entity_id: str = Field(description="The entity it names.", examples=[_EXAMPLE_ID])
    name: str = Field(description="The spelling.", examples=["القذافي"])
    source: str = Field(description="Where it was found.", examples=["seed"])
    script: str = Field(description="Its script.", examples=["Arabic"])
    created_at: datetime = Field(description="When it was stored (UTC).", examples=[_CREATED])


class AliasesPublic(BaseModel):
    """A page of an entity's aliases."""

    data: list[AliasPublic] = Field(
        description="The aliases of this page, oldest first.",
        examples=[[{"id": 17, "entity_id": _EXAMPLE_ID, "name": "القذافي"}]],
    )
    count: int = Field(ge=0, description="Matching aliases over all pages.", examples=[12])


class ImportResponse(BaseModel):
    """What a bulk import did."""

    created: int = Field(ge=0, description="Entities created.", examples=[2])
    merged: int = Field(ge=0, description="Existing entities that gained aliases.", examples=[0])
    skipped: int = Field(ge=0, description="Existing entities left as they were.", examples=[0])
    aliases_added: int = Field(ge=0, description="Aliases stored.", examples=[9])
    ids: list[str] = Field(
        description="Ids of the created and merged entities, in input order.",
        examples=[["ent_gaddafi", _EXAMPLE_ID]],
    )


class JudgementCreate(BaseModel):
    """A reviewer's verdict on whether a name denotes an entity."""

    model_config = _REQUEST

    name: str = Field(description="The name that was judged.", examples=["Gadhafi"])
    entity_id: str = Field(description="The entity it was judged against.", examples=[_EXAMPLE_ID])
    verdict: Literal["confirmed", "rejected"] = Field(
        description="`confirmed`: the name becomes an alias. `rejected`: resolve never proposes "
        "this entity for this name again.",
        examples=["confirmed"],
    )
    author: str = Field(
        default="anonymous",
        min_length=1,
        max_length=200,
        description="Who judged.",
        examples=["analyst-7"],
    )


class JudgementPublic(BaseModel):
    """A stored verdict."""

    id: int = Field(description="Its id.", examples=[3])
    name: str = Field(description="The name that was judged.", examples=["Gadhafi"])
    entity_id: str = Field(description="The entity.", examples=[_EXAMPLE_ID])
    verdict: str = Field(description="`confirmed` or `rejected`.", examples=["confirmed"])
    author: str = Field(description="Who judged.", examples=["analyst-7"])
    created_at: datetime = Field(description="When (UTC).", examples=[_CREATED])
    alias_id: int | None = Field(
        description="The alias a confirmation created or found.", examples=[42]
    )


class JudgementsPublic(BaseModel):
    """A page of judgements."""

    data: list[JudgementPublic] = Field(
        description="The judgements of this page, newest first.",
        examples=[[{"id": 3, "name": "Gadhafi", "verdict": "confirmed"}]],
    )
    count: int = Field(ge=0, description="Matching judgements over all pages.", examples=[1])


class ResolveRequest(BaseModel):
    """Names to look up in the registry."""

    model_config = _REQUEST

    names: list[str] = Field(
        description="Raw names, in any script.", examples=[["Qaddafi", "Takht Rwanchi"]]
    )
    top_k: int | None = Field(
        default=None,
        ge=1,
        le=50,
        description="Candidate entities per name (default: CANONYM_RESOLVE_TOP_K).",
        examples=[3],
    )
    explain: bool = Field(
        default=False,
        description="Add every feature's evidence to each candidate.",
        examples=[False],
    )


class ResolveCandidatePublic(BaseModel):
    """A registry entity proposed for a name."""

    entity_id: str = Field(description="The entity's stable id.", examples=[_EXAMPLE_ID])
    canonical: str = Field(description="Its canonical name.", examples=["Muammar Gaddafi"])
    kind: str = Field(description="person, place, org or other.", examples=["person"])
    probability: float = Field(
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the name denotes this entity.",
        examples=[0.97],
    )
    alias: str = Field(description="The entity's alias that matched best.", examples=["Kadhafi"])
    summary: str = Field(
        description="One sentence explaining the probability.",
        examples=["likely the same (qaddafi / kadhafi): same consonants overall."],
    )
    evidence: list[EvidenceItem] | None = Field(
        default=None,
        description="Every feature with its contribution (only when `explain` is true).",
        examples=[[{"feature": "joined_consonant_similarity", "value": 1.0}]],
    )


class ResolveResult(BaseModel):
    """Which known entity one name denotes."""

    name: str = Field(description="The name, as given.", examples=["Qaddafi"])
    decision: Literal["matched", "ambiguous", "new"] = Field(
        description="`matched`: the best entity reaches the threshold and leads the runner-up "
        "by more than `margin`. `ambiguous`: it reaches the threshold but the runner-up is "
        "that close. `new`: no entity reaches the threshold.",
        examples=["matched"],
    )
    reason: str = Field(
        description="Why the decision was taken.",
        examples=["'Muammar Gaddafi' via alias 'Kadhafi' at 0.970 reaches the threshold 0.7"],
    )
    candidates: list[ResolveCandidatePublic] = Field(
        description=(
            "The best entities: a matched one first; otherwise by probability plus "
            f"{RESOLVE_SPELLING_WEIGHT:g} times their spelling closeness (see the reason)."
        ),
        examples=[[{"entity_id": _EXAMPLE_ID, "canonical": "Muammar Gaddafi"}]],
    )


class ResolveResponse(BaseModel):
    """Decisions, in request order."""

    results: list[ResolveResult] = Field(
        description="One result per requested name, in the same order.",
        examples=[[{"name": "Qaddafi", "decision": "matched"}]],
    )
    threshold: float = Field(
        ge=0.0, le=1.0, description="Probability a match needs.", examples=[0.7]
    )
    margin: float = Field(
        ge=0.0,
        le=1.0,
        description="Lead over the runner-up below which a match is ambiguous.",
        examples=[0.1],
    )
