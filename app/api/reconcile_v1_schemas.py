"""Models of the W3C Reconciliation Service API 1.0-draft (beside 0.2 in ``reconcile_schemas``).

The draft posts a JSON list of queries to ``{service}/match``; a query is a list of conditions (on
the name, the id or a property) instead of 0.2's ``query`` and ``properties``. Field names are
the draft's (camelCase).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.reconcile_schemas import ReconciliationPropertyValue, ReconciliationType

__all__ = [
    "ReconciliationBatchV1",
    "ReconciliationCandidateV1",
    "ReconciliationCandidatesV1",
    "ReconciliationCondition",
    "ReconciliationFeatureV1",
    "ReconciliationManifestV1",
    "ReconciliationPreviewV1",
    "ReconciliationQueryV1",
    "ReconciliationResultsV1",
    "ReconciliationSuggestV1",
    "ReconciliationViewV1",
]

# Strict: a request value of another JSON type (`"required": 0`, `"limit": "3"`) is refused,
# not converted, so what is accepted is what the OpenAPI schema says.
_QUERY = ConfigDict(extra="forbid", strict=True)
_EXAMPLE_ID = "ent_3a13e87b2c74"


class ReconciliationCondition(BaseModel):
    """One condition of a 1.0-draft query."""

    model_config = ConfigDict(strict=True)

    matchType: Literal["name", "id", "property"] = Field(  # the draft's camelCase names
        description="What the value is matched against: the entity's names, its id or a "
        "property (`country`).",
        examples=["name"],
    )
    propertyId: str | None = Field(
        default=None, description="The property (`country`) for `property`.", examples=["country"]
    )
    propertyValue: (
        str
        | float
        | bool
        | ReconciliationPropertyValue
        | list[str | float | bool | ReconciliationPropertyValue]
    ) = Field(description="The value, or a list of values.", examples=["Qaddafi"])
    required: bool | None = Field(
        default=None,
        description="Only a `property` or `id` condition that is not `required: false` narrows "
        "the candidates.",
        examples=[True],
    )
    matchQuantifier: Literal["any", "all", "none"] | None = Field(
        default=None, description="Accepted and ignored (values count as `any`).", examples=["any"]
    )
    matchQualifier: str | None = Field(
        default=None, description="Accepted and ignored.", examples=["ExactMatch"]
    )


class ReconciliationQueryV1(BaseModel):
    """One 1.0-draft query."""

    model_config = _QUERY

    type: str | None = Field(
        default=None,
        description="The entity kind candidates must have: person, place, org or other.",
        examples=["person"],
    )
    limit: float | None = Field(default=None, description="Most candidates.", examples=[3])
    lang: str | None = Field(default=None, description="Accepted and ignored.", examples=["en"])
    dir: str | None = Field(default=None, description="Accepted and ignored.", examples=["ltr"])
    conditions: list[ReconciliationCondition] = Field(
        min_length=1,
        description="The conditions: a `name` one, and optionally `id` or `property` ones.",
        examples=[[{"matchType": "name", "propertyValue": "Qaddafi"}]],
    )


class ReconciliationBatchV1(BaseModel):
    """A 1.0-draft batch of queries."""

    model_config = _QUERY

    queries: list[ReconciliationQueryV1] = Field(
        description="The queries; results come back in the same order.",
        examples=[
            [{"type": "person", "conditions": [{"matchType": "name", "propertyValue": "Qaddafi"}]}]
        ],
    )


class ReconciliationFeatureV1(BaseModel):
    """A number behind a candidate's score (1.0-draft: with a name)."""

    id: str = Field(description="The feature's id.", examples=["probability"])
    name: str = Field(
        description="What it is.", examples=["calibrated probability of the same entity"]
    )
    value: float | bool = Field(description="Its value.", examples=[0.8587])


class ReconciliationCandidateV1(BaseModel):
    """A registry entity proposed for a 1.0-draft query."""

    id: str = Field(description="The entity's stable id.", examples=[_EXAMPLE_ID])
    name: str = Field(description="Its canonical name.", examples=["Muammar Gaddafi"])
    description: str = Field(
        description="Its kind and country, the alias that matched and why.",
        examples=["Person, LY; via 'Muammar el-Qaddafi': likely the same"],
    )
    score: float = Field(description="The calibrated probability times 100.", examples=[85.87])
    match: bool = Field(
        description="True for the best candidate when resolve decides `matched`.",
        examples=[True],
    )
    type: list[ReconciliationType] = Field(
        description="Its kind.", examples=[[{"id": "person", "name": "Person"}]]
    )
    features: list[ReconciliationFeatureV1] = Field(
        description="The calibrated probability behind the score.",
        examples=[[{"id": "probability", "name": "calibrated probability", "value": 0.8587}]],
    )


class ReconciliationCandidatesV1(BaseModel):
    """The candidates of one 1.0-draft query."""

    candidates: list[ReconciliationCandidateV1] = Field(
        description="Candidates, most probable first.",
        examples=[[{"id": _EXAMPLE_ID, "name": "Muammar Gaddafi", "score": 85.87}]],
    )


class ReconciliationResultsV1(BaseModel):
    """The results of a 1.0-draft batch."""

    results: list[ReconciliationCandidatesV1] = Field(
        description="One entry per query, in the same order.",
        examples=[[{"candidates": []}]],
    )


class ReconciliationViewV1(BaseModel):
    """Where a person sees an entity (1.0-draft template: `{id}`)."""

    url: str = Field(
        description="URL template; `{id}` is the entity id.",
        examples=["http://127.0.0.1:8000/reconcile/view/{id}"],
    )


class ReconciliationPreviewV1(BaseModel):
    """The size of the preview frame (1.0-draft: at `{service}/preview?id=`)."""

    width: int = Field(description="Width in pixels.", examples=[400])
    height: int = Field(description="Height in pixels.", examples=[200])


class ReconciliationSuggestV1(BaseModel):
    """Which suggest services exist (1.0-draft: at `{service}/suggest/<kind>`)."""

    entity: bool = Field(description="`suggest/entity` exists.", examples=[True])
    property: bool = Field(description="`suggest/property` exists.", examples=[True])
    type: bool = Field(description="`suggest/type` exists.", examples=[True])


class ReconciliationManifestV1(BaseModel):
    """The 1.0-draft service manifest."""

    versions: list[str] = Field(description="Protocol versions spoken.", examples=[["1.0-draft"]])
    name: str = Field(description="The service's name.", examples=["Canonym registry"])
    documentation: str = Field(
        description="Where the service is documented.", examples=["http://127.0.0.1:8000/docs"]
    )
    serviceVersion: str = Field(description="Canonym's version.", examples=["0.1.0"])
    defaultTypes: list[ReconciliationType] = Field(
        description="The entity kinds.", examples=[[{"id": "person", "name": "Person"}]]
    )
    view: ReconciliationViewV1 = Field(
        description="Entity pages.", examples=[{"url": "http://127.0.0.1:8000/reconcile/view/{id}"}]
    )
    preview: ReconciliationPreviewV1 = Field(
        description="Entity previews.", examples=[{"width": 400, "height": 200}]
    )
    suggest: ReconciliationSuggestV1 = Field(
        description="Suggest services.",
        examples=[{"entity": True, "property": True, "type": True}],
    )
