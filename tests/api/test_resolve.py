"""POST /v1/resolve on the seed registry, judgements, restarts and /v1/cluster resolve."""

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.core.matcher import RESOLVE_SPELLING_WEIGHT
from tests.conftest import make_settings


def _resolve(client, names, **extra):
    r = client.post("/v1/resolve", json={"names": names, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def _entity_id(client, canonical):
    page = client.get("/v1/entities", params={"q": canonical}).json()
    return next(e["id"] for e in page["data"] if e["canonical"] == canonical)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Qaddafi", "Muammar Gaddafi"),
        ("القذافي", "Muammar Gaddafi"),
        ("Takht Rwanchi", "Majid Takht-Ravanchi"),
        ("Takht Ruanchi", "Majid Takht-Ravanchi"),
        ("Pizshakyan", "Masoud Pezeshkian"),
        ("Зеленский", "Volodymyr Zelensky"),
        ("Teheran", "Tehran"),
        ("Kiev", "Kyiv"),
        ("Putin", "Vladimir Putin"),
    ],
)
def test_seeded_variants_are_matched(client, name, canonical):
    result = _resolve(client, [name])["results"][0]
    assert result["decision"] == "matched", result
    top = result["candidates"][0]
    assert top["canonical"] == canonical
    assert top["probability"] >= 0.5  # a bare surname matches from even odds when unique
    assert top["summary"]
    assert "evidence" not in top
    assert top["entity_id"] == _entity_id(client, canonical)


def test_close_entities_are_ambiguous(client):
    result = _resolve(client, ["Assad"])["results"][0]
    assert result["decision"] == "ambiguous"
    assert {c["canonical"] for c in result["candidates"][:2]} <= {
        "Bashar al-Assad",
        "Hafez al-Assad",
        "Maher al-Assad",
    }
    assert "within 0.1" in result["reason"]


def test_unknown_names_are_new(client):
    body = _resolve(client, ["Jane Roe", "😀"])
    assert [r["decision"] for r in body["results"]] == ["new", "new"]
    assert body["threshold"] == 0.7
    assert body["margin"] == 0.1


def test_the_docs_give_the_spelling_weight(client):
    description = client.get("/openapi.json").json()["paths"]["/v1/resolve"]["post"]["description"]
    assert f"probability plus {RESOLVE_SPELLING_WEIGHT:g} times" in " ".join(description.split())


def test_top_k_and_explain(client):
    result = _resolve(client, ["Assad"], top_k=1, explain=True)["results"][0]
    assert len(result["candidates"]) == 1
    assert result["candidates"][0]["evidence"][0]["feature"]


def test_results_keep_request_order(client):
    names = ["Kiev", "Qaddafi", "Kiev"]
    assert [r["name"] for r in _resolve(client, names)["results"]] == names


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"names": [" "]}, 422, "empty_name"),
        ({"names": ["x"], "top_k": 0}, 422, "invalid_request"),
        ({"names": "Qaddafi"}, 422, "invalid_request"),
    ],
)
def test_bad_resolve_requests(client, body, status, code):
    r = client.post("/v1/resolve", json=body)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_resolve_batch_limit(client_with):
    api = client_with(max_names_per_request=2)
    r = api.post("/v1/resolve", json={"names": ["a", "b", "c"]})
    assert r.status_code == 413


def test_rejected_link_is_never_proposed_even_after_a_restart(tmp_path):
    settings = make_settings(database_path=str(tmp_path / "registry.db"))
    with TestClient(create_app(settings)) as api:
        gaddafi = _entity_id(api, "Muammar Gaddafi")
        assert _resolve(api, ["Gadafi"])["results"][0]["candidates"][0]["entity_id"] == gaddafi
        r = api.post(
            "/v1/judgements",
            json={"name": "Gadafi", "entity_id": gaddafi, "verdict": "rejected", "author": "qa"},
        )
        assert r.status_code == 201
        assert r.json()["alias_id"] is None
        result = _resolve(api, ["GADAFI"])["results"][0]
        assert gaddafi not in {c["entity_id"] for c in result["candidates"]}
    with TestClient(create_app(settings)) as api:
        result = _resolve(api, ["Gadafi"])["results"][0]
        assert gaddafi not in {c["entity_id"] for c in result["candidates"]}
        assert _resolve(api, ["Qaddafi"])["results"][0]["decision"] == "matched"
        listed = api.get("/v1/judgements", params={"verdict": "rejected"}).json()
        assert listed["count"] == 1
        assert listed["data"][0]["author"] == "qa"


