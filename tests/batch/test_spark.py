"""The Spark engine gives the local engine's answer: same entities, canonical names and
confidences, on development names; and its pair generation is an equi-join."""

import json
import math
import random
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from app.batch import spark as spark_engine
from app.batch.spark import (
    SparkClusterJob,
    _form_cache,
    candidate_pairs,
    keyed_names,
    read_names,
    run_cluster_job,
)
from app.cli import main
from app.core import blocking
from app.core.blocking import form_candidate_pairs
from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name

from ..core.test_matcher import ARTICLE

pytestmark = pytest.mark.spark

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
# Names drawn per development file: single name parts (Latin and Cyrillic), cities in many
# scripts, OFAC persons and organisations, Hebrew and Korean full names.
SAMPLE = {
    "dev_persons_nameparts_ru.jsonl": 8000,
    "dev_places_cities.jsonl": 8000,
    "dev_persons_orgs_ofac.jsonl": 2000,
    "dev_persons_crossscript.jsonl": 2000,
}


def development_sample() -> dict[str, int]:
    """At least 20,000 distinct development names with counts from 1 to 3 (fixed seed)."""
    if not DATA.is_dir():
        pytest.skip(f"the development data folder {DATA} is absent")
    rng = random.Random(20)
    names: set[str] = set()
    for file, k in SAMPLE.items():
        with (DATA / file).open(encoding="utf-8") as fh:
            variants = sorted({v for line in fh for v in json.loads(line)["variants"]})
        names.update(rng.sample(variants, k))
    return {n: rng.choice((1, 1, 2, 3)) for n in sorted(names)}


def local_tables(counts):
    entities, members = {}, {}
    for e in Matcher().cluster(counts.items()):
        entities[e.entity_id] = (e.canonical, e.canonical_reason, e.confidence)
        for m in e.members:
            members[m.name] = (e.entity_id, m.count, m.confidence)
    return entities, members


def spark_tables(spark, output):
    entities = {
        r.entity_id: (r.canonical, r.canonical_reason, r.confidence)
        for r in spark.read.parquet(f"{output}/entities").collect()
    }
    members = {
        r.name: (r.entity_id, r["count"], r.confidence)
        for r in spark.read.parquet(f"{output}/names").collect()
    }
    return entities, members


def assert_same(got, expected):
    got_entities, got_members = got
    entities, members = expected
    assert set(got_members) == set(members)
    assert set(got_entities) == set(entities)  # ids hash the member names: same partition
    for name, (entity_id, count, confidence) in members.items():
        assert got_members[name][:2] == (entity_id, count), name
        assert math.isclose(got_members[name][2], confidence, rel_tol=0, abs_tol=1e-9), name
    for entity_id, (canonical, reason, confidence) in entities.items():
        assert got_entities[entity_id][:2] == (canonical, reason), entity_id
        assert math.isclose(got_entities[entity_id][2], confidence, rel_tol=0, abs_tol=1e-9)


@pytest.mark.slow
def test_same_entities_as_the_local_engine_on_development_names(spark, tmp_path):
    counts = development_sample()
    assert len(counts) >= 20_000
    source = tmp_path / "names.parquet"
    pd.DataFrame({"name": list(counts), "count": list(counts.values())}).to_parquet(source)
    result = run_cluster_job(spark, SparkClusterJob(str(source), str(tmp_path / "out")))
    assert result.names == len(counts)
    assert_same(spark_tables(spark, tmp_path / "out"), local_tables(counts))


def test_pair_generation_is_an_equi_join(spark, tmp_path, capsys):
    source = tmp_path / "names.jsonl"
    source.write_text("".join(json.dumps({"name": n}) + "\n" for n in ARTICLE), "utf-8")
    pairs = candidate_pairs(keyed_names(read_names(spark, SparkClusterJob(str(source), ""))))
    pairs.explain(mode="formatted")
    plan = capsys.readouterr().out
    assert "Join" in plan
    assert "CartesianProduct" not in plan
    assert "BroadcastNestedLoopJoin" not in plan
    assert pairs.count() > 0


def test_oversized_blocks_give_the_local_engines_pairs(spark, tmp_path, monkeypatch):
    # With caps of 4, most blocks of 1,500 development names are oversized: their members are
    # paired by the order of the spelling of the key's token, then of the neighbourhood key,
    # on both engines.
    for module in (blocking, spark_engine):
        monkeypatch.setattr(module, "TOKEN_BLOCK_SIZE", 4)
        monkeypatch.setattr(module, "NAME_BLOCK_SIZE", 4)
    rng = random.Random(3)
    names = sorted(
        n for n in rng.sample(sorted(development_sample()), 1500) if try_normalize_name(n)
    )
    forms = [try_normalize_name(n) for n in names]
    local = {(names[i], names[j]) for i, j in form_candidate_pairs(forms).tolist()}
    source = tmp_path / "names.jsonl"
    source.write_text("".join(json.dumps({"name": n}) + "\n" for n in names), "utf-8")
    keyed = keyed_names(read_names(spark, SparkClusterJob(str(source), "")))
    name_of = {r.id: r.name for r in keyed.select("id", "name").collect()}
    got = {tuple(sorted((name_of[r.a], name_of[r.b]))) for r in candidate_pairs(keyed).collect()}
    assert len(local) > 1500
    assert got == local


