"""/reconcile/v1: the Reconciliation Service API 1.0-draft, checked against its JSON schemas."""

import pytest

from tests.reconciliation import errors, example

V1 = "1.0-draft"


@pytest.mark.parametrize(
    ("name", "file", "valid"),
    [
        ("manifest", "manifest-valid-min.json", True),
        ("manifest", "manifest-invalid-missing-view.json", False),
        ("reconciliation-query-batch", "query-batch-valid.json", True),
        ("reconciliation-query-batch", "query-batch-invalid-old-format.json", False),
        ("reconciliation-result-batch", "result-batch-valid.json", True),
        ("reconciliation-result-batch", "result-batch-invalid-missing-id.json", False),
    ],
)
def test_the_vendored_schemas_tell_valid_from_invalid(name, file, valid):
    assert (errors(name, example(file, V1), V1) == []) is valid


def test_manifest(client):
    manifest = client.get("/reconcile/v1").json()
    assert errors("manifest", manifest, V1) == []
    assert manifest["versions"] == ["1.0-draft"]
    assert manifest["view"]["url"] == "http://testserver/reconcile/view/{id}"
    assert manifest["suggest"] == {"entity": True, "property": True, "type": True}


def _match(client, queries):
    batch = {"queries": queries}
    assert errors("reconciliation-query-batch", batch, V1) == []
    r = client.post("/reconcile/v1/match", json=batch)
    assert r.status_code == 200, r.text
    body = r.json()
    assert errors("reconciliation-result-batch", body, V1) == []
    return [q["candidates"] for q in body["results"]]


def _name(value):
    return {"matchType": "name", "propertyValue": value}


def _country(value, **extra):
    return {"matchType": "property", "propertyId": "country", "propertyValue": value, **extra}


def test_match_a_batch(client):
    qaddafi, teheran, assad_lb, assad_any, nobody = _match(
        client,
        [
            {"type": "person", "limit": 2, "conditions": [_name("Qaddafi")]},
            {"conditions": [_name("Teheran"), _country("IR")]},
            {"type": "person", "conditions": [_name("Assad"), _country("LB")]},
            {"type": "person", "conditions": [_name("Assad"), _country("LB", required=False)]},
            {"conditions": [_name("Jane Roe")]},
        ],
    )
    assert qaddafi[0]["name"] == "Muammar Gaddafi"
    assert qaddafi[0]["match"] is True
    assert qaddafi[0]["features"][0]["name"]
    assert len(qaddafi) <= 2
    assert teheran[0]["name"] == "Tehran"
    assert all("Assad" not in c["name"] for c in assad_lb)
    assert "Assad" in assad_any[0]["name"]  # a condition that is not required does not narrow
    assert not any(c["match"] for c in nobody)


def test_match_by_id(client):
    page = client.get("/v1/entities", params={"q": "Tehran"}).json()
    tehran = next(e["id"] for e in page["data"] if e["canonical"] == "Tehran")
    (by_id,) = _match(client, [{"conditions": [{"matchType": "id", "propertyValue": tehran}]}])
    assert by_id == [
        {
            "id": tehran,
            "name": "Tehran",
            "description": "Place, IR",
            "score": 100.0,
            "match": True,
            "type": [{"id": "place", "name": "Place"}],
            "features": [
                {
                    "id": "probability",
                    "name": "calibrated probability of the same entity",
                    "value": 1.0,
                }
            ],
        }
    ]


def test_suggest_and_preview(client):
    entities = client.get("/reconcile/v1/suggest/entity", params={"prefix": "Gadd"}).json()
    assert errors("suggest-entities-response", entities, V1) == []
    assert entities["result"][0]["name"] == "Muammar Gaddafi"
    types = client.get("/reconcile/v1/suggest/type", params={"prefix": "or"}).json()
    assert errors("suggest-types-response", types, V1) == []
    assert types["result"] == [{"id": "org", "name": "Organisation"}]
    props = client.get("/reconcile/v1/suggest/property", params={"prefix": ""}).json()
    assert errors("suggest-properties-response", props, V1) == []
    preview = client.get("/reconcile/v1/preview", params={"id": entities["result"][0]["id"]})
    assert "<h1>Muammar Gaddafi</h1>" in preview.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"queries": [{"conditions": []}]}, 422),
        ({"q0": {"query": "Qaddafi"}}, 422),
        ({"queries": [{"type": "DifferentiatedPerson", "conditions": [_name("x")]}]}, 422),
        # Strict: values of another JSON type are refused, not converted.
        ({"queries": [{"conditions": [{**_name("x"), "required": 0}]}]}, 422),
        ({"queries": [{"limit": "3", "conditions": [_name("x")]}]}, 422),
    ],
)
def test_bad_batches(client, body, status):
    r = client.post("/reconcile/v1/match", json=body)
    assert r.status_code == status, r.text
