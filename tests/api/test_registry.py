"""/v1/entities: CRUD, aliases, paging and filtering, bulk import, and their errors."""

import json

import pytest

GADDAFI = {
    "id": "ent_test_gaddafi",
    "canonical": "Muammar Gaddafi",
    "kind": "person",
    "country": "LY",
    "wikidata_id": "Q19878",
    "attributes": {"born": "1942"},
    "aliases": ["Qaddafi", {"name": "القذافي", "source": "press"}],
}


@pytest.fixture
def api(client_with):
    """A client over a registry of its own, without seeds."""
    return client_with(load_seeds=False)


def _create(api, body):
    r = api.post("/v1/entities", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_get_update_delete(api):
    created = _create(api, GADDAFI)
    assert created["id"] == "ent_test_gaddafi"
    assert created["alias_count"] == 3
    assert created["attributes"] == {"born": "1942"}
    assert api.get("/v1/entities/ent_test_gaddafi").json() == created
    r = api.patch("/v1/entities/ent_test_gaddafi", json={"canonical": "Muammar al-Qaddafi"})
    assert r.status_code == 200
    assert r.json()["canonical"] == "Muammar al-Qaddafi"
    assert r.json()["alias_count"] == 4
    assert r.json()["country"] == "LY"
    r = api.delete("/v1/entities/ent_test_gaddafi")
    assert r.status_code == 200
    assert r.json()["id"] == "ent_test_gaddafi"
    r = api.get("/v1/entities/ent_test_gaddafi")
    assert r.status_code == 404
    assert r.json() == {
        "error": {"code": "entity_not_found", "message": "no entity with id 'ent_test_gaddafi'"}
    }


def test_generated_id(api):
    body = _create(api, {"canonical": "Kyiv", "kind": "place", "aliases": ["Kiev"]})
    assert body["id"].startswith("ent_")
    assert body["wikidata_id"] is None


def test_duplicate_id_is_409(api):
    _create(api, GADDAFI)
    r = api.post("/v1/entities", json={**GADDAFI, "canonical": "Someone Else"})
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "conflict",
        "message": "an entity with id 'ent_test_gaddafi' exists already",
    }
    assert api.get("/v1/entities/ent_test_gaddafi").json()["canonical"] == "Muammar Gaddafi"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"canonical": "  "}, "empty_name"),
        ({"canonical": "x", "kind": "planet"}, "invalid_request"),
        ({"canonical": "x", "id": "has space"}, "invalid_request"),
        ({"canonical": "x", "wikidata_id": "Z1"}, "invalid_request"),
        ({"canonical": "x", "aliases": [""]}, "empty_name"),
        ({"canonical": "a\u0000b"}, "invalid_name"),
        ({"canonical": "x", "colour": "red"}, "invalid_request"),
        ({}, "invalid_request"),
    ],
)
def test_bad_entities_are_422(api, body, code):
    r = api.post("/v1/entities", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code
    assert api.get("/v1/entities").json()["count"] == 0


def test_name_too_long_is_413(client_with):
    api = client_with(load_seeds=False, max_name_length=10)
    r = api.post("/v1/entities", json={"canonical": "Muammar Gaddafi"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "name_too_long"


def test_aliases_crud(api):
    _create(api, GADDAFI)
    r = api.post("/v1/entities/ent_test_gaddafi/aliases", json={"name": "Kadhafi"})
    assert r.status_code == 201
    alias = r.json()
    assert alias["script"] == "Latin"
    assert alias["source"] == "manual"
    r = api.post("/v1/entities/ent_test_gaddafi/aliases", json={"name": "Kadhafi"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    r = api.delete(f"/v1/entities/ent_test_gaddafi/aliases/{alias['id']}")
    assert r.status_code == 200
    assert r.json() == alias
    r = api.delete(f"/v1/entities/ent_test_gaddafi/aliases/{alias['id']}")
    assert r.status_code == 404
    r = api.post("/v1/entities/nobody/aliases", json={"name": "Kadhafi"})
    assert r.status_code == 404
    r = api.get("/v1/entities/ent_test_gaddafi/aliases/1")
    assert r.status_code == 405


def test_canonical_alias_cannot_be_deleted(api):
    _create(api, GADDAFI)
    aliases = api.get("/v1/entities/ent_test_gaddafi/aliases?source=canonical").json()
    r = api.delete(f"/v1/entities/ent_test_gaddafi/aliases/{aliases['data'][0]['id']}")
    assert r.status_code == 409


def test_alias_paging_and_filters(api):
    _create(api, GADDAFI)
    page = api.get("/v1/entities/ent_test_gaddafi/aliases?offset=1&limit=1").json()
    assert page["count"] == 3
    assert [a["name"] for a in page["data"]] == ["Qaddafi"]
    arabic = api.get("/v1/entities/ent_test_gaddafi/aliases", params={"script": "Arabic"}).json()
    assert [a["name"] for a in arabic["data"]] == ["القذافي"]
    assert api.get("/v1/entities/nobody/aliases").status_code == 404


def test_entity_paging_and_filters(api):
    for name, kind, country in [
        ("Tehran", "place", "IR"),
        ("Isfahan", "place", "IR"),
        ("Kyiv", "place", "UA"),
        ("Ali Khamenei", "person", "IR"),
    ]:
        _create(api, {"canonical": name, "kind": kind, "country": country})
    page = api.get("/v1/entities", params={"offset": 1, "limit": 2}).json()
    assert page["count"] == 4
    assert [e["canonical"] for e in page["data"]] == ["Isfahan", "Kyiv"]
    ir = api.get("/v1/entities", params={"kind": "place", "country": "IR"}).json()
    assert [e["canonical"] for e in ir["data"]] == ["Isfahan", "Tehran"]
    assert api.get("/v1/entities", params={"q": "KHAM"}).json()["count"] == 1


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=1001", "offset=-1", "kind=planet", "limit=ten"]
)
def test_bad_paging_is_422(api, query):
    r = api.get(f"/v1/entities?{query}")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_import_json_array_and_jsonl(api):
    r = api.post(
        "/v1/entities/import",
        json=[GADDAFI, {"canonical": "Kyiv", "kind": "place", "aliases": ["Kiev", "Киев"]}],
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["aliases_added"]) == (2, 6)
    assert body["ids"][0] == "ent_test_gaddafi"
    lines = "\n".join(
        json.dumps(x)
        for x in [
            {"id": "ent_test_gaddafi", "canonical": "Muammar Gaddafi", "aliases": ["Kadhafi"]},
            {"canonical": "Tehran", "kind": "place", "aliases": ["تهران"]},
        ]
    )
    headers = {"content-type": "application/x-ndjson"}
    r = api.post("/v1/entities/import?on_conflict=merge", content=lines, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["merged"], r.json()["aliases_added"]) == (1, 1, 3)
    assert api.get("/v1/entities").json()["count"] == 3


def test_import_conflict_stores_nothing(api):
    _create(api, GADDAFI)
    r = api.post("/v1/entities/import", json=[{"canonical": "Kyiv"}, GADDAFI])
    assert r.status_code == 409
    assert r.json()["error"]["message"] == (
        "entities[1]: an entity with id 'ent_test_gaddafi' exists already"
    )
    assert api.get("/v1/entities").json()["count"] == 1


@pytest.mark.parametrize(
    ("content", "ctype", "status", "message"),
    [
        ('{"canonical": "x"}', "application/json", 400, "must be a JSON array"),
        ("[1, 2", "application/json", 400, "not valid JSON"),
        ('{"canonical": "x"}\n{oops', "application/x-ndjson", 400, "line 2: not valid JSON"),
        ('[{"name": "x"}]', "application/json", 422, "body.0.canonical: Field required"),
        ('[{"canonical": 5}]', "application/json", 422, "body.0.canonical: Input should be a"),
        (
            '{"canonical": "x"}\n{"canonical": "y", "id": ""}',
            "application/x-ndjson",
            422,
            "body.1.id",
        ),
        (
            '[{"canonical": "x", "wikidata_id": "Q1' + "0" * 40 + '"}]',
            "application/json",
            422,
            "wikidata_id",
        ),
        ('{"canonical": "x"}', "text/plain", 415, "must be a JSON array"),
        ('[{"canonical": " "}]', "application/json", 422, "entities[0].canonical is blank"),
    ],
)
def test_bad_imports(api, content, ctype, status, message):
    r = api.post("/v1/entities/import", content=content, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert message in r.json()["error"]["message"]


def test_imported_judgements_are_stored_and_honoured(api):
    rejected = {"name": "Ghadafi", "verdict": "rejected", "author": "ana"}
    body = {
        **GADDAFI,
        "judgements": [
            {**rejected, "created_at": "2026-11-30T10:12:00+01:00"},
            {"name": "Kadhafi", "verdict": "confirmed"},
        ],
    }
    r = api.post("/v1/entities/import", json=[body])
    assert r.status_code == 200, r.text
    listed = api.get("/v1/judgements", params={"entity_id": "ent_test_gaddafi"}).json()["data"]
    got = {j["name"]: j for j in listed}
    assert got["Ghadafi"]["created_at"].startswith("2026-11-30T09:12:00")  # kept, in UTC
    assert (got["Ghadafi"]["author"], got["Kadhafi"]["author"]) == ("ana", "anonymous")
    assert got["Kadhafi"]["alias_id"] is not None
    resolved = api.post("/v1/resolve", json={"names": ["Ghadafi", "Kadhafi"]}).json()
    ghadafi, kadhafi = resolved["results"]
    assert "ent_test_gaddafi" not in {c["entity_id"] for c in ghadafi["candidates"]}
    assert kadhafi["candidates"][0]["entity_id"] == "ent_test_gaddafi"
    # POST /v1/entities takes them too (an export's record, created alone).
    other = {"canonical": "Kyiv", "id": "ent_kyiv", "judgements": [{**rejected, "name": "Kiew"}]}
    assert _create(api, other)["id"] == "ent_kyiv"
    r = api.get("/v1/judgements", params={"entity_id": "ent_kyiv"})
    assert [j["name"] for j in r.json()["data"]] == ["Kiew"]


@pytest.mark.parametrize(
    ("judgement", "message"),
    [
        ({"name": "x", "verdict": "maybe"}, "body.0.judgements.0.verdict"),
        ({"name": "x", "verdict": "rejected", "created_at": "yesterday"}, "created_at"),
        ({"name": "x", "verdict": "rejected", "when": "now"}, "body.0.judgements.0.when"),
        ({"name": " ", "verdict": "rejected"}, "entities[0].judgements[0].name"),
    ],
)
def test_bad_imported_judgements_are_422(api, judgement, message):
    r = api.post("/v1/entities/import", json=[{"canonical": "x", "judgements": [judgement]}])
    assert r.status_code == 422, r.text
    assert message in r.json()["error"]["message"]
    assert api.get("/v1/entities").json()["count"] == 0


def test_import_limit(client_with):
    api = client_with(load_seeds=False, max_entities_per_request=1)
    r = api.post("/v1/entities/import", json=[{"canonical": "a"}, {"canonical": "b"}])
    assert r.status_code == 413
    assert r.json()["error"]["message"] == (
        "batch of 2 entities exceeds the limit of 1 (CANONYM_MAX_ENTITIES_PER_REQUEST)"
    )


def test_nul_and_nan_are_4xx_not_500(api):
    _create(api, GADDAFI)
    assert api.get("/v1/entities/ent%00x").status_code == 404
    assert api.get("/v1/entities", params={"q": "a\x00"}).status_code == 422
    body = '{"canonical": "Kyiv", "attributes": {"x": NaN}}'
    r = api.post("/v1/entities", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert api.get("/v1/entities").json()["count"] == 1
