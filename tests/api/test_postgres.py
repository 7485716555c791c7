"""The whole service on PostgreSQL: seeds, resolve, writes and bad input (the store tests cover
the rest on both engines)."""

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from tests.conftest import make_settings
from tests.factory import store_factory


@pytest.mark.postgres
def test_service_on_postgres(tmp_path):
    with store_factory("postgres", tmp_path) as factory:
        settings = make_settings(database_url=factory.url)
        with TestClient(create_app(settings)) as api:
            assert api.get("/readyz").status_code == 200
            r = api.post("/v1/resolve", json={"names": ["Qaddafi", "Takht Rwanchi"]})
            assert [x["decision"] for x in r.json()["results"]] == ["matched", "matched"]
            created = api.post(
                "/v1/entities", json={"canonical": "Jane Roe", "aliases": ["J. Roe"]}
            )
            assert created.status_code == 201
            entity_id = created.json()["id"]
            assert api.get(f"/v1/entities/{entity_id}%00").status_code == 404
            body = '{"canonical": "Kyiv", "attributes": {"x": NaN}}'
            headers = {"content-type": "application/json"}
            assert api.post("/v1/entities", content=body, headers=headers).status_code == 422
            r = api.post(
                f"/v1/entities/{entity_id}/aliases", json={"name": "Jane", "source": "a\x00"}
            )
            assert r.status_code == 422
            count = api.get("/v1/entities").json()["count"]
        with TestClient(create_app(settings)) as api:  # a restart: seeds not loaded twice
            assert api.get("/v1/entities").json()["count"] == count
            r = api.post("/v1/resolve", json={"names": ["Jane Roe"]})
            assert r.json()["results"][0]["candidates"][0]["entity_id"] == entity_id
