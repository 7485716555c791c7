"""Metrics, request ids, JSON logs, readiness while the index loads, CORS."""

import io
import json
import logging
import threading
import time

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.api import runtime as runtime_module
from app.api.app import create_app
from app.api.logs import JsonFormatter, RequestIdFilter, log_config, usable_request_id
from app.api.registry import Registry
from tests.conftest import make_settings


def scrape(client):
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_counters_move(client):
    before = scrape(client)
    names = ["Qaddafi", "Takht Rwanchi", "Assad"]
    assert client.post("/v1/resolve", json={"names": names}).status_code == 200
    assert client.post("/v1/compare", json={"pairs": [{"a": "x", "b": "y"}]}).status_code == 200
    after = scrape(client)
    route = {"method": "POST", "route": "/v1/resolve", "status": "200"}
    assert value(after, "canonym_http_requests_total", **route) == (
        value(before, "canonym_http_requests_total", **route) + 1
    )
    latency = {"method": "POST", "route": "/v1/resolve"}
    assert value(after, "canonym_http_request_duration_seconds_count", **latency) == (
        value(before, "canonym_http_request_duration_seconds_count", **latency) + 1
    )
    assert value(after, "canonym_names_processed_total", operation="resolve") == (
        value(before, "canonym_names_processed_total", operation="resolve") + 3
    )
    assert value(after, "canonym_names_processed_total", operation="compare") == (
        value(before, "canonym_names_processed_total", operation="compare") + 2
    )
    assert value(after, "canonym_ready") == 1
    assert value(after, "canonym_index_entities") > 300
    assert value(after, "canonym_index_aliases") > 1000
    assert value(after, "canonym_registry_version") >= 1  # the seeds' import
    assert value(after, "canonym_registry_sync_failures_total") == 0
    assert ("canonym_build_info", (("version", __import__("app").__version__),)) in after


def test_routes_are_counted_by_template(client_with):
    api = client_with(load_seeds=False)
    for entity_id in ("a1", "a2", "a3"):
        api.get(f"/v1/entities/{entity_id}")
    api.get("/no/such/path")
    samples = scrape(api)
    by_template = {"method": "GET", "route": "/v1/entities/{entity_id}", "status": "404"}
    assert value(samples, "canonym_http_requests_total", **by_template) == 3
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(samples, "canonym_http_requests_total", **unmatched) == 1
    assert not any("a1" in str(labels) for _, labels in samples)


def test_registry_version_follows_writes(client_with):
    api = client_with(load_seeds=False)
    assert value(scrape(api), "canonym_registry_version") == 0
    api.post("/v1/entities", json={"canonical": "Jane Roe"})
    assert value(scrape(api), "canonym_registry_version") == 1


def test_request_id_is_echoed_or_made(client):
    r = client.get("/healthz", headers={"X-Request-ID": "pipeline-42.7"})
    assert r.headers["x-request-id"] == "pipeline-42.7"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    assert int(made, 16) >= 0
    unusable = client.get("/healthz", headers={"X-Request-ID": "a b\nforged: 1"})
    assert unusable.headers["x-request-id"] not in ("a b\nforged: 1", made)
    assert client.post("/v1/normalize", json={"names": [""]}).headers["x-request-id"]


@pytest.mark.parametrize(
    ("given", "usable"),
    [("abc-123", True), ("x" * 128, True), ("x" * 129, False), ("a b", False), ("", False)],
)
def test_usable_request_ids(given, usable):
    assert (usable_request_id(given) == given) is usable


