"""/reconcile: the W3C Reconciliation Service API 0.2, checked against its own JSON schemas."""

import json

import pytest

from tests.reconciliation import DATA, errors, example


def _results(client, queries, method="post"):
    body = json.dumps(queries, ensure_ascii=False)
    if method == "post":
        r = client.post("/reconcile", data={"queries": body})
    else:
        r = client.get("/reconcile", params={"queries": body})
    assert r.status_code == 200, r.text
    result = r.json()
    assert errors("reconciliation-result-batch", result) == []
    return result


def _entity_id(client, canonical):
    page = client.get("/v1/entities", params={"q": canonical}).json()
    return next(e["id"] for e in page["data"] if e["canonical"] == canonical)


@pytest.mark.parametrize(
    ("name", "file", "valid"),
    [
        ("manifest", "manifest-valid-wikidata.json", True),
        ("manifest", "manifest-valid-authentication.json", True),
        ("manifest", "manifest-invalid-missing-version.json", False),
        ("manifest", "manifest-invalid-view-pattern.json", False),
        ("reconciliation-result-batch", "result-batch-valid.json", True),
        ("reconciliation-result-batch", "result-batch-invalid-missing-id.json", False),
        ("reconciliation-query-batch", "query-batch-valid.json", True),
        ("reconciliation-query-batch", "query-batch-valid-multi-values.json", True),
        ("reconciliation-query-batch", "query-batch-invalid-misnamed-property.json", False),
    ],
)
def test_the_vendored_schemas_tell_valid_from_invalid(name, file, valid):
    assert (errors(name, example(file)) == []) is valid


def test_manifest_validates_and_points_at_this_service(client):
    r = client.get("/reconcile")
    assert r.status_code == 200
    manifest = r.json()
    assert errors("manifest", manifest) == []
    assert manifest["versions"] == ["0.2"]
    assert [t["id"] for t in manifest["defaultTypes"]] == ["person", "place", "org", "other"]
    base = "http://testserver"
    assert manifest["view"]["url"] == f"{base}/reconcile/view/{{{{id}}}}"
    assert manifest["preview"]["url"] == f"{base}/reconcile/preview?id={{{{id}}}}"
    assert manifest["suggest"]["entity"] == {
        "service_url": base,
        "service_path": "/reconcile/suggest/entity",
    }
    for service in manifest["suggest"].values():
        assert client.get(service["service_path"], params={"prefix": "a"}).status_code == 200


def test_openrefine_batch_is_reconciled(client):
    batch = json.loads((DATA / "openrefine-batch.json").read_text(encoding="utf-8"))
    assert errors("reconciliation-query-batch", batch) == []
    results = _results(client, batch)
    assert set(results) == set(batch)
    top = {key: r["result"][0] if r["result"] else None for key, r in results.items()}
    expected_matches = {
        "q0": "Muammar Gaddafi",
        "q1": "Tehran",
        "q2": "Majid Takht-Ravanchi",
        "q3": "Volodymyr Zelensky",
        "q4": "Kyiv",
        "q5": "Hezbollah",
    }
    for key, canonical in expected_matches.items():
        assert top[key]["name"] == canonical, key
        assert top[key]["match"] is True, key
        assert top[key]["id"] == _entity_id(client, canonical)
        assert 70 <= top[key]["score"] <= 100
        assert top[key]["features"][0]["id"] == "probability"
        assert top[key]["score"] == round(top[key]["features"][0]["value"] * 100, 2)
    # Only candidates of the asked types and countries.
    for key in ("q0", "q2", "q3", "q6", "q7", "q8", "q9"):
        assert all(
            c["type"] == [{"id": "person", "name": "Person"}] for c in results[key]["result"]
        )
    assert all(c["type"][0]["id"] in ("org", "other") for c in results["q5"]["result"])
    assert len(results["q4"]["result"]) <= 2
    assert top["q0"]["description"].startswith("Person, LY; via ")
    # Two Assads of Syria are too close to call: candidates, but no automatic match.
    assert {c["name"] for c in results["q6"]["result"][:2]} <= {
        "Bashar al-Assad",
        "Maher al-Assad",
        "Hafez al-Assad",
    }
    assert not any(c["match"] for c in results["q6"]["result"])
    # Nobody matches Jane Roe; Kiev is no person; no Assad is Lebanese (country "lb" ~ "LB").
    for key in ("q7", "q8", "q9"):
        assert not any(c["match"] for c in results[key]["result"]), key
    assert "Kyiv" not in {c["name"] for c in results["q8"]["result"]}
    assert all("Assad" not in c["name"] for c in results["q9"]["result"])
    assert all(c["description"].startswith("Person, LB") for c in results["q9"]["result"])


def test_get_and_post_give_the_same_answer(client):
    batch = {"a": {"query": "Qaddafi"}, "b": {"query": "القذافي", "limit": 1}}
    assert _results(client, batch, "get") == _results(client, batch, "post")


def test_match_agrees_with_resolve(client):
    names = ["Qaddafi", "Assad", "Jane Roe", "Putin"]
    resolved = client.post("/v1/resolve", json={"names": names}).json()["results"]
    results = _results(client, {f"q{i}": {"query": n} for i, n in enumerate(names)})
    for i, r in enumerate(resolved):
        cands = results[f"q{i}"]["result"]
        assert cands[0]["match"] is (r["decision"] == "matched")
        by_probability = sorted(r["candidates"], key=lambda c: -c["probability"])
        assert [c["id"] for c in cands] == [c["entity_id"] for c in by_probability]
        assert cands[0]["score"] == round(by_probability[0]["probability"] * 100, 2)


