"""Bad input is answered with a 4xx JSON error, never a 500."""

import pytest

EMPTY = "the name is empty after normalization (no letter or digit left)"
ROUTES = ["/v1/normalize", "/v1/cluster"]


def _error(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()["error"]


# --- empty and blank names ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "\t\n ", "\u3000"])
def test_blank_names_are_refused_everywhere(client, name):
    for path in ROUTES:
        err = _error(client.post(path, json={"names": ["Gaddafi", name]}), 422)
        assert err == {"code": "empty_name", "message": "names[1] is blank"}
    err = _error(client.post("/v1/compare", json={"pairs": [{"a": name, "b": "x"}]}), 422)
    assert err == {"code": "empty_name", "message": "pairs[0].a is blank"}


@pytest.mark.parametrize(
    "name",
    [
        "😀",
        "🇮🇷🇺🇦",
        "\u200b" * 500,  # zero-width space flood, at the length limit
        "\u200d\u200c\ufeff" * 100,
        "\u202e\u202d\u2066\u2069",  # bidi overrides and isolates only
        "\x00\x01\x1f",
        "---",
    ],
)
def test_names_without_letters(client, name):
    # Normalize and compare refuse them, naming the item; cluster keeps them as their own entity.
    err = _error(client.post("/v1/normalize", json={"names": [name]}), 422)
    assert err == {"code": "empty_name", "message": f"names[0]: {EMPTY}"}
    pairs = [{"a": "Gaddafi", "b": name}]
    err = _error(client.post("/v1/compare", json={"pairs": pairs}), 422)
    assert err == {"code": "empty_name", "message": f"pairs[0].b: {EMPTY}"}
    r = client.post("/v1/cluster", json={"names": ["Gaddafi", name]})
    assert r.status_code == 200
    assert r.json()["names"] == 2


@pytest.mark.parametrize(
    ("name", "latin"),
    [
        ("Gad\u200bdafi", "gaddafi"),  # zero-width space inside
        ("\u202eGaddafi\u202c", "gaddafi"),  # bidi override around
        ("Gaddafi\x00", "gaddafi"),  # NUL
        ("Gaddafi 😀", "gaddafi"),
    ],
)
def test_invisible_and_control_characters_are_cleaned(client, name, latin):
    r = client.post("/v1/normalize", json={"names": [name]})
    assert r.status_code == 200
    assert r.json()["results"][0]["latin"] == latin
    assert r.json()["results"][0]["name"] == name


def test_unpaired_surrogate_is_refused(client):
    body = '{"names": ["Gaddafi", "ab\\ud800c"]}'
    r = client.post("/v1/normalize", content=body, headers={"content-type": "application/json"})
    err = _error(r, 422)
    assert err == {
        "code": "invalid_name",
        "message": "names[1] contains an unpaired UTF-16 surrogate (U+D800)",
    }


# --- limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_too_many_names(client, path):
    err = _error(client.post(path, json={"names": ["x"] * 10_001}), 413)
    assert err == {
        "code": "batch_too_large",
        "message": "batch of 10001 names exceeds the limit of 10000 "
        "(CANONYM_MAX_NAMES_PER_REQUEST)",
    }


def test_too_many_pairs(client):
    pairs = [{"a": "x", "b": "y"}] * 10_001
    err = _error(client.post("/v1/compare", json={"pairs": pairs}), 413)
    assert err == {
        "code": "batch_too_large",
        "message": "batch of 10001 pairs exceeds the limit of 10000 "
        "(CANONYM_MAX_PAIRS_PER_REQUEST)",
    }


def test_name_at_the_length_limit_is_accepted(client):
    r = client.post("/v1/normalize", json={"names": ["a" * 500]})
    assert r.status_code == 200


@pytest.mark.parametrize("path", ROUTES)
def test_name_too_long(client, path):
    err = _error(client.post(path, json={"names": ["Gaddafi", "a" * 501]}), 413)
    assert err == {
        "code": "name_too_long",
        "message": "names[1] has 501 characters, more than the limit of 500 "
        "(CANONYM_MAX_NAME_LENGTH)",
    }


def test_name_too_long_in_a_pair(client):
    body = {"pairs": [{"a": "Gaddafi", "b": "Qaddafi"}, {"a": "b" * 501, "b": "Qaddafi"}]}
    err = _error(client.post("/v1/compare", json=body), 413)
    assert err["code"] == "name_too_long"
    assert err["message"].startswith("pairs[1].a has 501 characters")


def test_zero_width_flood_over_the_limit(client):
    # The limit applies to the raw input, before invisible characters are removed.
    err = _error(client.post("/v1/normalize", json={"names": ["a" + "\u200b" * 10_000]}), 413)
    assert err["code"] == "name_too_long"
    assert err["message"].startswith("names[0] has 10001 characters")


def test_name_length_counts_characters_not_bytes(client):
    r = client.post("/v1/normalize", json={"names": ["ق" * 500]})
    assert r.status_code == 200


# --- bodies that are not what the schema says ---------------------------------------------------


@pytest.mark.parametrize("path", [*ROUTES, "/v1/compare"])
@pytest.mark.parametrize("body", [b'{"names": ["x",', b"not json", b"{'names': []}"])
def test_malformed_json(client, path, body):
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    err = _error(r, 400)
    assert err["code"] == "invalid_input"
    assert err["message"].startswith("request body is not valid JSON: ")


def test_body_that_is_not_utf8(client):
    r = client.post(
        "/v1/normalize", content=b"\xff\xfe\xfa", headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500
    assert "error" in r.json()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_wrong_content_type(client, content_type):
    r = client.post(
        "/v1/normalize", content=b'{"names": ["x"]}', headers={"content-type": content_type}
    )
    err = _error(r, 415)
    assert err == {
        "code": "unsupported_media_type",
        "message": "the request body must be JSON sent with content-type: application/json "
        f"(got {content_type!r})",
    }


def test_json_content_types_with_parameters_or_suffix_are_read(client):
    for content_type in ("application/json; charset=utf-8", "application/problem+json"):
        r = client.post(
            "/v1/normalize", content=b'{"names": ["x"]}', headers={"content-type": content_type}
        )
        assert r.status_code == 200, content_type


def test_non_utf8_bytes_with_wrong_content_type(client):
    r = client.post("/v1/normalize", content=b"\xff" * 10_000, headers={"content-type": "x/y"})
    err = _error(r, 415)
    assert len(err["message"]) < 300


def test_missing_body(client):
    err = _error(client.post("/v1/normalize", headers={"content-type": "application/json"}), 422)
    assert err["code"] == "invalid_request"
    assert err["details"][0]["type"] == "missing"


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/v1/normalize", {"names": [42]}, ["body", "names", 0]),
        ("/v1/normalize", {"names": "Gaddafi"}, ["body", "names"]),
        ("/v1/normalize", {"names": [None]}, ["body", "names", 0]),
        ("/v1/normalize", {"name": ["Gaddafi"]}, ["body", "names"]),
        ("/v1/compare", {"pairs": [["Gaddafi", "Qaddafi"]]}, ["body", "pairs", 0]),
        ("/v1/compare", {"pairs": [{"a": "x", "b": 1}]}, ["body", "pairs", 0, "b"]),
        ("/v1/compare", {"pairs": [], "explain": "maybe"}, ["body", "explain"]),
        ("/v1/cluster", {"names": [{"name": "x", "count": "many"}]}, ["body", "names", 0]),
        ("/v1/cluster", {"names": [{"name": "x", "count": -1}]}, ["body", "names", 0]),
    ],
)
def test_wrong_types(client, path, body, loc):
    err = _error(client.post(path, json=body), 422)
    assert err["code"] == "invalid_request"
    assert err["message"].startswith("invalid request (")
    assert any(d["loc"][: len(loc)] == loc for d in err["details"]), err["details"]


