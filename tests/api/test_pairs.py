"""POST /v1/compare."""


def _compare(client, *pairs, explain=False):
    body = {"pairs": [{"a": a, "b": b} for a, b in pairs], "explain": explain}
    r = client.post("/v1/compare", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_cross_script_variant_matches(client):
    result = _compare(client, ("Gaddafi", "القذافي"))["results"][0]
    assert result["a"] == "Gaddafi"
    assert result["b"] == "القذافي"
    assert result["probability"] > 0.8
    assert result["match"] is True


def test_different_people_with_one_surname_do_not_match(client):
    result = _compare(client, ("Donald Trump", "Ivanka Trump"))["results"][0]
    assert result["match"] is False
    assert result["probability"] < 0.5


def test_results_keep_request_order_and_threshold_decides(client):
    pairs = [
        ("Zelensky", "Зеленский"),
        ("Donald Trump", "Ivanka Trump"),
        ("Takht Ravanchi", "Takht Rwanchi"),
    ]
    body = _compare(client, *pairs)
    assert [(x["a"], x["b"]) for x in body["results"]] == pairs
    threshold = body["threshold"]
    assert 0.0 < threshold < 1.0
    for x in body["results"]:
        assert 0.0 <= x["probability"] <= 1.0
        assert x["match"] == (x["probability"] >= threshold)
    zelensky, trump, ravanchi = body["results"]
    assert zelensky["match"] is True
    assert ravanchi["match"] is True
    assert trump["probability"] < zelensky["probability"]


def test_variant_scores_higher_than_unrelated_name(client):
    close, far = _compare(client, ("Pezeshkian", "Pizshakyan"), ("Pezeshkian", "Netanyahu"))[
        "results"
    ]
    assert close["probability"] > far["probability"]
    assert far["match"] is False


def test_comparison_is_symmetric(client):
    ab, ba = _compare(client, ("Gaddafi", "Kadhafi"), ("Kadhafi", "Gaddafi"))["results"]
    assert abs(ab["probability"] - ba["probability"]) < 1e-9


def test_without_explain_there_is_no_summary_or_evidence(client):
    result = _compare(client, ("Gaddafi", "Qaddafi"))["results"][0]
    assert set(result) == {"a", "b", "probability", "match"}


def test_explain_adds_summary_and_evidence(client):
    result = _compare(client, ("Gaddafi", "القذافي"), explain=True)["results"][0]
    assert result["summary"].startswith("likely the same")
    assert result["evidence"]
    for item in result["evidence"]:
        assert set(item) == {"feature", "value", "contribution", "description"}
        assert item["feature"]
        assert item["description"]
    assert "cross_script" in {e["feature"] for e in result["evidence"]}


def test_explain_summary_says_different(client):
    result = _compare(client, ("Donald Trump", "Ivanka Trump"), explain=True)["results"][0]
    assert result["summary"].startswith("likely different")


def test_empty_side_is_named(client):
    body = {"pairs": [{"a": "Gaddafi", "b": "Qaddafi"}, {"a": "Gaddafi", "b": "!!!"}]}
    r = client.post("/v1/compare", json=body)
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "empty_name",
        "message": "pairs[1].b: the name is empty after normalization (no letter or digit left)",
    }
    r = client.post("/v1/compare", json={"pairs": [{"a": "😀", "b": "Gaddafi"}]})
    assert r.json()["error"]["message"].startswith("pairs[0].a: ")


def test_blank_name_is_refused_before_comparing(client):
    r = client.post("/v1/compare", json={"pairs": [{"a": "Gaddafi", "b": "   "}]})
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "empty_name", "message": "pairs[0].b is blank"}


def test_too_many_pairs(client_with):
    c = client_with(max_pairs_per_request=2)
    pairs = [{"a": "Gaddafi", "b": "Qaddafi"}] * 3
    r = c.post("/v1/compare", json={"pairs": pairs})
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "batch_too_large",
        "message": "batch of 3 pairs exceeds the limit of 2 (CANONYM_MAX_PAIRS_PER_REQUEST)",
    }
