"""POST /v1/cluster."""


def _cluster(client, names):
    r = client.post("/v1/cluster", json={"names": names})
    assert r.status_code == 200, r.text
    return r.json()


def _member_sets(body):
    return [{m["name"] for m in e["members"]} for e in body["entities"]]


def test_variants_form_one_entity(client):
    names = [
        {"name": "Takht Ravanchi", "count": 7},
        "Takht Rwanchi",
        "Takht Ruanchi",
        {"name": "Majid Takht-Ravanchi", "count": 2},
    ]
    body = _cluster(client, names)
    assert body["entities_count"] == 1
    assert body["names"] == 4
    entity = body["entities"][0]
    assert entity["canonical"] == "Takht Ravanchi"
    assert entity["canonical_reason"]
    assert entity["entity_id"].startswith("ent_")
    assert 0.0 < entity["confidence"] <= 1.0
    # Most frequent first.
    assert [m["name"] for m in entity["members"]][:2] == ["Takht Ravanchi", "Majid Takht-Ravanchi"]
    assert [m["count"] for m in entity["members"]][:2] == [7, 2]


def test_output_is_a_partition_of_the_distinct_input(client):
    names = [
        "Gaddafi",
        {"name": "Qaddafi", "count": 3},
        "Kadhafi",
        "القذافي",
        "Zelensky",
        "Зеленский",
        "Pezeshkian",
        "Pizshakyan",
        "Gaddafi",
    ]
    body = _cluster(client, names)
    sets = _member_sets(body)
    flat = [n for s in sets for n in s]
    assert len(flat) == len(set(flat))
    assert set(flat) == {n if isinstance(n, str) else n["name"] for n in names}
    assert body["names"] == len(flat) == 8
    assert body["entities_count"] == len(body["entities"])
    assert {"Gaddafi", "Qaddafi", "Kadhafi", "القذافي"} in sets
    assert {"Zelensky", "Зеленский"} in sets
    assert {"Pezeshkian", "Pizshakyan"} in sets


def test_repeated_names_are_added_up(client):
    body = _cluster(client, ["Gaddafi", "Gaddafi", {"name": "Gaddafi", "count": 5}])
    assert body["entities"][0]["members"] == [{"name": "Gaddafi", "count": 7, "confidence": 1.0}]


def test_largest_entity_first(client):
    body = _cluster(client, ["Zelensky", {"name": "Qaddafi", "count": 9}, "Gaddafi"])
    totals = [sum(m["count"] for m in e["members"]) for e in body["entities"]]
    assert totals == sorted(totals, reverse=True)
    assert body["entities"][0]["canonical"] == "Qaddafi"


def test_entity_id_is_stable(client):
    names = ["Gaddafi", "Qaddafi", "القذافي"]
    first = _cluster(client, names)["entities"][0]["entity_id"]
    again = _cluster(client, list(reversed(names)))["entities"][0]["entity_id"]
    assert first == again


def test_name_without_letters_is_its_own_entity(client):
    body = _cluster(client, ["Gaddafi", "😀"])
    assert _member_sets(body) == [{"Gaddafi"}, {"😀"}] or _member_sets(body) == [
        {"😀"},
        {"Gaddafi"},
    ]
    emoji = next(e for e in body["entities"] if e["canonical"] == "😀")
    assert emoji["confidence"] == 1.0


def test_empty_batch(client):
    assert _cluster(client, []) == {"entities": [], "names": 0, "entities_count": 0}


def test_blank_name_is_refused(client):
    r = client.post("/v1/cluster", json={"names": ["Gaddafi", {"name": " \t", "count": 2}]})
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "empty_name", "message": "names[1] is blank"}


def test_count_must_be_positive(client):
    r = client.post("/v1/cluster", json={"names": [{"name": "Gaddafi", "count": 0}]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_resolve_attaches_clusters_to_registry_entities(client):
    names = ["Qaddafi", "Kadhafi", "القذافي", "Takht Rwanchi", "Takht Ruanchi", "Jane Roe"]
    r = client.post("/v1/cluster", json={"names": names, "resolve": True})
    assert r.status_code == 200, r.text
    by_member = {m["name"]: e for e in r.json()["entities"] for m in e["members"]}
    gaddafi = by_member["Qaddafi"]
    assert gaddafi["registry"]["decision"] == "matched"
    assert gaddafi["canonical"] == gaddafi["registry"]["canonical"] == "Muammar Gaddafi"
    page = client.get("/v1/entities", params={"q": "Muammar Gaddafi"}).json()
    assert gaddafi["entity_id"] == gaddafi["registry"]["entity_id"] == page["data"][0]["id"]
    assert gaddafi["canonical_reason"].startswith("known entity of the registry: ")
    assert "resolve to 'Muammar Gaddafi'" in gaddafi["registry"]["reason"]
    assert by_member["Takht Rwanchi"]["canonical"] == "Majid Takht-Ravanchi"
    stranger = by_member["Jane Roe"]
    assert stranger["registry"] == {
        "decision": "new",
        "reason": "none of its names matches a known entity",
    }
    assert stranger["entity_id"].startswith("ent_")
    assert stranger["canonical"] == "Jane Roe"


def test_without_resolve_there_is_no_registry_field(client):
    body = _cluster(client, ["Qaddafi", "Kadhafi"])
    assert "registry" not in body["entities"][0]


def test_explain_adds_the_weakest_link(client):
    names = ["Abbas Araghchi", "Araghchi", "Araqchi", "Elon Musk"]
    r = client.post("/v1/cluster", json={"names": names, "explain": True})
    assert r.status_code == 200
    entities = {e["canonical"]: e for e in r.json()["entities"]}
    link = entities["Abbas Araghchi"]["weakest_link"]
    members = {m["name"]: m["confidence"] for m in entities["Abbas Araghchi"]["members"]}
    assert members[link["name"]] == min(members.values())
    assert link["partner"] in members
    assert link["summary"].startswith("likely the same: ")
    assert "weakest_link" not in entities["Elon Musk"]
    plain = client.post("/v1/cluster", json={"names": names}).json()
    assert all("weakest_link" not in e for e in plain["entities"])
