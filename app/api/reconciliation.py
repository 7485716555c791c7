"""The W3C Reconciliation Service API 0.2 over the registry: what OpenRefine asks and is told.

* **Types** are the registry's entity kinds (person, place, org, other). A query's ``type``
  (one id or several) keeps only entities of those kinds as candidates; ``type_strict`` is
  accepted and treated as ``any``.
* **Properties**: ``country`` narrows the candidates to entities of that country (a code as
  stored, e.g. ``LY``; compared case-insensitively for codes). Other properties are ignored, as
  the specification allows.
* **Scores** come from resolve's calibrated probability: ``score`` is the probability times
  100, and ``match`` is true for the best candidate exactly when resolve decides ``matched``
  (it reaches the threshold and leads the runner-up by more than the margin), so OpenRefine
  auto-matches what Canonym would. A query without a name gets no candidates.

Filters apply before the matcher pre-selects the candidates it scores, so a filtered query is
answered among the entities that pass, not by dropping the unfiltered best ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.api.limits import check_batch_size, check_name
from app.api.reconcile_schemas import (
    QUERY_BATCH,
    ReconciliationCandidate,
    ReconciliationFeature,
    ReconciliationPropertyValue,
    ReconciliationQuery,
    ReconciliationResult,
    ReconciliationSuggestion,
    ReconciliationType,
)
from app.api.reconcile_v1_schemas import ReconciliationQueryV1
from app.api.registry import Registry
from app.core.index import Resolution
from app.errors import InvalidRequestError
from app.settings import Settings
from app.store.base import Entity, EntityQuery

__all__ = [
    "KIND_NAMES",
    "PROPERTIES",
    "ReconciliationRequest",
    "describe",
    "kind_types",
    "parse_queries",
    "reconcile",
    "requests_from_conditions",
    "suggest_entities",
]

KIND_NAMES: dict[str, str] = {
    "person": "Person",
    "place": "Place",
    "org": "Organisation",
    "other": "Other",
}
PROPERTIES: dict[str, str] = {"country": "Country (as stored in the registry, e.g. IR, LY)"}

# Most candidates per query (the registry's resolve_top_k bound).
MAX_LIMIT = 50
# Suggest adds resolve's candidates only from this probability on: an auto-complete list of
# weak look-alikes is noise.
SUGGEST_MIN_PROBABILITY = 0.5
# Entities read per page when collecting the ids of a country.
_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ReconciliationRequest:
    """One parsed query: the name, the kinds, countries and ids candidates must have, the
    limit."""

    name: str
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    limit: int | None = None
    ids: tuple[str, ...] = ()


@dataclass(slots=True)
class _CountryIds:
    """Ids of the entities of each country asked in one batch (read once per country)."""

    registry: Registry
    cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def ids(self, country: str) -> frozenset[str]:
        if country not in self.cache:
            found: set[str] = set()
            for value in dict.fromkeys((country, country.upper())):
                found.update(self._read(value))
            self.cache[country] = frozenset(found)
        return self.cache[country]

    def _read(self, country: str) -> Iterable[str]:
        offset = 0
        while True:
            page = self.registry.store.list_entities(EntityQuery(offset, _PAGE, country=country))
            yield from (e.id for e in page.data)
            offset += _PAGE
            if offset >= page.count:
                return


def kind_types(kind: str) -> list[ReconciliationType]:
    """The reconciliation type of an entity kind."""
    return [ReconciliationType(id=kind, name=KIND_NAMES.get(kind, kind.title()))]


def _values(v: object) -> list[str]:
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, ReconciliationPropertyValue):
            out.append(item.id)
        elif isinstance(item, bool | int | float | str):
            out.append(str(item))
    return [s.strip() for s in out if s.strip()]


def _request(key: str, query: ReconciliationQuery, settings: Settings) -> ReconciliationRequest:
    name = (query.query or "").strip()
    if name:
        check_name(name, f"queries[{key!r}].query", settings)
    types = [query.type] if isinstance(query.type, str) else list(query.type or [])
    unknown = [t for t in types if t not in KIND_NAMES]
    if unknown:
        msg = f"queries[{key!r}].type {unknown[0]!r} is not one of {', '.join(KIND_NAMES)}"
        raise InvalidRequestError(msg)
    countries: list[str] = []
    for prop in query.properties or []:
        if prop.pid == "country":
            countries.extend(_values(prop.v))
    limit = None if query.limit is None else max(1, min(int(query.limit), MAX_LIMIT))
    return ReconciliationRequest(name, tuple(types), tuple(countries), limit)


def parse_queries(raw: str, settings: Settings) -> dict[str, ReconciliationRequest]:
    """Parse a ``queries`` parameter: a JSON object of queries under the caller's keys.

    Raises:
        InvalidRequestError: not JSON, not a query batch of the specification, or an unknown type.
        BatchTooLargeError: more queries than ``CANONYM_MAX_NAMES_PER_REQUEST``.
        NameTooLongError: a name over ``CANONYM_MAX_NAME_LENGTH``.
    """
    try:
        batch = QUERY_BATCH.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = f"queries is not a reconciliation query batch: {first['msg']}" + (
            f" (at {where})" if where else ""
        )
        raise InvalidRequestError(msg) from None
    check_batch_size(len(batch), settings.max_names_per_request, "names")
    return {key: _request(key, query, settings) for key, query in batch.items()}


def _accept(
    request: ReconciliationRequest, registry: Registry, countries: _CountryIds
) -> Callable[[str], bool] | None:
    if not request.kinds and not request.countries and not request.ids:
        return None
    allowed: frozenset[str] | None = None
    if request.countries:
        allowed = frozenset().union(*(countries.ids(c) for c in request.countries))
    if request.ids:
        allowed = frozenset(request.ids) & (
            allowed if allowed is not None else frozenset(request.ids)
        )

    def accept(entity_id: str) -> bool:
        if allowed is not None and entity_id not in allowed:
            return False
        if request.kinds:
            entity = registry.index.entity(entity_id)
            return entity is not None and entity[1] in request.kinds
        return True

    return accept


def _of_kind(registry: Registry, kind: str) -> Callable[[str], bool]:
    def accept(entity_id: str) -> bool:
        entity = registry.index.entity(entity_id)
        return entity is not None and entity[1] == kind

    return accept


def describe(entity: Entity | None, kind: str) -> str:
    """``Person, LY``: an entity's kind and country, to tell namesakes apart."""
    country = entity.country if entity is not None else None
    return KIND_NAMES.get(kind, kind.title()) + (f", {country}" if country else "")


