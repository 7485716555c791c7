"""The CLI contract the shared evaluator relies on, and its error messages."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main, uvicorn_options
from app.store.base import JudgementDraft
from app.store.sql import SqlStore
from tests.conftest import make_settings


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_compare_writes_one_line_per_pair_in_order(tmp_path):
    src = tmp_path / "pairs.tsv"
    src.write_text("Gaddafi\tالقذافي\nDonald Trump\tIvanka Trump\nno tab here\n\t\n", "utf-8")
    out = tmp_path / "out.jsonl"
    result = run(["compare", str(src), "--output", str(out)])
    assert result.exit_code == 0
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert len(rows) == 4
    assert rows[0]["match"] is True
    assert rows[0]["score"] > 0.8
    assert rows[1]["match"] is False
    assert rows[2]["error"] == "expected two tab-separated names"
    assert rows[2]["score"] == 0.0
    assert rows[3]["error"] == "empty_name"


def test_cluster_partitions_distinct_names(tmp_path):
    names = [
        "Takht Ravanchi",
        "Takht Rwanchi",
        "Elon Musk",
        "Takht Ravanchi",
        "Зеленский",
        "Zelensky",
        "???",
    ]
    src = tmp_path / "names.txt"
    src.write_text("\n".join(names) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    result = run(["cluster", str(src), "--output", str(out)])
    assert result.exit_code == 0
    entities = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    members = [m["name"] for e in entities for m in e["members"]]
    assert sorted(members) == sorted(set(names))
    for e in entities:
        assert {"entity_id", "canonical", "confidence", "members"} <= set(e)
    by_name = {m["name"]: e for e in entities for m in e["members"]}
    assert by_name["Takht Rwanchi"] is by_name["Takht Ravanchi"]
    assert by_name["Takht Ravanchi"]["members"][0]["count"] == 2


SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "registry.jsonl"
RESOLVED = ["Qaddafi", "Kadhafi", "القذافي", "Takht Rwanchi", "Takht Ruanchi", "Jane Roe"]


def test_cluster_resolves_against_a_registry_export_as_the_service_does(tmp_path, client_with):
    src = tmp_path / "names.txt"
    src.write_text("\n".join(RESOLVED) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    result = run(["cluster", str(src), "--output", str(out), "--registry", str(SEEDS)])
    assert result.exit_code == 0, result.output
    got = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    by_member = {m["name"]: e for e in got for m in e["members"]}
    assert by_member["Qaddafi"]["registry"]["decision"] == "matched"
    assert by_member["Qaddafi"]["canonical"] == "Muammar Gaddafi"
    assert by_member["Qaddafi"]["entity_id"] == "ent_3a13e87b2c74"  # the seed's stable id
    assert by_member["Jane Roe"]["registry"]["decision"] == "new"
    # A fresh service seeded with the same file gives the same entities, ids, reasons, links.
    client = client_with(seed_file=str(SEEDS))
    served = client.post("/v1/cluster", json={"names": RESOLVED, "resolve": True}).json()
    assert got == served["entities"]


def test_cluster_refuses_a_registry_file_without_ids(tmp_path):
    src = tmp_path / "names.txt"
    src.write_text("Qaddafi\n", "utf-8")
    registry = tmp_path / "registry.jsonl"
    registry.write_text('{"canonical": "Muammar Gaddafi"}\n', "utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        main, ["cluster", str(src), "-o", str(out), "--registry", str(registry)]
    )
    assert result.exit_code == 2
    assert "has no id" in result.output
    assert "Traceback" not in result.output


def test_cluster_reads_csv_and_jsonl_with_counts(tmp_path):
    csv_in = tmp_path / "names.csv"
    csv_in.write_text("name,count\nGaddafi,3\nQaddafi,1\n", "utf-8")
    jsonl_in = tmp_path / "names.jsonl"
    jsonl_in.write_text('{"name": "Gaddafi", "count": 3}\n{"name": "Qaddafi"}\n', "utf-8")
    for src in (csv_in, jsonl_in):
        out = tmp_path / "out.jsonl"
        assert run(["cluster", str(src), "--output", str(out)]).exit_code == 0
        counts = {
            m["name"]: m["count"]
            for x in out.read_text().splitlines()
            for m in json.loads(x)["members"]
        }
        assert counts == {"Gaddafi": 3, "Qaddafi": 1}


def test_cluster_streams_parquet_and_summarizes(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "names.parquet"
    table = pa.table(
        {"name": ["Gaddafi", "Qaddafi", None, "Gaddafi", "Angela Merkel"], "count": [2, 1, 1, 1, 4]}
    )
    pq.write_table(table, src, row_group_size=2)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["cluster", str(src), "--output", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    counts = {
        m["name"]: m["count"]
        for x in out.read_text().splitlines()
        for m in json.loads(x)["members"]
    }
    assert counts == {"Gaddafi": 3, "Qaddafi": 1, "Angela Merkel": 4}
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("4 names (3 distinct), 2 entities, ")
    assert " pairs compared, " in summary


def test_parquet_without_a_name_column_is_a_clear_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "names.parquet"
    pq.write_table(pa.table({"label": ["Gaddafi"]}), src)
    result = CliRunner().invoke(main, ["cluster", str(src), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert 'needs a "name" column' in result.output
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    result = CliRunner().invoke(
        main, ["cluster", str(tmp_path / "bad.parquet"), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "not a readable Parquet file" in result.output


def test_invalid_utf8_names_the_line(tmp_path):
    src = tmp_path / "names.txt"
    src.write_bytes(b"Gaddafi\nQadd\xffafi\n")
    result = CliRunner().invoke(main, ["cluster", str(src), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"error: {src}:2: not valid UTF-8" in result.output


def test_bad_count_is_a_clear_error(tmp_path):
    src = tmp_path / "names.csv"
    src.write_text("name,count\nGaddafi,many\n", "utf-8")
    result = CliRunner().invoke(main, ["cluster", str(src), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "names.csv:2: count 'many' is not a whole number" in result.output


def test_normalize_prints_forms():
    result = run(["normalize", "Ayatollah Ali Khamenei", "\u200b"])
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert rows[0]["normalized"] == "Ali Khamenei"
    assert rows[0]["titles"] == ["Ayatollah"]
    assert rows[1]["error"] == "empty_name"


# --- canonym registry import / export ------------------------------------------------------------

SEEDS = Path(__file__).parents[1] / "seeds" / "registry.jsonl"


def _url(tmp_path, name):
    return f"sqlite:///{tmp_path / name}"


def test_registry_round_trip_keeps_ids_jsonl_and_csv(tmp_path):
    first = _url(tmp_path, "first.db")
    assert run(["registry", "import", str(SEEDS), "--database-url", first]).exit_code == 0
    seeds = [json.loads(x) for x in SEEDS.read_text("utf-8").splitlines()]
    judged = seeds[0]["id"]
    store = SqlStore(first)
    store.add_judgement(JudgementDraft("Ghadafi, Jr.", judged, "rejected", "ana"))
    store.add_judgement(JudgementDraft("Ghadafi, Jr.", judged, "confirmed", "bo"))
    store.close()
    exported = tmp_path / "registry.jsonl"
    assert run(["registry", "export", str(exported), "--database-url", first]).exit_code == 0
    rows = [json.loads(x) for x in exported.read_text("utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(s["id"] for s in seeds)
    [record] = [r for r in rows if r["id"] == judged]
    assert [(j["verdict"], j["author"]) for j in record["judgements"]] == [
        ("rejected", "ana"),
        ("confirmed", "bo"),
    ]
    # Wipe (a new database), import the export: same ids, aliases and judgements, same export.
    for fmt in ("jsonl", "csv"):
        source = exported
        if fmt == "csv":
            source = tmp_path / "registry.csv"
            assert run(["registry", "export", str(source), "--database-url", first]).exit_code == 0
        again = _url(tmp_path, f"again-{fmt}.db")
        assert run(["registry", "import", str(source), "--database-url", again]).exit_code == 0
        out = tmp_path / f"again-{fmt}.jsonl"
        assert run(["registry", "export", str(out), "--database-url", again]).exit_code == 0
        assert out.read_text("utf-8") == exported.read_text("utf-8")


def test_registry_import_conflict_and_merge(tmp_path):
    url = _url(tmp_path, "r.db")
    assert run(["registry", "import", str(SEEDS), "--database-url", url]).exit_code == 0
    result = CliRunner().invoke(main, ["registry", "import", str(SEEDS), "--database-url", url])
    assert result.exit_code == 2
    assert "error: entities[0]: an entity with id 'ent_f3a097d4ffd6' exists already" in (
        result.output
    )
    result = CliRunner().invoke(
        main, ["registry", "import", str(SEEDS), "--database-url", url, "--on-conflict", "merge"]
    )
    assert result.exit_code == 0
    assert "0 entities created, 338 merged, 0 skipped, 0 aliases added" in result.output


def test_registry_import_names_the_bad_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"canonical": "Kyiv"}\n{"canonical": "Kyiv", "kind": 3}\n', "utf-8")
    url = _url(tmp_path, "r.db")
    result = CliRunner().invoke(main, ["registry", "import", str(src), "--database-url", url])
    assert result.exit_code == 2
    assert f'error: {src}:2: "kind" must be a string' in result.output


@pytest.mark.parametrize(
    ("judgements", "message"),
    [
        ('"Ghadafi"', "judgements[0]: expected a judgement object (name, verdict)"),
        ('{"name": "Ghadafi"}', 'judgements[0]: "verdict" must be a string'),
        ('{"name": "G", "verdict": "rejected", "at": 1}', "judgements[0]: unknown field 'at'"),
        ('{"name": "G", "verdict": "rejected", "created_at": "noon"}', "ISO 8601"),
        ('{"name": "G", "verdict": "maybe"}', "judgements[0].verdict 'maybe' is not one of"),
    ],
)
def test_registry_import_refuses_bad_judgements(tmp_path, judgements, message):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"canonical": "Kyiv", "judgements": [' + judgements + "]}\n", "utf-8")
    url = _url(tmp_path, "r.db")
    result = CliRunner().invoke(main, ["registry", "import", str(src), "--database-url", url])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_explain_adds_sentences(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("Takht Rwanchi\tMajid Takht-Ravanchi\n", "utf-8")
    out = tmp_path / "pairs.jsonl"
    assert run(["compare", str(pairs), "--output", str(out), "--explain"]).exit_code == 0
    (row,) = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert row["summary"].startswith(
        "likely the same: same name (Takht); same surname after transliteration "
        "(Rwanchi = Ravanchi, w/av)"
    )
    names = tmp_path / "names.txt"
    names.write_text("Abbas Araghchi\nAraghchi\nAraqchi\nElon Musk\n", "utf-8")
    out = tmp_path / "entities.jsonl"
    assert run(["cluster", str(names), "--output", str(out), "--explain"]).exit_code == 0
    entities = {e["canonical"]: e for e in map(json.loads, out.read_text("utf-8").splitlines())}
    link = entities["Abbas Araghchi"]["weakest_link"]
    assert set(link) == {"name", "partner", "probability", "summary"}
    assert link["summary"].startswith("likely the same: ")
    assert "weakest_link" not in entities["Elon Musk"]


# --- canonym migrate / serve -------------------------------------------------------------------


def test_migrate_loads_the_seeds_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    first = CliRunner().invoke(main, ["migrate", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("registry ready: 338 entities, version 1")
    again = CliRunner().invoke(main, ["migrate", "--database-url", url])
    assert again.output == first.output  # the seeds are not imported twice


def test_serve_runs_uvicorn_with_the_settings(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append((target, options)))
    result = run(["serve", "--port", "8123", "--workers", "3"])
    assert result.exit_code == 0
    [(target, options)] = calls
    assert target == "app.main:app"
    assert (options["port"], options["workers"]) == (8123, 3)
    assert options["access_log"] is False
    assert options["timeout_graceful_shutdown"] >= 0
    assert options["log_config"]["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


def test_uvicorn_options_follow_the_settings():
    settings = make_settings(
        host="0.0.0.0", port=9000, workers=4, shutdown_timeout_seconds=12, log_format="text"
    )
    options = uvicorn_options(settings)
    assert (options["host"], options["port"], options["workers"]) == ("0.0.0.0", 9000, 4)
    assert options["timeout_graceful_shutdown"] == 12
    assert options["log_config"]["handlers"]["stdout"]["formatter"] == "text"
