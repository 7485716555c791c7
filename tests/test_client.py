"""The typed Python client, its pandas helper and `canonym resolve-csv`, against a running
service (uvicorn subprocess) and offline against a local registry."""

import csv

import pandas as pd
import pytest
from click.testing import CliRunner

from app.cli import main
from app.client import CanonymClient, ServiceError, resolve_dataframe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def canonym(live_server):
    with CanonymClient(live_server) as client:
        yield client


def test_resolve(canonym):
    qaddafi, nobody = canonym.resolve(["Qaddafi", "Jane Roe"])
    assert qaddafi.decision == "matched"
    assert qaddafi.canonical == "Muammar Gaddafi"
    assert qaddafi.entity_id == canonym.entity(qaddafi.entity_id)["id"]
    assert qaddafi.confidence >= 0.7
    assert qaddafi.candidates[0].summary.startswith("likely the same")
    assert nobody.decision == "new"
    assert nobody.entity_id is None
    assert nobody.canonical is None


def test_resolve_in_batches_keeps_order(canonym):
    names = ["Kiev", "Teheran", "Qaddafi", "Kiev", "Putin"]
    results = canonym.resolve(names, batch_size=2)
    assert [r.name for r in results] == names
    assert [r.canonical for r in results] == [
        "Kyiv",
        "Tehran",
        "Muammar Gaddafi",
        "Kyiv",
        "Vladimir Putin",
    ]


def test_compare_and_cluster(canonym):
    (pair,) = canonym.compare([("Takht Rwanchi", "Majid Takht-Ravanchi")], explain=True)
    assert pair.match is True
    assert "Rwanchi = Ravanchi" in pair.summary
    entities = canonym.cluster(["Zelensky", "Зеленский", "Selenskyj"], resolve=True, explain=True)
    (zelensky,) = entities
    assert zelensky.canonical == "Volodymyr Zelensky"
    assert zelensky.registry_entity_id == zelensky.entity_id
    assert len(zelensky.members) == 3
    assert zelensky.weakest_link.startswith("likely the same")


def test_errors_carry_the_service_code(canonym):
    with pytest.raises(ServiceError) as caught:
        canonym.resolve([" "])
    assert caught.value.status == 422
    assert caught.value.code == "empty_name"
    assert str(caught.value) == "422 empty_name: names[0] is blank"
    with pytest.raises(ServiceError) as missing:
        canonym.entity("ent_nope")
    assert missing.value.code == "entity_not_found"


def test_judge(canonym):
    (r,) = canonym.resolve(["Moammar Kadafi"])
    entity_id = r.candidates[0].entity_id
    judgement = canonym.judge("Moammar Kadafi", entity_id, "confirmed", author="qa")
    assert judgement["alias_id"] is not None
    assert canonym.resolve(["Moammar Kadafi"])[0].entity_id == entity_id


def test_resolve_dataframe(canonym):
    frame = pd.DataFrame(
        {"name": ["Qaddafi", None, "Jane Roe", "Qaddafi", " ", "Kiev"], "n": range(6)},
        index=list("abcdef"),
    )
    out = resolve_dataframe(frame, "name", canonym)
    assert list(out.columns) == ["name", "n", "entity_id", "canonical", "confidence", "decision"]
    assert list(out.index) == list("abcdef")
    assert list(out["decision"]) == ["matched", "empty", "new", "matched", "empty", "matched"]
    assert out.loc["a", "canonical"] == out.loc["d", "canonical"] == "Muammar Gaddafi"
    assert out.loc["f", "canonical"] == "Kyiv"
    assert out.loc["c", "entity_id"] is None
    assert pd.isna(out.loc["b", "confidence"])
    assert out["confidence"].dtype == float
    assert "entity_id" not in frame.columns  # the input is left as it was


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows(rows)


def _read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_resolve_csv_online_and_offline_agree(live_server, tmp_path):
    source = tmp_path / "people.csv"
    _write_csv(
        source,
        [["id", "full_name"], ["1", "Qaddafi"], ["2", "Jane Roe"], ["3", ""], ["4", "القذافي"]],
    )
    runner = CliRunner()
    online, offline = tmp_path / "online.csv", tmp_path / "offline.csv"
    args = ["resolve-csv", str(source), "--column", "full_name"]
    r = runner.invoke(main, [*args, "--output", str(online), "--url", live_server])
    assert r.exit_code == 0, r.output
    assert "4 rows, 3 distinct names, 2 matched" in r.output
    database = f"sqlite:///{tmp_path / 'local.db'}"
    r = runner.invoke(main, [*args, "--output", str(offline), "--database-url", database])
    assert r.exit_code == 0, r.output
    rows = _read_csv(online)
    assert [r["decision"] for r in rows] == ["matched", "new", "empty", "matched"]
    assert rows[0]["canonical"] == rows[3]["canonical"] == "Muammar Gaddafi"
    assert rows[1]["entity_id"] == ""
    assert list(rows[0]) == ["id", "full_name", "entity_id", "canonical", "confidence", "decision"]
    assert _read_csv(offline) == rows


def test_resolve_csv_names_a_missing_column(tmp_path):
    source = tmp_path / "x.csv"
    _write_csv(source, [["id", "name"], ["1", "Qaddafi"]])
    r = CliRunner().invoke(
        main, ["resolve-csv", str(source), "-c", "nom", "-o", str(tmp_path / "out.csv")]
    )
    assert r.exit_code == 2
    assert "has no column 'nom'" in r.output