def test_confirmed_judgement_becomes_an_alias_and_resolves(client_with):
    api = client_with()
    # An epithet no spelling rule can find: a reviewer links it.
    assert _resolve(api, ["Brother Leader"])["results"][0]["decision"] == "new"
    gaddafi = _entity_id(api, "Muammar Gaddafi")
    r = api.post(
        "/v1/judgements",
        json={"name": "Brother Leader", "entity_id": gaddafi, "verdict": "confirmed"},
    )
    assert r.status_code == 201
    assert r.json()["alias_id"] is not None
    aliases = api.get(f"/v1/entities/{gaddafi}/aliases", params={"source": "judgement"}).json()
    assert [a["name"] for a in aliases["data"]] == ["Brother Leader"]
    result = _resolve(api, ["Brother Leader"])["results"][0]
    assert result["decision"] == "matched"
    assert result["candidates"][0]["entity_id"] == gaddafi
    assert result["candidates"][0]["alias"] == "Brother Leader"


def test_judgement_on_unknown_entity_is_404(client):
    r = client.post(
        "/v1/judgements", json={"name": "x", "entity_id": "nobody", "verdict": "rejected"}
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "entity_not_found"


def test_new_entity_and_alias_resolve_at_once(client_with):
    api = client_with(load_seeds=False)
    assert _resolve(api, ["Ebrahim Raisi"])["results"][0]["decision"] == "new"
    created = api.post("/v1/entities", json={"canonical": "Ebrahim Raisi", "kind": "person"})
    entity_id = created.json()["id"]
    result = _resolve(api, ["Ibrahim Raisi"])["results"][0]
    assert result["decision"] == "matched"
    assert result["candidates"][0]["entity_id"] == entity_id
    api.post(f"/v1/entities/{entity_id}/aliases", json={"name": "ابراهیم رئیسی"})
    result = _resolve(api, ["ابراهیم رئیسی"])["results"][0]
    assert result["decision"] == "matched"
    assert result["candidates"][0]["alias"] == "ابراهیم رئیسی"
    api.delete(f"/v1/entities/{entity_id}")
    assert _resolve(api, ["Ibrahim Raisi"])["results"][0]["decision"] == "new"


def test_seeding_is_idempotent_across_restarts(tmp_path):
    settings = make_settings(database_path=str(tmp_path / "registry.db"))
    counts = []
    for _ in range(2):
        with TestClient(create_app(settings)) as api:
            assert api.get("/readyz").json() == {"status": "ready"}
            counts.append(api.get("/v1/entities").json()["count"])
    assert counts[0] == counts[1]
    assert 150 <= counts[0] <= 400


def test_deleted_seed_entity_stays_deleted_after_a_restart(tmp_path):
    settings = make_settings(database_path=str(tmp_path / "registry.db"))
    with TestClient(create_app(settings)) as api:
        kyiv = _entity_id(api, "Kyiv")
        assert api.delete(f"/v1/entities/{kyiv}").status_code == 200
    with TestClient(create_app(settings)) as api:
        assert api.get(f"/v1/entities/{kyiv}").status_code == 404


def test_seed_ids_are_stable(client, client_with):
    other = client_with()
    for name in ("Muammar Gaddafi", "Tehran", "Hezbollah"):
        assert _entity_id(client, name) == _entity_id(other, name)


def test_registry_not_ready_before_the_lifespan(settings):
    api = TestClient(create_app(settings))
    r = api.post("/v1/resolve", json={"names": ["x"]})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "not_ready"
