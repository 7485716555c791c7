"""Models of the W3C Reconciliation Service API 0.2 (the protocol OpenRefine speaks).

Field names follow the specification (``identifierSpace``, ``type_strict``), not the house's
snake_case, so that the JSON is the protocol's. The query batch arrives JSON-encoded in a
``queries`` parameter and is validated with ``QUERY_BATCH``; responses are built from the models
below and validate against the specification's JSON schemas (tests/data/reconciliation/).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, TypeAdapter

__all__ = [
    "QUERY_BATCH",
    "ReconciliationCandidate",
    "ReconciliationFeature",
    "ReconciliationForm",
    "ReconciliationManifest",
    "ReconciliationPreviewSettings",
    "ReconciliationProperty",
    "ReconciliationPropertyValue",
    "ReconciliationQuery",
    "ReconciliationResult",
    "ReconciliationResults",
    "ReconciliationSuggestResponse",
    "ReconciliationSuggestService",
    "ReconciliationSuggestSettings",
    "ReconciliationSuggestion",
    "ReconciliationType",
    "ReconciliationView",
]

_QUERY = ConfigDict(extra="forbid")
_EXAMPLE_ID = "ent_3a13e87b2c74"


class ReconciliationPropertyValue(BaseModel):
    """A property value that is itself an entity (as OpenRefine sends reconciled cells)."""

    id: str = Field(description="The entity's identifier.", examples=["IR"])
    name: str | None = Field(default=None, description="Its name.", examples=["Iran"])


class ReconciliationProperty(BaseModel):
    """A property value that narrows the candidates."""

    model_config = _QUERY

    pid: str = Field(description="The property's id (`country`).", examples=["country"])
    v: (
        str
        | float
        | bool
        | ReconciliationPropertyValue
        | list[str | float | bool | ReconciliationPropertyValue]
    ) = Field(description="A value or a list of values.", examples=["LY"])


class ReconciliationQuery(BaseModel):
    """One query of a batch."""

    model_config = _QUERY

    query: str | None = Field(
        default=None, description="The name to reconcile.", examples=["Qaddafi"]
    )
    type: str | list[str] | None = Field(
        default=None,
        description="Entity kinds the candidates must have: person, place, org or other.",
        examples=["person"],
    )
    limit: float | None = Field(
        default=None, description="Most candidates to return.", examples=[3]
    )
    properties: list[ReconciliationProperty] | None = Field(
        default=None,
        description="Property values that narrow the candidates (`country`).",
        examples=[[{"pid": "country", "v": "LY"}]],
    )
    type_strict: Literal["any", "should", "all"] | None = Field(
        default=None,
        description="Accepted and ignored: a candidate must have one of the given types.",
        examples=["should"],
    )


class ReconciliationForm(BaseModel):
    """The form OpenRefine posts: a query batch, JSON-encoded, in the field `queries`."""

    queries: str = Field(
        description="A JSON object of queries (see `GET /reconcile`).",
        examples=['{"q0": {"query": "Qaddafi", "type": "person"}}'],
    )


QUERY_BATCH: TypeAdapter[dict[str, ReconciliationQuery]] = TypeAdapter(
    dict[str, ReconciliationQuery]
)


class ReconciliationType(BaseModel):
    """An entity kind, as a reconciliation type."""

    id: str = Field(description="The kind's id.", examples=["person"])
    name: str = Field(description="Its readable name.", examples=["Person"])


class ReconciliationFeature(BaseModel):
    """A number behind a candidate's score."""

    id: str = Field(description="The feature's id.", examples=["probability"])
    value: float | bool = Field(
        description="Its value; `probability` is the calibrated probability (0-1).",
        examples=[0.8046],
    )


class ReconciliationCandidate(BaseModel):
    """A registry entity proposed for a query."""

    id: str = Field(description="The entity's stable id.", examples=[_EXAMPLE_ID])
    name: str = Field(description="Its canonical name.", examples=["Muammar Gaddafi"])
    description: str = Field(
        description="Its kind and country, the alias that matched and why.",
        examples=["Person, LY; via 'Colonel Gaddafi': likely the same"],
    )
    score: float = Field(
        description="The calibrated probability that the query denotes it, times 100.",
        examples=[80.46],
    )
    match: bool = Field(
        description="True for the best candidate when resolve decides `matched` (it reaches "
        "the threshold and leads the runner-up by more than the margin).",
        examples=[True],
    )
    type: list[ReconciliationType] = Field(
        description="Its kind.", examples=[[{"id": "person", "name": "Person"}]]
    )
    features: list[ReconciliationFeature] = Field(
        description="The calibrated probability behind the score.",
        examples=[[{"id": "probability", "value": 0.8046}]],
    )