def test_validation_message_names_the_first_problem(client):
    err = _error(client.post("/v1/normalize", json={"names": [42]}), 422)
    assert err["message"] == (
        "invalid request (1 problem); first: body.names.0: Input should be a valid string"
    )
    assert err["details"] == [
        {
            "type": "string_type",
            "loc": ["body", "names", 0],
            "msg": "Input should be a valid string",
            "input": 42,
        }
    ]


def test_unknown_fields_are_refused(client):
    err = _error(client.post("/v1/normalize", json={"names": ["x"], "limit": 3}), 422)
    assert err["details"][0]["type"] == "extra_forbidden"


def test_huge_invalid_inputs_are_truncated_in_details(client):
    body = {"names": [{"x": "y" * 100_000, **{f"k{i}": i for i in range(100)}}] + [1] * 500}
    r = client.post("/v1/normalize", json=body)
    err = _error(r, 422)
    assert err["message"].startswith("invalid request (501 problems)")
    assert len(err["details"]) == 20
    assert len(r.content) < 20_000
    first = err["details"][0]["input"]
    assert len(first) == 10
    assert first["x"].endswith("... (100000 characters)")


def test_non_finite_numbers_in_the_body(client):
    r = client.post(
        "/v1/normalize",
        content=b'{"names": [NaN, Infinity]}',
        headers={"content-type": "application/json"},
    )
    err = _error(r, 422)
    assert [d["input"] for d in err["details"]] == ["nan", "inf"]


def test_deeply_nested_json(client):
    body = b'{"names": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = client.post("/v1/normalize", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    assert "error" in r.json()


def test_huge_count(client):
    r = client.post("/v1/cluster", json={"names": [{"name": "x", "count": 10**40}]})
    assert _error(r, 422)["code"] == "invalid_request"
