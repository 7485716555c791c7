"""POST /v1/normalize."""

import pytest


def test_normalize_strips_titles_and_keeps_order(client):
    names = ["President Muammar al-Gaddafi", "القذافي", "Зеленский, Владимир"]
    r = client.post("/v1/normalize", json={"names": names})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["name"] for x in results] == names

    gaddafi = results[0]
    assert gaddafi["normalized"] == "Muammar al-Gaddafi"
    assert gaddafi["titles"] == ["President"]
    assert gaddafi["scripts"] == ["Latin"]
    assert gaddafi["latin"] == "muammar al gaddafi"
    assert [t["text"] for t in gaddafi["tokens"]] == ["muammar", "al", "gaddafi"]
    assert set(gaddafi["tokens"][0]) == {"text", "latin", "script", "skeleton"}


def test_normalize_romanizes_other_scripts(client):
    r = client.post("/v1/normalize", json={"names": ["القذافي", "Зеленский, Владимир"]})
    arabic, cyrillic = r.json()["results"]
    assert arabic["scripts"] == ["Arabic"]
    assert {t["script"] for t in arabic["tokens"]} == {"Arabic"}
    assert arabic["latin"].isascii()
    assert cyrillic["scripts"] == ["Cyrillic"]
    # "Last, First" is put in reading order.
    assert cyrillic["normalized"] == "Владимир Зеленский"
    assert cyrillic["latin"].isascii()


def test_normalize_variants_share_skeleton(client):
    r = client.post("/v1/normalize", json={"names": ["Gaddafi", "Qaddafi", "Kadhafi"]})
    skeletons = {x["tokens"][-1]["skeleton"] for x in r.json()["results"]}
    assert len(skeletons) == 1


def test_normalize_empty_list_gives_no_results(client):
    r = client.post("/v1/normalize", json={"names": []})
    assert r.status_code == 200
    assert r.json() == {"results": []}


@pytest.mark.parametrize("name", ["...", "😀", "\u200b\u200b", "\u202e"])
def test_normalize_refuses_names_without_letters(client, name):
    r = client.post("/v1/normalize", json={"names": ["Gaddafi", name]})
    assert r.status_code == 422
    assert r.json() == {
        "error": {
            "code": "empty_name",
            "message": "names[1]: the name is empty after normalization (no letter or digit left)",
        }
    }


def test_normalize_is_idempotent_on_its_output(client):
    first = client.post("/v1/normalize", json={"names": ["Dr. SMITH, John"]}).json()["results"][0]
    again = client.post("/v1/normalize", json={"names": [first["normalized"]]}).json()
    assert again["results"][0]["latin"] == first["latin"]