class ReconciliationResult(BaseModel):
    """The candidates of one query, best first."""

    result: list[ReconciliationCandidate] = Field(
        description="Candidates, most probable first.",
        examples=[[{"id": _EXAMPLE_ID, "name": "Muammar Gaddafi", "score": 80.46}]],
    )


class ReconciliationResults(RootModel[dict[str, ReconciliationResult]]):
    """The results of a batch, under the keys of its queries."""


class ReconciliationView(BaseModel):
    """Where a person sees an entity."""

    url: str = Field(
        description="URL template; `{{id}}` is the entity id.",
        examples=["http://127.0.0.1:8000/reconcile/view/{{id}}"],
    )


class ReconciliationPreviewSettings(BaseModel):
    """The HTML preview of an entity."""

    url: str = Field(
        description="URL template; `{{id}}` is the entity id.",
        examples=["http://127.0.0.1:8000/reconcile/preview?id={{id}}"],
    )
    width: int = Field(description="Width of the preview frame in pixels.", examples=[400])
    height: int = Field(description="Height of the preview frame in pixels.", examples=[200])


class ReconciliationSuggestService(BaseModel):
    """One suggest (auto-complete) service."""

    service_url: str = Field(
        description="Base URL of the service.", examples=["http://127.0.0.1:8000"]
    )
    service_path: str = Field(
        description="Path of the suggest route.", examples=["/reconcile/suggest/entity"]
    )


class ReconciliationSuggestSettings(BaseModel):
    """The suggest services."""

    entity: ReconciliationSuggestService = Field(
        description="Entities by name.",
        examples=[
            {"service_url": "http://127.0.0.1:8000", "service_path": "/reconcile/suggest/entity"}
        ],
    )
    type: ReconciliationSuggestService = Field(
        description="Entity kinds.",
        examples=[
            {"service_url": "http://127.0.0.1:8000", "service_path": "/reconcile/suggest/type"}
        ],
    )
    property: ReconciliationSuggestService = Field(
        description="Properties that narrow candidates.",
        examples=[
            {"service_url": "http://127.0.0.1:8000", "service_path": "/reconcile/suggest/property"}
        ],
    )


class ReconciliationManifest(BaseModel):
    """The service manifest: what the reconciliation service offers."""

    versions: list[str] = Field(description="Protocol versions spoken.", examples=[["0.2"]])
    name: str = Field(description="The service's name.", examples=["Canonym registry"])
    identifierSpace: str = Field(  # the protocol names fields in camelCase
        description="URI of the entity identifiers.",
        examples=["http://127.0.0.1:8000/v1/entities/"],
    )
    schemaSpace: str = Field(
        description="URI of the properties.",
        examples=["http://127.0.0.1:8000/reconcile/properties/"],
    )
    documentation: str = Field(
        description="Where the service is documented.", examples=["http://127.0.0.1:8000/docs"]
    )
    serviceVersion: str = Field(description="Canonym's version.", examples=["0.1.0"])
    defaultTypes: list[ReconciliationType] = Field(
        description="The entity kinds.", examples=[[{"id": "person", "name": "Person"}]]
    )
    view: ReconciliationView = Field(
        description="Entity pages.",
        examples=[{"url": "http://127.0.0.1:8000/reconcile/view/{{id}}"}],
    )
    preview: ReconciliationPreviewSettings = Field(
        description="Entity previews.",
        examples=[
            {
                "url": "http://127.0.0.1:8000/reconcile/preview?id={{id}}",
                "width": 400,
                "height": 200,
            }
        ],
    )
    suggest: ReconciliationSuggestSettings = Field(
        description="Auto-complete services.",
        examples=[
            {
                "entity": {
                    "service_url": "http://127.0.0.1:8000",
                    "service_path": "/reconcile/suggest/entity",
                }
            }
        ],
    )


class ReconciliationSuggestion(BaseModel):
    """One auto-complete proposal."""

    id: str = Field(description="Identifier of the entity, kind or property.", examples=["IR"])
    name: str = Field(description="Its name.", examples=["Tehran"])
    description: str | None = Field(
        default=None, description="Context to tell namesakes apart.", examples=["Place, IR"]
    )
    notable: list[ReconciliationType] | None = Field(
        default=None,
        description="The entity's kind (entities only).",
        examples=[[{"id": "place", "name": "Place"}]],
    )


class ReconciliationSuggestResponse(BaseModel):
    """Auto-complete proposals."""

    result: list[ReconciliationSuggestion] = Field(
        description="Proposals, best first.",
        examples=[[{"id": "ent_7c1e0bd0a5d2", "name": "Tehran", "description": "Place, IR"}]],
    )
