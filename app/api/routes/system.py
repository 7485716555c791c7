"""``GET /healthz`` and ``GET /readyz``: liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from app import __version__
from app.api.errors import error_responses
from app.api.schemas import HealthResponse, ReadinessResponse

__all__ = ["router"]

router = APIRouter(tags=["System"])


@router.get(
    "/healthz",
    summary="Liveness probe",
    response_model=HealthResponse,
    responses=error_responses(),
)
def healthz() -> HealthResponse:
    """Answer `200` with the service version whenever the process is up.

    Use it as a **liveness** probe: it does not touch the matcher.
    """
    return HealthResponse(status="ok", version=__version__)


@router.get(
    "/readyz",
    summary="Readiness probe",
    response_model=ReadinessResponse,
    responses=error_responses(503),
)
def readyz(request: Request) -> ReadinessResponse:
    """Answer `200` `{"status": "ready"}` once the matcher is warmed and the registry's index is
    built, `503` before.

    Use it as a **readiness** probe: send traffic to the instance only once it answers `200`.
    """
    if getattr(request.app.state, "matcher", None) is None:
        raise HTTPException(status_code=503, detail="the matcher is not loaded yet")
    if getattr(request.app.state, "registry", None) is None:
        raise HTTPException(status_code=503, detail="the registry is not loaded yet")
    return ReadinessResponse(status="ready")
