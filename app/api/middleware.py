"""The request middleware: request id, access log line and request metrics.

A plain ASGI middleware (no ``BaseHTTPMiddleware``: it would buffer responses and run the
route in another task, where the request id would be lost). For every HTTP request it

1. takes the caller's ``X-Request-ID`` when usable, else makes one, and keeps it in
   ``request_id_var`` so that every log line of the request carries it;
2. echoes it in the response's ``X-Request-ID`` header;
3. logs one access line (``app.access``) and counts the request in the metrics, by the
   template of the route that answered.

The id is deliberately not reset when the request ends: an unexpected error is logged after
this middleware returns (by the server's error handler), and must still carry it. Each request
runs in a task of its own, so the value never leaks into another request.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.logs import new_request_id, request_id_var, usable_request_id
from app.api.metrics import Metrics

__all__ = ["REQUEST_ID_HEADER", "RequestContextMiddleware"]

REQUEST_ID_HEADER = "X-Request-ID"

access_logger = logging.getLogger("app.access")


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestContextMiddleware:
    """Request id, access log and metrics for every HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        """Args:
        app: the application to wrap.
        metrics: where requests are counted.
        """
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call; only HTTP requests are instrumented."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER)
        request_id = usable_request_id(given) or new_request_id()
        request_id_var.set(request_id)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.metrics.in_progress.dec()
            seconds = time.perf_counter() - start
            method, route = scope["method"], _route_template(scope)
            self.metrics.observe_request(method, route, status, seconds)
            access_logger.info(
                "%s %s %d",
                method,
                scope["path"],
                status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
