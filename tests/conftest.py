"""Shared fixtures: explicit settings, and a client whose lifespan has loaded the matcher."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The service in a uvicorn subprocess on a free port (seeded registry of its own); yields
    its base URL. For tests that need a real socket: the browser, the HTTP clients."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANONYM_")}
    env["CANONYM_DATABASE_PATH"] = str(_DATABASES / f"live-{uuid.uuid4().hex[:12]}.db")
    env["CANONYM_LOG_LEVEL"] = "warning"
    log = (_DATABASES / f"live-{port}.log").open("w+", encoding="utf-8")
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=Path(__file__).parents[1],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"the service did not start (exit {proc.returncode}):\n{log.read()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the service was not ready within 120 s")
        time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(params=ENGINES)
def make_store(request, tmp_path) -> Iterator[StoreFactory]:
    """Stores on a fresh SQLite file, then on a fresh PostgreSQL schema (one test each)."""
    with store_factory(request.param, tmp_path) as factory:
        yield factory
