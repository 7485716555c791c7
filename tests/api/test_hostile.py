"""One test per row of docs/hostile-input.md (``test_h01_...`` for row H01, and so on).

Hostile input gets a clear 4xx (a CLI error naming the line for files), or a sensible 200
where it is a legitimate name; never a 500. A refused write changes nothing stored: the rows
of every registry table are counted before and after.
"""

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.cli import main
from tests.conftest import make_settings
from tests.factory import registry_counts

DOC = Path(__file__).parents[2] / "docs" / "hostile-input.md"
EMPTY = "the name is empty after normalization (no letter or digit left)"
JSON = {"content-type": "application/json"}
JSON_BODY_ROUTES = ["/v1/normalize", "/v1/compare", "/v1/cluster", "/v1/resolve", "/v1/entities"]


@pytest.fixture(scope="module")
def api():
    # One seeded registry for the module; writes are open (access is tests/api/test_access.py).
    with TestClient(create_app(make_settings())) as client:
        yield client


@pytest.fixture(scope="module")
def known(api):
    """The id of a seeded entity, for the writes that need one."""
    return api.get("/v1/entities", params={"q": "Muammar"}).json()["data"][0]["id"]


@contextmanager
def unchanged(api):
    before = registry_counts(api)
    yield
    assert registry_counts(api) == before