@pytest.fixture
def log_lines():
    """JSON lines written by the service's loggers during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_access_log_is_json_with_the_request_id(client, log_lines):
    client.post("/v1/resolve", json={"names": ["Kyiv"]}, headers={"X-Request-ID": "req-77"})
    [line] = [x for x in log_lines() if x["logger"] == "app.access"]
    assert line["request_id"] == "req-77"
    assert line["message"] == "POST /v1/resolve 200"
    assert (line["method"], line["route"], line["status"]) == ("POST", "/v1/resolve", 200)
    assert line["duration_ms"] > 0
    assert line["level"] == "info"
    assert line["time"].endswith("Z")


def test_an_unexpected_error_is_logged_with_the_request_id(settings, log_lines):
    application = create_app(settings)

    @application.get("/boom")
    def boom() -> None:
        msg = "secret internal detail"
        raise RuntimeError(msg)

    with TestClient(application, raise_server_exceptions=False) as c:
        r = c.get("/boom", headers={"X-Request-ID": "req-500"})
        samples = scrape(c)
    assert r.status_code == 500
    assert r.headers["x-request-id"] == "req-500"
    [error] = [x for x in log_lines() if x["level"] == "error"]
    assert error["request_id"] == "req-500"
    assert "secret internal detail" in error["exception"]
    route = {"method": "GET", "route": "/boom", "status": "500"}
    assert value(samples, "canonym_http_requests_total", **route) == 1


def test_log_config_sends_every_logger_to_stdout_in_the_chosen_format():
    for log_format in ("json", "text"):
        config = log_config(make_settings(log_format=log_format, log_level="debug"))
        handler = config["handlers"]["stdout"]
        assert handler["formatter"] == log_format
        assert handler["stream"] == "ext://sys.stdout"
        assert handler["filters"] == ["request_id"]
        assert config["loggers"]["app"]["level"] == "DEBUG"
        assert config["loggers"]["uvicorn"]["handlers"] == ["stdout"]
        assert config["loggers"]["uvicorn.access"]["handlers"] == []  # ours has the request id
    assert isinstance(config["formatters"]["json"]["()"](), JsonFormatter)
    assert isinstance(config["filters"]["request_id"]["()"](), RequestIdFilter)


def test_readyz_is_503_until_the_index_is_built_in_the_background(monkeypatch, settings):
    release = threading.Event()
    original = runtime_module.warm_matcher

    def slow_matcher():
        release.wait(10)
        return original()

    monkeypatch.setattr(runtime_module, "warm_matcher", slow_matcher)
    application = create_app(make_settings(load_seeds=False), background_start=True)
    with TestClient(application) as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "not_ready"
        assert c.get("/healthz").status_code == 200
        assert c.post("/v1/resolve", json={"names": ["Kyiv"]}).status_code == 503
        assert value(scrape(c), "canonym_ready") == 0
        release.set()
        deadline = time.monotonic() + 30
        while c.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.post("/v1/resolve", json={"names": ["Kyiv"]}).status_code == 200


def test_a_failed_background_build_is_retried(monkeypatch):
    calls = []
    original = Registry.open

    def flaky_open(store, matcher):
        calls.append(1)
        if len(calls) == 1:
            msg = "database went away"
            raise OSError(msg)
        return original(store, matcher)

    monkeypatch.setattr(runtime_module, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(runtime_module.Registry, "open", staticmethod(flaky_open))
    application = create_app(make_settings(load_seeds=False), background_start=True)
    with TestClient(application) as c:
        deadline = time.monotonic() + 30
        while c.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert len(calls) == 2


def test_an_unreachable_database_fails_the_start():
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    application = create_app(make_settings(database_url=url), background_start=True)
    with pytest.raises(Exception, match=r"127\.0\.0\.1"), TestClient(application):
        pass


def test_cors_only_when_origins_are_configured(client_with):
    preflight = {
        "Origin": "https://ui.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    closed = client_with(load_seeds=False)
    assert (
        "access-control-allow-origin"
        not in closed.options("/v1/resolve", headers=preflight).headers
    )
    opened = client_with(load_seeds=False, cors_origins="https://ui.example")
    r = opened.options("/v1/resolve", headers=preflight)
    assert r.headers["access-control-allow-origin"] == "https://ui.example"
    assert r.headers["x-request-id"]
    r = opened.post(
        "/v1/normalize", json={"names": ["Kyiv"]}, headers={"Origin": "https://ui.example"}
    )
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
