"""API keys: every write needs one when CANONYM_API_KEYS is set; reads stay open."""

import pytest

from tests.conftest import make_settings

KEYS = "k-live-3f9a0c,k-ops-77d1e2"


@pytest.fixture
def api(client_with):
    return client_with(load_seeds=False, api_keys=KEYS)


WRITES = [
    ("post", "/v1/entities", {"canonical": "Kyiv"}),
    ("post", "/v1/entities/import", [{"canonical": "Kyiv"}]),
    ("patch", "/v1/entities/x", {"canonical": "Kyiv"}),
    ("delete", "/v1/entities/x", None),
    ("post", "/v1/entities/x/aliases", {"name": "Kiev"}),
    ("delete", "/v1/entities/x/aliases/1", None),
    ("post", "/v1/judgements", {"name": "Kiev", "entity_id": "x", "verdict": "rejected"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_write_without_key_is_401(api, method, path, body):
    r = api.request(method, path, json=body)
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "code": "unauthorized",
            "message": "this route changes the registry and needs an API key "
            "(X-API-Key header or Authorization: Bearer)",
        }
    }


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_write_with_wrong_key_is_403(api, method, path, body):
    r = api.request(method, path, json=body, headers={"X-API-Key": "k-live-3f9a0d"})
    assert r.status_code == 403
    assert r.json() == {"error": {"code": "forbidden", "message": "the API key is not valid"}}
    r = api.request(method, path, json=body, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 403


def test_either_header_and_any_configured_key_works(api):
    r = api.post("/v1/entities", json={"canonical": "Kyiv"}, headers={"X-API-Key": "k-live-3f9a0c"})
    assert r.status_code == 201
    r = api.post(
        "/v1/entities",
        json={"canonical": "Tehran"},
        headers={"Authorization": "Bearer k-ops-77d1e2"},
    )
    assert r.status_code == 201
    assert api.get("/v1/entities").json()["count"] == 2


def test_reads_stay_open(api):
    assert api.get("/v1/entities").status_code == 200
    assert api.get("/v1/judgements").status_code == 200
    assert api.post("/v1/resolve", json={"names": ["Kyiv"]}).status_code == 200
    assert api.post("/v1/compare", json={"pairs": [{"a": "x", "b": "y"}]}).status_code == 200
    assert api.get("/v1/entities/nobody").status_code == 404


def test_writes_are_open_without_keys(client_with):
    api = client_with(load_seeds=False)
    assert api.post("/v1/entities", json={"canonical": "Kyiv"}).status_code == 201


def test_placeholder_keys_are_refused_in_production():
    with pytest.raises(ValueError, match="CANONYM_API_KEYS contains a placeholder secret"):
        make_settings(api_keys="changethis", environment="production")
    url = "postgresql+psycopg://canonym:changeme@db/canonym"
    with pytest.raises(ValueError, match="CANONYM_DATABASE_URL contains a placeholder"):
        make_settings(api_keys="k-3f9a0c7d", database_url=url, environment="production")


def test_placeholder_keys_only_warn_in_development():
    with pytest.warns(UserWarning, match="placeholder secret"):
        settings = make_settings(api_keys="changethis")
    assert settings.api_key_list == ("changethis",)


def test_production_requires_api_keys():
    with pytest.raises(ValueError, match="CANONYM_API_KEYS must be set in production"):
        make_settings(environment="production", api_keys=" , ")
    assert make_settings(environment="PRODUCTION", api_keys="k-3f9a0c7d").api_key_list


def test_cors_origins_are_a_list():
    assert make_settings().cors_origin_list == ()
    origins = make_settings(cors_origins="https://a.example, https://b.example").cors_origin_list
    assert origins == ("https://a.example", "https://b.example")


def test_blank_entries_are_ignored():
    assert make_settings(api_keys=" a , ,b ").api_key_list == ("a", "b")
    assert make_settings(api_keys=None).api_key_list == ()