def _error(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()["error"]


def _reads(api, name):
    """(route, response) of the read routes given ``name`` (as the second name of a pair)."""
    return [
        ("normalize", api.post("/v1/normalize", json={"names": ["Gaddafi", name]})),
        ("compare", api.post("/v1/compare", json={"pairs": [{"a": "Gaddafi", "b": name}]})),
        ("resolve", api.post("/v1/resolve", json={"names": ["Gaddafi", name]})),
    ]


def _writes(api, known, name):
    """(route, response) of every write that stores ``name`` as a name."""
    return [
        ("create", api.post("/v1/entities", json={"canonical": name})),
        (
            "create alias",
            api.post("/v1/entities", json={"canonical": "Jane Roe", "aliases": [name]}),
        ),
        ("add alias", api.post(f"/v1/entities/{known}/aliases", json={"name": name})),
        ("rename", api.patch(f"/v1/entities/{known}", json={"canonical": name})),
        (
            "judge",
            api.post(
                "/v1/judgements", json={"name": name, "entity_id": known, "verdict": "confirmed"}
            ),
        ),
        ("import", api.post("/v1/entities/import", json=[{"canonical": name}])),
    ]


def _refused_everywhere(api, known, name, status, code):
    with unchanged(api):
        for route, r in _reads(api, name) + _writes(api, known, name):
            assert r.status_code == status, (route, r.text)
            assert r.json()["error"]["code"] == code, (route, r.text)


def _unmatchable(api, known, name):
    """A name with no letter or digit left once normalized: refused where a name must match
    (normalize, compare, writes); resolve answers "new" and cluster keeps it apart."""
    with unchanged(api):
        for route, r in _reads(api, name)[:2] + _writes(api, known, name):
            assert r.status_code == 422, (route, r.text)
            assert r.json()["error"]["code"] == "empty_name", (route, r.text)
    result = api.post("/v1/resolve", json={"names": [name]}).json()["results"][0]
    assert (result["decision"], result["candidates"]) == ("new", [])
    assert result["reason"] == "the name has no letter or digit to match"
    r = api.post("/v1/cluster", json={"names": ["Gaddafi", name]})
    assert r.status_code == 200
    assert r.json()["entities_count"] == 2


def _cli(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_row_of_the_table_has_its_test():
    rows = re.findall(r"^\| (H\d\d) \|", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert rows == [f"H{i:02d}" for i in range(1, len(rows) + 1)]
    tests = {name.split("_")[1] for name in globals() if name.startswith("test_h")}
    assert tests == {row.lower() for row in rows}


# --- the rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [""])
def test_h01_empty_name(api, known, name):
    _refused_everywhere(api, known, name, 422, "empty_name")
    err = _error(api.post("/v1/cluster", json={"names": ["Gaddafi", name]}), 422)
    assert err == {"code": "empty_name", "message": "names[1] is blank"}
    err = _error(api.post("/v1/entities", json={"canonical": name}), 422)
    assert err == {"code": "empty_name", "message": "canonical is blank"}


@pytest.mark.parametrize("name", [" ", "\t\n\r", "\u3000", "\u00a0\u2003\u2009"])
def test_h02_whitespace_only_name(api, known, name):
    _refused_everywhere(api, known, name, 422, "empty_name")
    err = _error(api.post("/v1/compare", json={"pairs": [{"a": name, "b": "x"}]}), 422)
    assert err == {"code": "empty_name", "message": "pairs[0].a is blank"}


def test_h03_one_megabyte_name(api, known):
    name = "a" * 1_000_000
    _refused_everywhere(api, known, name, 413, "name_too_long")
    err = _error(api.post("/v1/cluster", json={"names": [name]}), 413)
    assert err == {
        "code": "name_too_long",
        "message": "names[0] has 1000000 characters, more than the limit of 500 "
        "(CANONYM_MAX_NAME_LENGTH)",
    }
    with unchanged(api):  # as an id: in the path, in a body
        assert _error(api.get("/v1/entities/" + "a" * 7_000), 404)["code"] == "entity_not_found"
        r = api.post("/v1/entities", json={"canonical": "Jane Roe", "id": "a" * 1_000_000})
        assert _error(r, 422)["code"] == "invalid_request"


@pytest.mark.slow
def test_h04_batch_of_100k_names(api):
    names = [f"Name {i}" for i in range(100_000)]
    for route in ("/v1/normalize", "/v1/cluster", "/v1/resolve"):
        err = _error(api.post(route, json={"names": names}), 413)
        assert err == {
            "code": "batch_too_large",
            "message": "batch of 100000 names exceeds the limit of 10000 "
            "(CANONYM_MAX_NAMES_PER_REQUEST)",
        }
    pairs = [{"a": n, "b": n} for n in names]
    err = _error(api.post("/v1/compare", json={"pairs": pairs}), 413)
    assert err["message"].startswith("batch of 100000 pairs exceeds the limit of 10000")
    with unchanged(api):
        records = [{"canonical": n} for n in names] + [{"canonical": "One too many"}]
        err = _error(api.post("/v1/entities/import", json=records), 413)
        assert err == {
            "code": "batch_too_large",
            "message": "batch of 100001 entities exceeds the limit of 100000 "
            "(CANONYM_MAX_ENTITIES_PER_REQUEST)",
        }


def test_h05_deeply_nested_json(api):
    deep = b"[" * 100_000 + b"]" * 100_000
    with unchanged(api):
        for route in JSON_BODY_ROUTES:
            r = api.post(route, content=b'{"names": ' + deep + b"}", headers=JSON)
            assert _error(r, 400) == {
                "code": "invalid_input",
                "message": "request body is not valid JSON (it cannot be decoded, or it nests "
                "too deeply)",
            }
        for content_type in ("application/json", "application/x-ndjson"):
            headers = {"content-type": content_type}
            r = api.post("/v1/entities/import", content=deep, headers=headers)
            assert _error(r, 400)["code"] == "invalid_input"
            assert "nested too deeply" in r.json()["error"]["message"]
        attributes = {"deep": json.loads("[" * 40 + "]" * 40)}
        r = api.post("/v1/entities", json={"canonical": "Jane Roe", "attributes": attributes})
        assert _error(r, 422) == {
            "code": "invalid_value",
            "message": "attributes nests deeper than 32 levels",
        }


@pytest.mark.parametrize(
    "body", [b"not json", b'{"names": ["x",', b"{'names': ['x']}", b"\x00\x01\x02", b"\xff\xfe"]
)
def test_h06_body_that_is_not_json(api, body):
    with unchanged(api):
        for route in [*JSON_BODY_ROUTES, "/v1/entities/import"]:
            err = _error(api.post(route, content=body, headers=JSON), 400)
            assert err["code"] == "invalid_input", route
            assert "not valid" in err["message"], route


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data",
        None,
    ],
)
def test_h07_wrong_content_type(api, content_type):
    headers = {"content-type": content_type} if content_type else {}
    with unchanged(api):
        for route in [*JSON_BODY_ROUTES, "/v1/entities/import"]:
            r = api.post(route, content=b'{"names": ["x"], "canonical": "x"}', headers=headers)
            err = _error(r, 415)
            assert err["code"] == "unsupported_media_type", route
            assert "content-type: application/json" in err["message"]


def test_h08_invalid_utf8_in_cli_files(tmp_path):
    bad = b"Gaddafi\nQadd\xffafi\n"
    names, pairs = tmp_path / "names.txt", tmp_path / "pairs.tsv"
    names.write_bytes(bad)
    pairs.write_bytes(b"Gaddafi\tQaddafi\nQadd\xffafi\tGaddafi\n")
    out = tmp_path / "out.jsonl"
    for args, path in [
        (["normalize", "--input", names], names),
        (["cluster", names, "--output", out], names),
        (["compare", pairs, "--output", out], pairs),
    ]:
        result = _cli(args)
        assert result.exit_code == 2, result.output
        assert f"error: {path}:2: not valid UTF-8 (invalid start byte at byte 4)" in result.output
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    records = tmp_path / "registry.jsonl"
    records.write_bytes(b'{"canonical": "Kyiv"}\n{"canonical": "K\xc3yiv"}\n')
    table = tmp_path / "registry.csv"
    table.write_bytes(b"canonical,kind\nKyiv,place\nTehran,place\nT\xe9h\xe9ran,place\n")
    for path, line in [(records, 2), (table, 4)]:
        result = _cli(["registry", "import", path, "--database-url", url])
        assert result.exit_code == 2, result.output
        assert f"error: {path}:{line}: not valid UTF-8" in result.output
    export = tmp_path / "export.jsonl"
    assert _cli(["registry", "export", export, "--database-url", url]).exit_code == 0
    assert export.read_text(encoding="utf-8") == ""  # nothing of the refused files was stored


def test_h09_nul_and_control_characters(api, known):
    r = api.post(
        "/v1/normalize", json={"names": ["Gad\x00dafi", "Gaddafi\x01\x1f\x7f", "\x1b[31mGaddafi"]}
    )
    assert r.status_code == 200
    # Control characters separate tokens, as whitespace does.
    assert [x["latin"] for x in r.json()["results"]] == ["gad dafi", "gaddafi", "31mgaddafi"]
    _unmatchable(api, known, "\x00\x01\x1f\x7f")
    with unchanged(api):
        for route, r in _writes(api, known, "Gad\x00dafi"):
            assert _error(r, 422)["code"] == "invalid_name", route
        assert "contains a NUL character" in r.json()["error"]["message"]
    r = api.post("/v1/entities", json={"canonical": "Gaddafi\x07 Test"})
    assert r.status_code == 201  # stored as written, matched as cleaned
    assert api.get(f"/v1/entities/{r.json()['id']}").json()["canonical"] == "Gaddafi\x07 Test"


def test_h10_bidi_overrides(api, known):
    r = api.post("/v1/normalize", json={"names": ["\u202eGaddafi\u202c", "\u2067القذافي\u2069"]})
    assert r.status_code == 200
    assert [x["latin"] for x in r.json()["results"]] == ["gaddafi", "al qdhafi"]
    assert r.json()["results"][0]["name"] == "\u202eGaddafi\u202c"  # echoed as given
    only_controls = "\u202e\u202d\u2066\u2069\u200f"
    _unmatchable(api, known, only_controls)
    err = _error(api.post("/v1/entities", json={"canonical": only_controls}), 422)
    assert err == {"code": "empty_name", "message": f"canonical: {EMPTY}"}


def test_h11_zero_width_flood(api, known):
    r = api.post("/v1/normalize", json={"names": ["Gad\u200bdafi", "\ufeffGaddafi\u200d"]})
    assert [x["latin"] for x in r.json()["results"]] == ["gaddafi", "gaddafi"]
    _unmatchable(api, known, "\u200b\u200c\u200d\ufeff" * 125)
    _refused_everywhere(api, known, "a" + "\u200b" * 10_000, 413, "name_too_long")


def test_h12_combining_mark_flood(api, known):
    flood = "a" + "\u0301" * 499
    start = time.perf_counter()
    r = api.post("/v1/normalize", json={"names": [flood, "Z̴̡a̷l̸g̵o̶"]})
    assert r.status_code == 200
    assert [x["latin"] for x in r.json()["results"]] == ["a", "zalgo"]
    for route, r in _reads(api, flood):
        assert r.status_code == 200, route
    assert time.perf_counter() - start < 5
    _unmatchable(api, known, "\u0301" * 500)
    _refused_everywhere(api, known, "a" + "\u0301" * 500, 413, "name_too_long")


@pytest.mark.parametrize("name", ["😀", "🇮🇷🇺🇦", "👨\u200d👩\u200d👧", "❤️"])
def test_h13_emoji(api, known, name):
    _unmatchable(api, known, name)
    r = api.post("/v1/compare", json={"pairs": [{"a": f"Gaddafi {name}", "b": "Gaddafi"}]})
    assert r.json()["results"][0]["match"] is True


def test_h14_mixed_scripts_in_one_token(api):
    # "Gаddafi" has a Cyrillic а; "GaddafiСкий" mixes Latin and Cyrillic letters.
    r = api.post("/v1/normalize", json={"names": ["Gаddafi", "GaddafiСкий"]})
    assert [x["latin"] for x in r.json()["results"]] == ["gaddafi", "gaddafiskiy"]
    r = api.post("/v1/compare", json={"pairs": [{"a": "Gаddafi", "b": "Gaddafi"}]})
    assert r.json()["results"][0]["match"] is True
    r = api.post("/v1/resolve", json={"names": ["Gаddafi"], "top_k": 1})
    assert r.json()["results"][0]["candidates"][0]["canonical"] == "Muammar Gaddafi"


def test_h15_rtl_names(api):
    names = ["معمر القذافي", "בנימין נתניהו", "مسعود پزشکیان"]
    r = api.post("/v1/resolve", json={"names": names, "top_k": 1})
    assert r.status_code == 200
    found = [x["candidates"][0]["canonical"] for x in r.json()["results"]]
    assert found == ["Muammar Gaddafi", "Benjamin Netanyahu", "Masoud Pezeshkian"]
    assert [x["decision"] for x in r.json()["results"]] == ["matched"] * 3
    r = api.post("/v1/entities", json={"canonical": "עמוס עוז", "aliases": ["عاموس عوز"]})
    assert r.status_code == 201
    aliases = api.get(f"/v1/entities/{r.json()['id']}/aliases").json()["data"]
    assert [(a["name"], a["script"]) for a in aliases] == [
        ("עמוס עוז", "Hebrew"),
        ("عاموس عوز", "Arabic"),
    ]


def test_h16_numbers_only_names(api):
    r = api.post("/v1/normalize", json={"names": ["12345", "١٢٣", "1984"]})
    assert [x["latin"] for x in r.json()["results"]] == ["12345", "123", "1984"]
    r = api.post(
        "/v1/compare", json={"pairs": [{"a": "١٢٣", "b": "123"}, {"a": "1984", "b": "1948"}]}
    )
    assert [x["match"] for x in r.json()["results"]] == [True, False]
    r = api.post("/v1/entities", json={"canonical": "1984", "kind": "other"})
    assert r.status_code == 201


@pytest.mark.parametrize(
    "name",
    ["Robert'); DROP TABLE entities;--", "' OR '1'='1", 'x" OR 1=1 --', "100% _under_ \\ %"],
)
def test_h17_sql_metacharacters_in_names(api, name):
    r = api.post("/v1/normalize", json={"names": [name]})
    assert r.status_code == 200
    before = registry_counts(api)
    r = api.post("/v1/entities", json={"canonical": name})
    assert r.status_code == 201
    entity_id = r.json()["id"]
    assert api.get(f"/v1/entities/{entity_id}").json()["canonical"] == name
    # The tables are still there, with exactly one more entity and alias.
    after = registry_counts(api)
    assert (after["entities"], after["aliases"]) == (before["entities"] + 1, before["aliases"] + 1)
    found = api.get("/v1/entities", params={"q": name, "limit": 1000}).json()["data"]
    assert [e["id"] for e in found] == [entity_id]  # % and _ match themselves only


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Tom &amp; Jerry"]
)
def test_h18_html_metacharacters_in_names(api, name):
    r = api.post("/v1/entities", json={"canonical": name + " Smith"})
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    assert r.json()["canonical"] == name + " Smith"  # stored and answered as written
    r = api.post("/v1/normalize", json={"names": [name + " Smith"]})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "entity_id",
    ["x' OR '1'='1", "1; DROP TABLE entities", "<script>alert(1)</script>", "../etc/passwd"],
)
def test_h19_sql_and_html_metacharacters_in_ids(api, entity_id):
    with unchanged(api):
        url = "/v1/entities/" + quote(entity_id, safe="")
        for r in (
            api.get(url),
            api.patch(url, json={"kind": "org"}),
            api.delete(url),
            api.get(url + "/aliases"),
            api.post(url + "/aliases", json={"name": "Kiev"}),
            api.delete(url + "/aliases/1"),
            api.post(
                "/v1/judgements",
                json={"name": "Kiev", "entity_id": entity_id, "verdict": "rejected"},
            ),
        ):
            # "../etc/passwd" leaves the route's path segment: the router's own 404.
            assert _error(r, 404)["code"] in ("entity_not_found", "not_found"), r.url
        r = api.post("/v1/entities", json={"canonical": "Kyiv", "id": entity_id})
        assert _error(r, 422)["code"] == "invalid_request"
        r = api.get("/v1/judgements", params={"entity_id": entity_id})
        assert r.json() == {"data": [], "count": 0}


def test_h20_unpaired_surrogates(api, known):
    body = '{"names": ["Gaddafi", "ab\\ud800c"]}'
    err = _error(api.post("/v1/normalize", content=body, headers=JSON), 422)
    assert err == {
        "code": "invalid_name",
        "message": "names[1] contains an unpaired UTF-16 surrogate (U+D800)",
    }
    with unchanged(api):
        body = '{"canonical": "Kyiv\\udfff"}'
        err = _error(api.post("/v1/entities", content=body, headers=JSON), 422)
        assert err["code"] == "invalid_name"
