"""Shared fixtures: explicit settings, and a client whose lifespan has loaded the matcher."""

import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.api.app import create_app
from app.settings import Settings
from tests.factory import ENGINES, StoreFactory, store_factory

# Every app of the test run gets a registry file of its own under one temporary directory.
_DATABASES = Path(tempfile.mkdtemp(prefix="canonym-tests-"))

# Property tests draw the same examples on every run: a red CI run is reproducible.
hypothesis_settings.register_profile("canonym", derandomize=True, deadline=None)
hypothesis_settings.load_profile("canonym")


def make_settings(**overrides: object) -> Settings:
    """Settings with the documented defaults, whatever the environment says, plus overrides."""
    values: dict[str, object] = {
        "environment": "development",
        "workers": 1,
        "log_format": "json",
        "cors_origins": None,
        "sync_interval_seconds": 1.0,
        "max_names_per_request": 10_000,
        "max_pairs_per_request": 10_000,
        "max_name_length": 500,
        "log_level": "info",
        "database_url": None,
        "database_path": str(_DATABASES / f"registry-{uuid.uuid4().hex[:12]}.db"),
        "seed_file": None,
        "load_seeds": True,
        "api_keys": None,
        "resolve_top_k": 3,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    # Session-wide: the app keeps no state between requests, and the lifespan warms the matcher.
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def client_with() -> Iterator[Callable[..., TestClient]]:
    """Factory of clients over apps created with overridden settings."""
    stack: list[TestClient] = []

    def build(**overrides: object) -> TestClient:
        c = TestClient(create_app(make_settings(**overrides)))
        c.__enter__()
        stack.append(c)
        return c

    yield build
    for c in stack:
        c.__exit__(None, None, None)


@pytest.fixture(params=ENGINES)
def make_store(request, tmp_path) -> Iterator[StoreFactory]:
    """Stores on a fresh SQLite file, then on a fresh PostgreSQL schema (one test each)."""
    with store_factory(request.param, tmp_path) as factory:
        yield factory
