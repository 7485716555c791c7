"""``POST /v1/normalize``: names to their normalized, romanized and keyed forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.deps import JsonBody, MatcherDep, MetricsDep, SettingsDep
from app.api.errors import error_responses
from app.api.examples import NORMALIZE_EXAMPLES
from app.api.limits import check_names
from app.api.schemas import (
    NormalizeRequest,
    NormalizeResponse,
    NormalizeResult,
    TokenResult,
)
from app.api.turns import CORE
from app.core.types import NameForm
from app.errors import EmptyNameError

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["Names"])


def _result(form: NameForm) -> NormalizeResult:
    return NormalizeResult(
        name=form.raw,
        normalized=form.normalized,
        latin=form.latin,
        titles=list(form.titles),
        scripts=list(form.scripts),
        tokens=[
            TokenResult(text=t.text, latin=t.latin, script=t.script, skeleton=t.skeleton)
            for t in form.tokens
        ],
    )


@router.post(
    "/normalize",
    summary="Normalize names",
    response_model=NormalizeResponse,
    responses=error_responses(400, 413, 415, 422),
    dependencies=[JsonBody],
)
def normalize(
    request: Annotated[NormalizeRequest, Body(openapi_examples=NORMALIZE_EXAMPLES)],
    matcher: MatcherDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> NormalizeResponse:
    """Normalize each name the way the matcher sees it.

    The pipeline, in order: Unicode NFKC; invisible and formatting characters removed (zero-width
    characters, bidi overrides); apostrophes, quotes and hyphens unified; whitespace squashed;
    `"Last, First"` put in reading order; titles (`President`, `Dr`) removed and reported;
    tokenized; each token's script detected, romanized and keyed.

    - Results come back in request order, one per name.
    - A name with no letter or digit left (`"..."`, an emoji) is refused with **422**
      `empty_name`, naming its index.
    - At most `CANONYM_MAX_NAMES_PER_REQUEST` names of at most `CANONYM_MAX_NAME_LENGTH`
      characters (**413** otherwise).
    """
    check_names(request.names, settings)
    metrics.count_names("normalize", len(request.names))
    results = []
    with CORE:  # one request at a time in the core (app.api.turns)
        for i, name in enumerate(request.names):
            try:
                form = matcher.normalize(name)
            except EmptyNameError as err:
                msg = f"names[{i}]: {err.message}"
                raise EmptyNameError(msg) from err
            results.append(_result(form))
    return NormalizeResponse(results=results)
