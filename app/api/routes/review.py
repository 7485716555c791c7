"""``/review``: the review page (plain HTML, CSS and JavaScript packaged with the service).

The page calls the public API from the browser (``/v1/cluster`` with ``explain`` and
``resolve``, ``/v1/judgements``, ``/v1/entities``); it needs no build step and loads nothing
from outside the service. It is not an API operation, so it stays out of the OpenAPI document.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# The page's own files, by URL name: (package file, media type).
_ASSETS = {
    "review.js": ("review.js", "text/javascript; charset=utf-8"),
    "review.css": ("review.css", "text/css; charset=utf-8"),
}
# Only this service's own origin: no inline script, no outside resources.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


@cache
def _read(name: str) -> str:
    return resources.files("app.api").joinpath("static", name).read_text(encoding="utf-8")


@router.get("/review")
def review_page() -> HTMLResponse:
    """The review page."""
    return HTMLResponse(_read("review.html"), headers={"Content-Security-Policy": _CSP})


@router.get("/review/{asset}")
def review_asset(asset: str) -> Response:
    """The page's script and style sheet."""
    if asset not in _ASSETS:
        raise HTTPException(status_code=404, detail=f"no file {asset[:80]!r} on the review page")
    name, media_type = _ASSETS[asset]
    return Response(_read(name), media_type=media_type, headers={"Cache-Control": "no-cache"})
