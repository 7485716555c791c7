"""Errors at the HTTP edge: the error tree mapped to status codes in one table.

Every error body has the shape ``{"error": {"code": ..., "message": ...}}`` (plus ``details``
for request validation). Bad input is answered with 4xx; anything else is logged and answered
with a JSON 500 that carries no stack trace.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Coroutine, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.logs import request_id_var
from app.api.schemas import ErrorResponse
from app.errors import (
    BatchTooLargeError,
    CanonymError,
    ConflictError,
    EmptyNameError,
    EntityNotFoundError,
    ForbiddenError,
    InputFormatError,
    InvalidNameError,
    InvalidRequestError,
    InvalidValueError,
    LimitExceededError,
    NameTooLongError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)

__all__ = ["HANDLERS", "STATUS_BY_ERROR", "error_response", "error_responses"]

logger = logging.getLogger(__name__)

# The one table from domain errors to HTTP status; the most specific class in an error's MRO wins.
STATUS_BY_ERROR: dict[type[CanonymError], int] = {
    CanonymError: 400,
    InvalidNameError: 422,
    EmptyNameError: 422,
    LimitExceededError: 413,
    NameTooLongError: 413,
    BatchTooLargeError: 413,
    InputFormatError: 400,
    InvalidValueError: 422,
    InvalidRequestError: 422,
    UnsupportedMediaTypeError: 415,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    EntityNotFoundError: 404,
    ConflictError: 409,
}

# Codes of HTTP errors raised by the framework itself (unknown path, wrong method, ...).
_CODE_BY_STATUS = {
    400: "invalid_input",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    503: "not_ready",
}

# Clearer words for the framework's own messages.
_FRAMEWORK_MESSAGES = {
    "There was an error parsing the body": "request body is not valid JSON "
    "(it cannot be decoded, or it nests too deeply)",
}

# Bounds that keep validation error bodies small and JSON-serialisable whatever was sent.
_MAX_DETAILS = 20
_MAX_TEXT = 200
_MAX_ITEMS = 10
_MAX_DEPTH = 3

# What each documented error status means, for the routes' OpenAPI ``responses``.
_RESPONSE_DESCRIPTIONS = {
    400: "The body is not valid JSON or a record cannot be read (`invalid_input`).",
    401: "A write without an API key while `CANONYM_API_KEYS` is set (`unauthorized`).",
    403: "A write with an API key that is not accepted (`forbidden`).",
    404: "No entity or alias with that id (`entity_not_found`).",
    409: "The write clashes with stored data: an id or alias that exists (`conflict`).",
    413: "Too many items (`batch_too_large`), a name too long (`name_too_long`) or a body "
    "over `CANONYM_MAX_BODY_BYTES` (`body_too_large`).",
    415: "The body is not sent as JSON: `content-type` must be `application/json` "
    "(`unsupported_media_type`).",
    422: "A name is empty (`empty_name`), a value cannot be stored (`invalid_value`) or the "
    "request does not match the schema or a rule it cannot express (`invalid_request`).",
    500: "An unexpected error (`internal_error`); the details are in the service log.",
    503: "The matcher or the registry is not loaded yet (`not_ready`).",
}

# Starlette hands each handler the exception class it was registered for.
Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """A JSON error response in the service's one error shape."""
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, **extra}}
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route: the given statuses plus 500, all with ErrorResponse."""
    return {
        status: {"model": ErrorResponse, "description": _RESPONSE_DESCRIPTIONS[status]}
        for status in (*statuses, 500)
    }


def _status_of(error: CanonymError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _text(value: str) -> str:
    # Lone surrogates (valid in JSON "\ud800", invalid in UTF-8) become U+FFFD.
    clean = value.encode("utf-8", "replace").decode("utf-8")
    if len(clean) > _MAX_TEXT:
        return f"{clean[:_MAX_TEXT]}... ({len(clean)} characters)"
    return clean


def _json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON-serialisable, truncated copy of an arbitrary request input."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bytes | bytearray):
        return _text(bytes(value[: _MAX_TEXT * 4]).decode("utf-8", "replace"))
    if depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, dict):
        items = list(value.items())[:_MAX_ITEMS]
        return {_text(str(k)): _json_safe(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [_json_safe(v, depth + 1) for v in value[:_MAX_ITEMS]]
    return _text(repr(value))


def _detail(error: Any) -> dict[str, Any]:
    raw = error if isinstance(error, dict) else {"msg": str(error)}
    loc = raw.get("loc", ())
    return {
        "type": _text(str(raw.get("type", "invalid"))),
        "loc": [p if isinstance(p, int) else _text(str(p)) for p in loc],
        "msg": _text(str(raw.get("msg", ""))),
        "input": _json_safe(raw.get("input")),
    }


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) or "request"


async def _canonym_error(request: Request, exc: CanonymError) -> JSONResponse:  # noqa: ARG001
    return error_response(_status_of(exc), exc.code, exc.message)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: ARG001
    errors = list(exc.errors())
    details = [_detail(e) for e in errors[:_MAX_DETAILS]]
    if any(d["type"] == "json_invalid" for d in details):
        # A body that is not JSON cannot be read at all: the error tree's InputFormatError.
        ctx = errors[0].get("ctx", {}) if isinstance(errors[0], dict) else {}
        reason = _text(str(ctx.get("error", "JSON decode error")))
        position = details[0]["loc"][-1] if details[0]["loc"] else "?"
        message = f"request body is not valid JSON: {reason} (at character {position})"
        return error_response(_status_of(InputFormatError(message)), InputFormatError.code, message)
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    count = f"{len(errors)} problems" if len(errors) != 1 else "1 problem"
    message = f"invalid request ({count}); first: {_where(first['loc'])}: {first['msg']}"
    return error_response(422, "invalid_request", message, details=details)


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed_methods(request: Request) -> str:
    """The documented methods of the request's path, for the ``Allow`` header of a 405.

    Starlette names only the methods of the first route that matches the path, while each
    method of a path is a route of its own here (``GET``, ``PATCH``, ``DELETE`` of an entity).
    """
    path = request.scope.get("path", "")
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    # A literal path (``/v1/entities/import``) is documented on its own, not as an entity id.
    matching = [t for t in paths if t == path] or [
        t for t in paths if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(t)), path)
    ]
    methods = {m.upper() for t in matching for m in paths[t] if m in _HTTP_METHODS}
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _CODE_BY_STATUS.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else None
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = f"HTTP error {exc.status_code}"
    message = _FRAMEWORK_MESSAGES.get(detail or "", detail or phrase)
    response = error_response(exc.status_code, code, _text(message))
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        response.headers["Allow"] = allowed
    return response


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "internal error; the service logged the details"
    response = error_response(500, "internal_error", message)
    # The server answers this one outside the request middleware: echo the id here, so that
    # the caller can quote it and find the logged error.
    request_id = request_id_var.get()
    if request_id is not None:
        response.headers["X-Request-ID"] = request_id
    return response


HANDLERS: dict[int | type[Exception], Handler] = {
    CanonymError: _canonym_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    Exception: _internal_error,
}
