"""The service's logs: one JSON object per line, each with the id of the request it belongs to.

The request id comes from the ``X-Request-ID`` header when the caller (or a proxy) sent a usable
one, else it is generated; the middleware keeps it in ``request_id_var`` for the time of the
request, echoes it in the response, and every log record written meanwhile carries it
(``RequestIdFilter``). ``log_config`` is the ``logging.config.dictConfig`` that ``canonym
serve`` hands to uvicorn, so uvicorn's own lines come out in the same shape.

A line looks like::

    {"time": "2026-11-29T08:12:03.511Z", "level": "info", "logger": "app.access",
     "message": "POST /v1/resolve 200", "request_id": "5f0c...", "method": "POST",
     "route": "/v1/resolve", "status": 200, "duration_ms": 3.1}
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from app.settings import Settings

__all__ = [
    "JsonFormatter",
    "RequestIdFilter",
    "log_config",
    "new_request_id",
    "request_id_var",
    "usable_request_id",
]

request_id_var: ContextVar[str | None] = ContextVar("canonym_request_id", default=None)

# Ids from outside are echoed and logged: only short ids of safe characters are taken as they
# are, anything else (a log-injection attempt, a 10 kB header) is replaced by a new id.
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

# Attributes every LogRecord has; anything else was passed in ``extra`` and is written out.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


def new_request_id() -> str:
    """A fresh request id: 32 hexadecimal digits."""
    return uuid.uuid4().hex


def usable_request_id(value: str | None) -> str | None:
    """``value`` when it is a usable request id (1-128 letters, digits, ``. _ : -``)."""
    if value is not None and _USABLE_ID.fullmatch(value):
        return value
    return None


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (``None`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``record.request_id``; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time (UTC), level, logger, message, request id,
    the ``extra`` fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        stamp = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(settings: Settings) -> dict[str, Any]:
    """The logging configuration of a served process: every logger (the service's and
    uvicorn's) writes to stdout in ``settings.log_format``, at ``settings.log_level``.
    uvicorn's access log is off: the service writes its own, with the request id."""
    level = settings.log_level.upper()
    text = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": text},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": settings.log_format,
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "app": {"handlers": ["stdout"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stdout"], "level": "WARNING"},
    }