def test_queries_without_a_name_get_no_candidates(client):
    batch = {"q1": {"properties": [{"pid": "country", "v": "IR"}]}}
    assert _results(client, batch) == {"q1": {"result": []}}


@pytest.mark.parametrize(
    ("queries", "status", "code"),
    [
        # A string is what the schema asks for: a batch it cannot hold is a 422, not a 400.
        ("not json", 422, "invalid_request"),
        ("[1, 2]", 422, "invalid_request"),
        ('{"q0": {"query": "x", "props": []}}', 422, "invalid_request"),
        ('{"q0": {"query": "x", "type": "DifferentiatedPerson"}}', 422, "invalid_request"),
        ('{"q0": {"query": "' + "x" * 501 + '"}}', 413, "name_too_long"),
    ],
)
def test_bad_batches_are_refused(client, queries, status, code):
    for r in (
        client.get("/reconcile", params={"queries": queries}),
        client.post("/reconcile", data={"queries": queries}),
    ):
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code


def test_batch_limit(client_with):
    api = client_with(max_names_per_request=2)
    batch = json.dumps({f"q{i}": {"query": "Kiev"} for i in range(3)})
    r = api.post("/reconcile", data={"queries": batch})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "batch_too_large"


def test_post_without_queries_is_a_422(client):
    r = client.post("/reconcile", data={})
    assert r.status_code == 422


def test_post_ignores_unknown_form_fields(client):
    batch = json.dumps({"q0": {"query": "Qaddafi"}})
    r = client.post("/reconcile", data={"queries": batch, "extra": "x"})
    assert r.status_code == 200, r.text
    assert r.json()["q0"]["result"]


def test_suggest_entity_finds_names_and_spellings(client):
    r = client.get("/reconcile/suggest/entity", params={"prefix": "Gadd"})
    assert r.status_code == 200
    body = r.json()
    assert errors("suggest-entities-response", body) == []
    assert body["result"][0]["name"] == "Muammar Gaddafi"
    assert body["result"][0]["notable"] == [{"id": "person", "name": "Person"}]
    # Another script, and a kind filter.
    cyrillic = client.get("/reconcile/suggest/entity", params={"prefix": "Зеленский"}).json()
    assert cyrillic["result"][0]["name"] == "Volodymyr Zelensky"
    places = client.get("/reconcile/suggest/entity", params={"prefix": "Kiev", "type": "place"})
    assert {s["notable"][0]["id"] for s in places.json()["result"]} == {"place"}
    assert client.get("/reconcile/suggest/entity", params={"prefix": " "}).json() == {"result": []}


def test_suggest_types_and_properties(client):
    types = client.get("/reconcile/suggest/type", params={"prefix": "pe"}).json()
    assert errors("suggest-types-response", types) == []
    assert types["result"] == [{"id": "person", "name": "Person"}]
    props = client.get("/reconcile/suggest/property", params={"prefix": "c"}).json()
    assert errors("suggest-properties-response", props) == []
    assert [p["id"] for p in props["result"]] == ["country"]


def test_jsonp_callback(client):
    r = client.get("/reconcile/suggest/type", params={"prefix": "pl", "callback": "cb_1"})
    assert r.headers["content-type"].startswith("application/javascript")
    assert r.text == '/**/cb_1({"result":[{"id":"place","name":"Place"}]});'
    manifest = client.get("/reconcile", params={"callback": "cb"}).text
    assert manifest.startswith("/**/cb({")
    assert manifest.endswith("});")
    bad = client.get("/reconcile", params={"callback": "alert(1)//"})
    assert bad.status_code == 422


def test_preview_and_view_pages(client):
    entity_id = _entity_id(client, "Muammar Gaddafi")
    preview = client.get("/reconcile/preview", params={"id": entity_id})
    assert preview.status_code == 200
    assert preview.headers["content-type"].startswith("text/html")
    assert "<h1>Muammar Gaddafi</h1>" in preview.text
    assert "Person, LY" in preview.text
    assert "القذافي" in preview.text
    view = client.get(f"/reconcile/view/{entity_id}")
    assert view.status_code == 200
    assert "<h1>Muammar Gaddafi</h1>" in view.text
    assert f'href="../../v1/entities/{entity_id}"' in view.text
    for r in (
        client.get("/reconcile/preview", params={"id": "ent_nope"}),
        client.get("/reconcile/view/ent_nope"),
    ):
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "entity_not_found"


def test_names_are_escaped_in_pages(client_with):
    api = client_with()
    created = api.post("/v1/entities", json={"canonical": "<script>x</script> Roe"}).json()
    page = api.get(f"/reconcile/view/{created['id']}").text
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt; Roe" in page


def test_candidates_come_in_score_order_when_resolve_lists_them_by_closeness(client):
    # Without a clear match /v1/resolve lists "Jane Roe"'s candidates by probability and
    # spelling closeness; the reconciliation clients get them by score.
    resolved = client.post("/v1/resolve", json={"names": ["Jane Roe"], "top_k": 3}).json()
    listed = [c["probability"] for c in resolved["results"][0]["candidates"]]
    assert listed != sorted(listed, reverse=True)
    result = _results(client, {"q0": {"query": "Jane Roe", "limit": 3}})["q0"]["result"]
    scores = [c["score"] for c in result]
    assert len(scores) == 3
    assert scores == sorted(scores, reverse=True)
    assert not any(c["match"] for c in result)
