"""Access: every mutating route of the OpenAPI document needs a key; keys are compared in
constant time and never logged; bodies are bounded; CORS is off unless configured; a 500
tells nothing of the service's insides."""

import hmac
import logging

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.api.registry import Registry
from tests.conftest import make_settings
from tests.factory import registry_counts

KEY = "k-access-9c4e2a71"
OTHER_KEY = "k-second-03f8d5"
# POSTs that compute an answer and store nothing.
READ_ONLY_POSTS = {
    "/v1/normalize",
    "/v1/compare",
    "/v1/cluster",
    "/v1/resolve",
    "/reconcile",
    "/reconcile/v1/match",
}


@pytest.fixture
def api(client_with):
    return client_with(api_keys=f"{KEY},{OTHER_KEY}")


def _mutating_operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "get" and path not in READ_ONLY_POSTS:
                yield method, path, op


def _url(path):
    # Any id will do: the key is checked before the entity is looked up.
    return path.replace("{entity_id}", "ent_x").replace("{alias_id}", "1")


def test_every_mutating_route_of_the_document_declares_and_enforces_a_key(api):
    spec = api.get("/openapi.json").json()
    operations = list(_mutating_operations(spec))
    assert len(operations) == 7
    before = registry_counts(api)
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("security") == [{"APIKeyHeader": []}, {"HTTPBearer": []}], where
        for status in ("401", "403"):
            assert status in op["responses"], where
        url = _url(path)
        r = api.request(method, url, json={})
        assert r.status_code == 401, where
        assert r.json()["error"]["code"] == "unauthorized", where
        for headers in ({"X-API-Key": KEY[:-1]}, {"Authorization": f"Bearer {KEY}x"}):
            r = api.request(method, url, json={}, headers=headers)
            assert r.status_code == 403, where
            assert r.json() == {
                "error": {"code": "forbidden", "message": "the API key is not valid"}
            }
    assert registry_counts(api) == before


def test_read_routes_declare_no_key(api):
    spec = api.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "get" or path in READ_ONLY_POSTS:
                assert "security" not in op, f"{method} {path}"


def test_keys_are_compared_in_constant_time_against_every_key(api, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    for given in (KEY, OTHER_KEY, "short", "x" * 300):
        calls.clear()
        api.post("/v1/entities", json={"canonical": "Kyiv"}, headers={"X-API-Key": given})
        # Both keys are compared even when the first matches, as digests of equal length.
        assert calls == [(32, 32), (32, 32)], given


def test_keys_are_never_logged(client_with, caplog):
    caplog.set_level(logging.DEBUG)
    api = client_with(api_keys=KEY, log_level="debug")
    headers = [{"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}, {"X-API-Key": KEY + "z"}]
    for h in headers:
        api.post("/v1/entities", json={"canonical": "Kyiv"}, headers=h)
        api.post("/v1/entities", content=b"not json", headers={**h, "content-type": "x/y"})
        api.post("/v1/judgements", json={"name": "x", "entity_id": "y", "verdict": "no"}, headers=h)
        api.get("/v1/entities/nobody", headers=h)
    assert caplog.records
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in str(record.args)
        assert KEY not in (record.exc_text or "")


def test_body_over_the_limit_is_413_and_stores_nothing(client_with):
    api = client_with(load_seeds=False, max_body_bytes=2_000)
    before = registry_counts(api)
    body = b'{"names": ["' + b"a" * 3_000 + b'"]}'
    r = api.post("/v1/normalize", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {
        "error": {
            "code": "body_too_large",
            "message": f"request body of {len(body)} bytes exceeds the limit of 2000 bytes "
            "(CANONYM_MAX_BODY_BYTES)",
        }
    }
    records = b"\n".join(b'{"canonical": "Entity %d"}' % i for i in range(200))

    def chunks():  # no Content-Length: the body is counted as it is read
        for start in range(0, len(records), 500):
            yield records[start : start + 500]

    headers = {"content-type": "application/x-ndjson"}
    r = api.post("/v1/entities/import", content=chunks(), headers=headers)
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "body_too_large",
        "message": "request body of more than 2000 bytes exceeds the limit of 2000 bytes "
        "(CANONYM_MAX_BODY_BYTES)",
    }
    assert registry_counts(api) == before
    small = b"\n".join(b'{"canonical": "Entity %d"}' % i for i in range(50))
    assert len(small) < 2_000
    assert api.post("/v1/entities/import", content=small, headers=headers).status_code == 200


def test_cors_is_off_by_default(client):
    origin = {"Origin": "https://evil.example"}
    r = client.post("/v1/compare", json={"pairs": [{"a": "x", "b": "y"}]}, headers=origin)
    assert r.status_code == 200
    assert not [h for h in r.headers if h.lower().startswith("access-control-")]
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    r = client.options("/v1/compare", headers=preflight)
    assert not [h for h in r.headers if h.lower().startswith("access-control-")]


def test_cors_allows_only_the_configured_origins(client_with):
    api = client_with(load_seeds=False, cors_origins="https://app.example, https://ops.example")
    ok = {"Origin": "https://ops.example"}
    r = api.post("/v1/compare", json={"pairs": [{"a": "x", "b": "y"}]}, headers=ok)
    assert r.headers["access-control-allow-origin"] == "https://ops.example"
    preflight = {**ok, "Access-Control-Request-Method": "POST"}
    r = api.options(
        "/v1/entities", headers={**preflight, "Access-Control-Request-Headers": "x-api-key"}
    )
    assert r.status_code == 200
    assert "x-api-key" in r.headers["access-control-allow-headers"].lower()
    r = api.post(
        "/v1/compare",
        json={"pairs": [{"a": "x", "b": "y"}]},
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = api.options(
        "/v1/compare",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "cors_refused", "message": "Disallowed CORS origin"}}
    assert "access-control-allow-origin" not in r.headers


def test_an_internal_error_is_a_generic_json_500(monkeypatch, caplog):
    def broken(self, names, top_k, explain):
        msg = "secret state at /srv/canonym/app/core/index.py line 42"
        raise RuntimeError(msg)

    monkeypatch.setattr(Registry, "resolve", broken)
    app = create_app(make_settings(load_seeds=False))
    with TestClient(app, raise_server_exceptions=False) as api:
        r = api.post("/v1/resolve", json={"names": ["Gaddafi"]})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal error; the service logged the details",
        }
    }
    assert "secret" not in r.text
    assert "Traceback" not in r.text
    # The details go to the log, for the operator.
    logged = [rec for rec in caplog.records if rec.levelno == logging.ERROR]
    assert any("secret state" in (rec.exc_text or "") for rec in logged)
