"""``POST /v1/compare``: calibrated match probabilities for pairs of names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.deps import JsonBody, MatcherDep, MetricsDep, SettingsDep
from app.api.errors import error_responses
from app.api.examples import COMPARE_EXAMPLES
from app.api.limits import check_batch_size, check_name
from app.api.schemas import (
    CompareRequest,
    CompareResponse,
    CompareResult,
    evidence_items,
)
from app.api.turns import CORE
from app.core.matcher import Matcher
from app.core.types import PairDecision
from app.errors import EmptyNameError

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["Pairs"])


def _decide(matcher: Matcher, index: int, a: str, b: str, explain: bool) -> PairDecision:
    try:
        return matcher.compare(a, b, explain=explain)
    except EmptyNameError as err:
        # The core does not say which side was empty: find out, to name it.
        try:
            matcher.normalize(a)
        except EmptyNameError:
            side = "a"
        else:
            side = "b"
        msg = f"pairs[{index}].{side}: {err.message}"
        raise EmptyNameError(msg) from err


def _result(decision: PairDecision, explain: bool) -> CompareResult:
    return CompareResult(
        a=decision.a,
        b=decision.b,
        probability=decision.probability,
        match=decision.match,
        summary=decision.summary if explain else None,
        evidence=evidence_items(decision.evidence) if explain else None,
    )


@router.post(
    "/compare",
    summary="Compare pairs of names",
    response_model=CompareResponse,
    response_model_exclude_none=True,
    responses=error_responses(400, 413, 415, 422),
    dependencies=[JsonBody],
)
def compare(
    request: Annotated[CompareRequest, Body(openapi_examples=COMPARE_EXAMPLES)],
    matcher: MatcherDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> CompareResponse:
    """Compare each pair of names and decide whether they denote the same entity.

    Names may be in different scripts (`Gaddafi` / `القذافي`, `Zelensky` / `Зеленский`) and
    in any transliteration (`Pezeshkian` / `Pizshakyan`).

    - `probability` is **calibrated**: the probability that both names denote the same entity.
    - `match` is `probability >= threshold`; the threshold is returned alongside the results.
    - With `explain: true`, each result adds a one-sentence `summary` and the `evidence`: every
      named feature with its value and its contribution to the log-odds.
    - A name with no letter or digit left is refused with **422** `empty_name`, naming the pair
      and side (`pairs[2].b`).
    - At most `CANONYM_MAX_PAIRS_PER_REQUEST` pairs of names of at most
      `CANONYM_MAX_NAME_LENGTH` characters (**413** otherwise).
    """
    check_batch_size(len(request.pairs), settings.max_pairs_per_request, "pairs")
    for i, pair in enumerate(request.pairs):
        check_name(pair.a, f"pairs[{i}].a", settings)
        check_name(pair.b, f"pairs[{i}].b", settings)
    explain = request.explain
    metrics.count_names("compare", 2 * len(request.pairs))
    with CORE:  # one request at a time in the core (app.api.turns)
        results = [
            _result(_decide(matcher, i, pair.a, pair.b, explain), explain)
            for i, pair in enumerate(request.pairs)
        ]
    return CompareResponse(results=results, threshold=matcher.threshold)
