"""Schemathesis hooks for fuzzing Canonym: how to send a JSON Lines body.

The bulk import documents ``application/x-ndjson`` as a list of entity objects, one per line;
Schemathesis has no serializer for that media type, so without this the JSON Lines form of the
import would never be fuzzed. Loaded by ``tests/api/test_fuzz.py`` (imported) and by
``benchmarks/fuzz.py`` (``SCHEMATHESIS_HOOKS``).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def json_lines(ctx: Any, value: Any) -> bytes:  # noqa: ARG001
    """One JSON document per line (ASCII escapes keep each on one line)."""
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode("utf-8")
