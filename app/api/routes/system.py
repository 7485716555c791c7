"""``GET /healthz``, ``GET /readyz`` and ``GET /metrics``: probes and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from app import __version__
from app.api.deps import MetricsDep, RuntimeDep
from app.api.errors import error_responses
from app.api.metrics import CONTENT_TYPE_LATEST
from app.api.schemas import HealthResponse, ReadinessResponse

__all__ = ["router"]

router = APIRouter(tags=["System"])

_METRICS_EXAMPLE = """\
# HELP canonym_http_requests_total HTTP requests answered, by method, route template and status.
# TYPE canonym_http_requests_total counter
canonym_http_requests_total{method="POST",route="/v1/resolve",status="200"} 42.0
# HELP canonym_index_aliases Live aliases in this process's index.
# TYPE canonym_index_aliases gauge
canonym_index_aliases 1543.0
"""

_METRICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The metrics in Prometheus' text exposition format.",
        "content": {
            CONTENT_TYPE_LATEST: {"schema": {"type": "string"}, "example": _METRICS_EXAMPLE}
        },
    },
    **error_responses(),
}


@router.get(
    "/healthz",
    summary="Liveness probe",
    response_model=HealthResponse,
    responses=error_responses(),
)
def healthz() -> HealthResponse:
    """Answer `200` with the service version whenever the process is up.

    Use it as a **liveness** probe: it does not touch the matcher or the registry, and answers
    while the registry's index is still being built.
    """
    return HealthResponse(status="ok", version=__version__)


@router.get(
    "/readyz",
    summary="Readiness probe",
    response_model=ReadinessResponse,
    responses=error_responses(503),
)
def readyz(runtime: RuntimeDep) -> ReadinessResponse:
    """Answer `200` `{"status": "ready"}` once the matcher is warmed and the registry's index is
    built, `503` before.

    Use it as a **readiness** probe: send traffic to the instance only once it answers `200`.
    """
    if runtime.matcher is None:
        raise HTTPException(status_code=503, detail="the matcher is not loaded yet")
    if runtime.registry is None:
        raise HTTPException(status_code=503, detail="the registry is not loaded yet")
    return ReadinessResponse(status="ready")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses=_METRICS_RESPONSES,
)
def metrics(metrics: MetricsDep) -> Response:
    """The metrics of **this process** in Prometheus' text format: requests and answer times
    per route template, names processed per operation, the size of the registry's index, the
    registry version (the last change of the change log this process applied) and its sync
    failures. With several replicas, scrape each one.
    """
    return Response(content=metrics.render(), media_type=CONTENT_TYPE_LATEST)