def test_cli_engine_spark_reads_csv_with_counts(spark, tmp_path):
    names = [*ARTICLE, "Trump", "!!!", "  "]
    counts = {n: 1 + i % 2 for i, n in enumerate(names)}
    source = tmp_path / "names.csv"
    pd.DataFrame({"count": list(counts.values()), "name": list(counts)}).to_csv(source, index=False)
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["cluster", str(source), "-o", str(out), "--engine", "spark", "--master", "local[2]"]
    )
    assert run.exit_code == 0, run.output
    del counts["  "]  # blank names are skipped, as by the local reader
    assert_same(spark_tables(spark, out), local_tables(counts))


def test_text_input_and_a_missing_column(spark, tmp_path):
    source = tmp_path / "names.txt"
    source.write_text("Zelensky\nЗеленский\nSelenskyj\nElon Musk\n", "utf-8")
    run_cluster_job(spark, SparkClusterJob(str(source), str(tmp_path / "out")))
    got = spark_tables(spark, tmp_path / "out")
    assert_same(got, local_tables(dict.fromkeys(source.read_text("utf-8").splitlines(), 1)))
    with pytest.raises(ValueError, match="has no column 'label'"):
        read_names(spark, SparkClusterJob(str(source), "", column="label"))


def test_registry_resolve_gives_the_local_engines_entities(spark, tmp_path):
    from ..test_cli import RESOLVED, SEEDS

    names = [*RESOLVED, *ARTICLE]
    source = tmp_path / "names.txt"
    source.write_text("\n".join(names) + "\n", "utf-8")
    local_out = tmp_path / "local.jsonl"
    args = ["cluster", str(source), "--registry", str(SEEDS), "-o"]
    run = CliRunner().invoke(main, [*args, str(local_out)])
    assert run.exit_code == 0, run.output
    local = [json.loads(line) for line in local_out.read_text("utf-8").splitlines()]
    out = tmp_path / "out"
    run = CliRunner().invoke(main, [*args, str(out), "--engine", "spark", "--master", "local[2]"])
    assert run.exit_code == 0, run.output
    names_table = {r.name: r.entity_id for r in spark.read.parquet(f"{out}/names").collect()}
    rows = spark.read.parquet(f"{out}/entities").collect()
    assert len(rows) == len(local)
    by_id = {r.entity_id: r for r in rows}
    assert len(by_id) == len(rows)  # no two entities of this batch share a registry entity
    decisions = set()
    for entity in local:
        row = by_id[entity["entity_id"]]
        link = entity["registry"]
        assert (row.canonical, row.canonical_reason) == (
            entity["canonical"],
            entity["canonical_reason"],
        )
        assert (row.registry_decision, row.registry_reason) == (link["decision"], link["reason"])
        assert row.registry_probability == link.get("probability")
        assert math.isclose(row.confidence, entity["confidence"], rel_tol=0, abs_tol=1e-9)
        for member in entity["members"]:
            assert names_table[member["name"]] == entity["entity_id"]
        decisions.add(link["decision"])
    assert {"matched", "new"} <= decisions
    assert by_id["ent_3a13e87b2c74"].canonical == "Muammar Gaddafi"  # the seed's stable id


def test_a_missing_registry_file_is_a_clear_error(spark, tmp_path):
    source = tmp_path / "names.txt"
    source.write_text("Qaddafi\n", "utf-8")
    job = SparkClusterJob(str(source), str(tmp_path / "out"), registry_path=str(tmp_path / "no"))
    with pytest.raises(ValueError, match="is not a file on the driver"):
        run_cluster_job(spark, job)


def test_a_small_form_cache_gives_the_same_entities(spark, tmp_path):
    # Each Python worker keeps at most `form_cache` normalized names; 0 keeps none. The answer
    # does not depend on it: the job's stage passes the size to every worker.
    names = list(dict.fromkeys(ARTICLE))
    source = tmp_path / "names.txt"
    source.write_text("\n".join(names) + "\n", "utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main,
        ["cluster", str(source), "-o", str(out), "--engine", "spark", "--form-cache", "0"],
    )
    assert run.exit_code == 0, run.output
    assert_same(spark_tables(spark, out), local_tables(dict.fromkeys(names, 1)))


def test_form_cache_sizes_are_checked(tmp_path):
    assert _form_cache(3).cache_info().maxsize == 3
    assert _form_cache(3) is _form_cache(3)
    with pytest.raises(ValueError, match="form_cache must be 0 or more"):
        SparkClusterJob("in", "out", form_cache=-1)
    source = tmp_path / "names.txt"
    source.write_text("Zelensky\n", "utf-8")
    out = str(tmp_path / "out.jsonl")
    run = CliRunner().invoke(main, ["cluster", str(source), "-o", out, "--form-cache", "5"])
    assert run.exit_code == 2
    assert "--form-cache applies to --engine spark only" in run.output
    run = CliRunner().invoke(
        main, ["cluster", str(source), "-o", out, "--engine", "spark", "--form-cache", "-1"]
    )
    assert run.exit_code == 2
    assert "-1 is not in the range x>=0" in run.output


def test_score_batches_use_the_cache_size_they_are_given():
    from app.batch import spark as job

    names = {"a_name": ["Gaddafi", "Qaddafi"], "b_name": ["Qaddafi", "القذافي"]}
    df = pd.DataFrame({"a": [0, 1], "b": [1, 2], **names})
    job._FORM_CACHES.pop(7, None)
    [small] = job._score_batches(iter([df]), form_cache=7)
    assert job._form_cache(7).cache_info().currsize == 3  # the three distinct names
    [default] = job._score_batches(iter([df]))
    assert small["probability"].tolist() == default["probability"].tolist()