def _candidates(resolution: Resolution, registry: Registry) -> list[ReconciliationCandidate]:
    out = []
    # The protocol's clients read candidates in score order: without a clear match resolve
    # lists them by probability and spelling closeness, here they go by probability (a matched
    # entity is the most probable, so it stays first).
    ranked = sorted(resolution.candidates, key=lambda c: -c.probability)
    for rank, c in enumerate(ranked):
        entity = registry.find_entity(c.entity_id)
        # The score is the probability shown in ``features`` times 100: rounded from the
        # unrounded probability, the two could disagree in the last place (0.92085 / 92.09).
        probability = round(c.probability, 6)
        out.append(
            ReconciliationCandidate(
                id=c.entity_id,
                name=c.canonical,
                description=f"{describe(entity, c.kind)}; via {c.alias!r}: {c.summary}",
                score=round(probability * 100, 2),
                match=rank == 0 and resolution.decision == "matched",
                type=kind_types(c.kind),
                features=[ReconciliationFeature(id="probability", value=probability)],
            )
        )
    return out


def _by_id(request: ReconciliationRequest, registry: Registry) -> list[ReconciliationCandidate]:
    """A query without a name but with ids (1.0-draft ``id`` conditions): those entities."""
    found = [e for i in request.ids if (e := registry.find_entity(i)) is not None]
    found = [e for e in found if not request.kinds or e.kind in request.kinds]
    return [
        ReconciliationCandidate(
            id=e.id,
            name=e.canonical,
            description=describe(e, e.kind),
            score=100.0,
            match=len(found) == 1,
            type=kind_types(e.kind),
            features=[ReconciliationFeature(id="probability", value=1.0)],
        )
        for e in found
    ]


def requests_from_conditions(
    queries: list[ReconciliationQueryV1], settings: Settings
) -> dict[str, ReconciliationRequest]:
    """1.0-draft queries as requests (keyed by position): the first ``name`` condition is the
    name; ``id`` conditions and ``country`` property conditions narrow the candidates unless
    they say ``required: false``; other properties are ignored."""
    check_batch_size(len(queries), settings.max_names_per_request, "names")
    out = {}
    for i, query in enumerate(queries):
        names = [c for c in query.conditions if c.matchType == "name"]
        narrowing = [c for c in query.conditions if c.required is not False]
        ids = [v for c in narrowing if c.matchType == "id" for v in _values(c.propertyValue)]
        countries = [
            v
            for c in narrowing
            if c.matchType == "property" and c.propertyId == "country"
            for v in _values(c.propertyValue)
        ]
        batch_query = ReconciliationQuery(
            query=(_values(names[0].propertyValue) or [""])[0] if names else None,
            type=query.type,
            limit=query.limit,
        )
        request = _request(f"{i}", batch_query, settings)
        out[str(i)] = ReconciliationRequest(
            request.name, request.kinds, tuple(countries), request.limit, tuple(ids)
        )
    return out


def reconcile(
    requests: dict[str, ReconciliationRequest], registry: Registry, settings: Settings
) -> dict[str, ReconciliationResult]:
    """Candidates for every query of a batch, under the same keys."""
    countries = _CountryIds(registry)
    results: dict[str, ReconciliationResult] = {}
    for key, request in requests.items():
        if not request.name:
            results[key] = ReconciliationResult(result=_by_id(request, registry))
            continue
        top_k = request.limit or settings.resolve_top_k
        accept = _accept(request, registry, countries)
        (resolution,) = registry.resolve([request.name], top_k, False, accept)
        results[key] = ReconciliationResult(result=_candidates(resolution, registry))
    return results


def suggest_entities(
    registry: Registry, prefix: str, kind: str | None, limit: int
) -> list[ReconciliationSuggestion]:
    """Entities for an auto-complete box: canonical names containing ``prefix`` first, then
    the entities resolve proposes for it with a probability of at least 0.5 (other spellings
    and scripts)."""
    prefix = prefix.strip()
    if not prefix:
        return []
    found: dict[str, tuple[str, str]] = {}
    page = registry.store.list_entities(EntityQuery(0, limit, kind=kind, q=prefix))
    for entity in page.data:
        found[entity.id] = (entity.canonical, entity.kind)
    if len(found) < limit:
        accept = None if kind is None else _of_kind(registry, kind)
        (resolution,) = registry.resolve([prefix], limit, False, accept)
        for c in resolution.candidates:
            if c.probability >= SUGGEST_MIN_PROBABILITY:
                found.setdefault(c.entity_id, (c.canonical, c.kind))
    return [
        ReconciliationSuggestion(
            id=entity_id,
            name=canonical,
            description=describe(registry.find_entity(entity_id), entity_kind),
            notable=kind_types(entity_kind),
        )
        for entity_id, (canonical, entity_kind) in list(found.items())[:limit]
    ]
