"""A typed Python client of the Canonym HTTP API, over httpx, with a pandas helper.

    from app.client import CanonymClient

    with CanonymClient("http://127.0.0.1:8000") as canonym:
        for r in canonym.resolve(["Qaddafi", "Jane Roe"]):
            print(r.name, r.decision, r.canonical, r.confidence)

``resolve_dataframe(df, "name", client)`` adds ``entity_id``, ``canonical``, ``confidence`` and
``decision`` columns to a copy of a DataFrame (pandas is an optional extra: ``pip install
canonym[pandas]``; it is imported only by that function). Errors of the service become
``ServiceError`` with its stable ``code``; large batches are sent in chunks under the service's
limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

from app.errors import CanonymError

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "Candidate",
    "CanonymClient",
    "ClusteredEntity",
    "PairResult",
    "ResolvedName",
    "ServiceError",
    "resolve_dataframe",
]

Verdict = Literal["confirmed", "rejected"]
# Names per request: under the service's default CANONYM_MAX_NAMES_PER_REQUEST (10,000), small
# enough that one request stays well under a client timeout.
DEFAULT_BATCH = 1000


class ServiceError(CanonymError):
    """An error answer of the service, with its HTTP status and stable ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registry entity proposed for a name, with its calibrated probability."""

    entity_id: str
    canonical: str
    kind: str
    probability: float
    alias: str
    summary: str


@dataclass(frozen=True, slots=True)
class ResolvedName:
    """Which registry entity a name denotes.

    ``entity_id`` and ``canonical`` are set only when ``decision`` is ``matched``;
    ``confidence`` is the best candidate's probability (``None`` without candidates).
    """

    name: str
    decision: str
    reason: str
    candidates: tuple[Candidate, ...]

    @property
    def matched(self) -> Candidate | None:
        """The matched entity, or ``None`` for ``ambiguous`` and ``new``."""
        return self.candidates[0] if self.decision == "matched" and self.candidates else None

    @property
    def entity_id(self) -> str | None:
        """The matched entity's id."""
        return m.entity_id if (m := self.matched) else None

    @property
    def canonical(self) -> str | None:
        """The matched entity's canonical name."""
        return m.canonical if (m := self.matched) else None

    @property
    def confidence(self) -> float | None:
        """The best candidate's calibrated probability."""
        return self.candidates[0].probability if self.candidates else None


@dataclass(frozen=True, slots=True)
class PairResult:
    """The decision for one pair of names."""

    a: str
    b: str
    probability: float
    match: bool
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class ClusteredEntity:
    """An entity found in a batch: canonical name, cohesion and members (name, count,
    confidence); ``weakest_link`` is the service's sentence about its least certain member."""

    entity_id: str
    canonical: str
    confidence: float
    members: tuple[tuple[str, int, float], ...]
    weakest_link: str | None = None
    registry_entity_id: str | None = None


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CanonymClient:
    """The Canonym HTTP API from Python (synchronous, one connection pool)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Args:
        base_url: the service's address.
        api_key: sent as ``X-API-Key`` (needed for writes when the service has keys).
        timeout: seconds per request.
        transport: an httpx transport (tests pass the app's in-process transport).
        """
        headers = {"X-API-Key": api_key} if api_key else {}
        self._http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> CanonymClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.is_success:
            return response.json()
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "http_error", response.text[:200] or response.reason_phrase
        raise ServiceError(response.status_code, code, message)

    def resolve(
        self,
        names: Iterable[str],
        *,
        top_k: int | None = None,
        batch_size: int = DEFAULT_BATCH,
    ) -> list[ResolvedName]:
        """Resolve names against the registry, in request order (``POST /v1/resolve``)."""
        out: list[ResolvedName] = []
        for chunk in _chunks(list(names), batch_size):
            body: dict[str, Any] = {"names": list(chunk)}
            if top_k is not None:
                body["top_k"] = top_k
            for r in self._call("POST", "/v1/resolve", json=body)["results"]:
                candidates = tuple(
                    Candidate(
                        c["entity_id"],
                        c["canonical"],
                        c["kind"],
                        c["probability"],
                        c["alias"],
                        c["summary"],
                    )
                    for c in r["candidates"]
                )
                out.append(ResolvedName(r["name"], r["decision"], r["reason"], candidates))
        return out

    def compare(
        self, pairs: Iterable[tuple[str, str]], *, explain: bool = False
    ) -> list[PairResult]:
        """Calibrated probabilities for pairs of names (``POST /v1/compare``)."""
        body = {"pairs": [{"a": a, "b": b} for a, b in pairs], "explain": explain}
        return [
            PairResult(r["a"], r["b"], r["probability"], r["match"], r.get("summary"))
            for r in self._call("POST", "/v1/compare", json=body)["results"]
        ]

    def cluster(
        self, names: Iterable[str], *, resolve: bool = False, explain: bool = False
    ) -> list[ClusteredEntity]:
        """Group names into entities (``POST /v1/cluster``)."""
        body = {"names": list(names), "resolve": resolve, "explain": explain}
        out = []
        for e in self._call("POST", "/v1/cluster", json=body)["entities"]:
            link = e.get("weakest_link")
            registry = e.get("registry") or {}
            out.append(
                ClusteredEntity(
                    entity_id=e["entity_id"],
                    canonical=e["canonical"],
                    confidence=e["confidence"],
                    members=tuple((m["name"], m["count"], m["confidence"]) for m in e["members"]),
                    weakest_link=link["summary"] if link else None,
                    registry_entity_id=registry.get("entity_id"),
                )
            )
        return out

    def entity(self, entity_id: str) -> dict[str, Any]:
        """One registry entity as the service returns it (``GET /v1/entities/{id}``)."""
        result: dict[str, Any] = self._call("GET", f"/v1/entities/{entity_id}")
        return result

    def judge(
        self, name: str, entity_id: str, verdict: Verdict, author: str = "python-client"
    ) -> dict[str, Any]:
        """Record that ``name`` does (``confirmed``) or does not (``rejected``) denote the
        entity (``POST /v1/judgements``)."""
        body = {"name": name, "entity_id": entity_id, "verdict": verdict, "author": author}
        result: dict[str, Any] = self._call("POST", "/v1/judgements", json=body)
        return result


def resolve_dataframe(
    frame: Any,
    column: str,
    client: CanonymClient,
    *,
    batch_size: int = DEFAULT_BATCH,
) -> Any:
    """A copy of a pandas DataFrame with the registry entity of each value of ``column``.

    Adds ``entity_id`` and ``canonical`` (set when resolve decides ``matched``), ``confidence``
    (the best candidate's calibrated probability) and ``decision``. Each distinct value is
    resolved once; missing and blank values get empty columns and decision ``empty``.

    Args:
        frame: a ``pandas.DataFrame``.
        column: the column holding the names.
        client: the client to resolve with.
        batch_size: names per request.
    """
    import pandas as pd  # optional dependency (canonym[pandas])

    keys = [None if pd.isna(v) or not str(v).strip() else str(v) for v in frame[column]]
    names = [k for k in dict.fromkeys(keys) if k is not None]
    found = {r.name: r for r in client.resolve(names, top_k=1, batch_size=batch_size)}

    def pick(key: str | None, field: str) -> object:
        if key is None:
            return "empty" if field == "decision" else None
        return getattr(found[key], field)

    out = frame.copy()
    for field in ("entity_id", "canonical", "confidence", "decision"):
        out[field] = pd.Series([pick(k, field) for k in keys], index=frame.index, dtype=object)
    out["confidence"] = pd.to_numeric(out["confidence"])
    return out
