"""Schema-driven fuzzing: Schemathesis generates requests for every operation of the service's
own OpenAPI document, valid and invalid, and checks each answer: no 5xx, a documented status,
content type, headers and body schema, invalid input refused, auth not ignored.

In process (ASGI), bounded and derandomized: the same examples on every run. The longer run
over HTTP is ``benchmarks/fuzz.py``; ``schemathesis.toml`` holds the settings both share.
"""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

import benchmarks.fuzz_hooks  # noqa: F401  (sends the import's JSON Lines bodies)
from app.api.app import create_app
from tests.conftest import make_settings

ROOT = Path(__file__).parents[2]
KEY = "k-fuzz-5b7e1c"
EXAMPLES_PER_OPERATION = 25

# The application is only built here: its lifespan (matcher, seeded registry) starts with the
# first fuzzed request, on Schemathesis' ASGI transport, and ends with the test process.
# Writes need the key, so the auth checks meet a registry that really refuses strangers.
APP = create_app(make_settings(api_keys=KEY))
schema = schemathesis.openapi.from_dict(
    APP.openapi(), config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
)
schema.app = APP


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case):
    case.call_and_validate(headers={"X-API-Key": KEY})
