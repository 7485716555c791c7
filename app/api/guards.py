"""Middleware of the HTTP service: the request body size limit and CORS (off unless configured).

The body limit is a pure ASGI middleware so that it sees the raw byte stream: a declared
``Content-Length`` over the limit is answered at once, without reading the body; a body sent
in chunks is counted as the route reads it and refused as soon as it passes the limit. Both
answer **413** with the service's error shape (``body_too_large``).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response
from app.api.middleware import REQUEST_ID_HEADER
from app.errors import BodyTooLargeError
from app.settings import Settings

__all__ = ["BodySizeLimit", "JsonCors", "add_middleware"]

# The methods and headers a browser may use across origins when CORS is configured.
_CORS_METHODS = ["GET", "POST", "PATCH", "DELETE"]
_CORS_HEADERS = ["Content-Type", "X-API-Key", "Authorization", REQUEST_ID_HEADER]


class BodyTooLargeHTTPError(HTTPException):
    """Raised from ``receive`` when a chunked body passes the limit; the route's exception
    handlers turn it into the JSON 413 (FastAPI lets HTTP exceptions from body reading through).
    """

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


def _message(size: int | str, limit: int) -> str:
    return (
        f"request body of {size} bytes exceeds the limit of {limit} bytes (CANONYM_MAX_BODY_BYTES)"
    )


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class BodySizeLimit:
    """Refuse request bodies longer than ``limit`` bytes with 413 ``body_too_large``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.limit:
            message = _message(declared, self.limit)
            response = error_response(413, BodyTooLargeError.code, message)
            await response(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeHTTPError(_message(f"more than {self.limit}", self.limit))
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLargeHTTPError as exc:
            # Reached only when no exception handler answered (the body was read outside a route).
            if started:
                raise
            response = error_response(413, BodyTooLargeError.code, str(exc.detail))
            await response(scope, receive, send)


class JsonCors(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the service's error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")  # "Disallowed CORS origin"
        refused = error_response(response.status_code, "cors_refused", reason)
        for name in ("vary", "access-control-allow-methods", "access-control-max-age"):
            if name in response.headers:
                refused.headers[name] = response.headers[name]
        return refused


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the body size limit and, when origins are configured, CORS to ``app``."""
    origins = list(settings.cors_origin_list)
    if origins:
        app.add_middleware(
            JsonCors,
            allow_origins=origins,
            allow_methods=_CORS_METHODS,
            allow_headers=_CORS_HEADERS,
            expose_headers=[REQUEST_ID_HEADER],
        )
    # Added last, so it is the outermost of the two: an over-long body is refused first.
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
