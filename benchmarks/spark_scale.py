"""The Spark engine at scale: wall time, shuffle volume and the ratio to the local engine.

    .venv/bin/python benchmarks/spark_scale.py --names 1000000 [--master local[2]] [--local]

Names: every variant of the development clusters (../shared/data) when present, then generated
names (syllable given names and surnames, each written several ways with transliteration noise:
kh/h/x, ou/u, y/i, q/k, doubled letters, dropped vowels, "al-" particles, "Last, First" order)
until ``--names`` distinct names. ``--local`` also clusters the same input with the local engine
(``Matcher.cluster`` on as many processes as the master has cores) for the ratio; ``--no-spark``
runs only the local engine, to split a long run in two. The shuffle volume is read from the
Spark UI's REST API of the run's own session (stages' shuffle write and read bytes). One row
per run is appended to benchmarks/results/spark_scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"
FILES = (
    "dev_persons_orgs_ofac.jsonl",
    "dev_places_cities.jsonl",
    "dev_persons_nameparts_ru.jsonl",
    "dev_persons_crossscript.jsonl",
    "dev_places_countries.jsonl",
)
ONSETS = ["b", "d", "f", "g", "h", "j", "k", "kh", "l", "m", "n", "p", "q", "r", "s", "sh", "t"]
ONSETS += ["v", "y", "z", "zh", "ch", "gh", "ts"]
VOWELS = ["a", "e", "i", "o", "u", "ou", "ai", "ia"]
NOISE = [("kh", "h"), ("kh", "x"), ("ou", "u"), ("y", "i"), ("q", "k"), ("sh", "sch")]
NOISE += [("zh", "j"), ("gh", "g"), ("ts", "c"), ("ch", "tch"), ("ia", "ya"), ("ai", "ay")]


def development_names() -> list[str]:
    names: set[str] = set()
    for file in FILES:
        path = DATA / file
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                names.update(v for line in fh for v in json.loads(line)["variants"])
    return sorted(names)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3)))


def _noisy(name: str, rng: random.Random) -> str:
    for a, b in rng.sample(NOISE, 3):
        if a in name and rng.random() < 0.6:
            name = name.replace(a, b, 1)
    if rng.random() < 0.2:
        i = rng.randrange(1, len(name))
        name = name[:i] + name[i - 1] + name[i:]
    if rng.random() < 0.1:
        name = name.replace("a", "", 1)
    return name


def generated_names(n: int, rng: random.Random) -> list[str]:
    """About ``n`` names: entities of a given name and a surname (from pools, so that both
    repeat across entities as real ones do), each written in 2 to 8 noisy ways."""
    givens = [_word(rng).title() for _ in range(max(n // 40, 50))]
    surnames = [_word(rng).title() for _ in range(max(n // 4, 50))]
    out: list[str] = []
    while len(out) < n:
        given, surname = rng.choice(givens), rng.choice(surnames)
        for _ in range(rng.randint(2, 8)):
            g, s = _noisy(given.lower(), rng).title(), _noisy(surname.lower(), rng).title()
            style = rng.random()
            if style < 0.15:
                out.append(f"{s.upper()}, {g}")
            elif style < 0.25:
                out.append(f"{g} al-{s}")
            elif style < 0.35:
                out.append(s)
            else:
                out.append(f"{g} {s}")
    return out


def benchmark_names(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names = development_names()
    rng.shuffle(names)
    chosen = dict.fromkeys(names[:n])
    while len(chosen) < n:
        chosen.update(dict.fromkeys(generated_names(n - len(chosen), rng)))
    return list(chosen)[:n]


def shuffle_bytes(spark: object) -> tuple[int, int]:
    """(written, read) shuffle bytes of all stages of the session, from its REST API."""
    sc = spark.sparkContext  # type: ignore[attr-defined]
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages"
    with urllib.request.urlopen(url, timeout=30) as resp:
        stages = json.load(resp)
    return (
        sum(s.get("shuffleWriteBytes", 0) for s in stages),
        sum(s.get("shuffleReadBytes", 0) for s in stages),
    )


def master_cores(master: str) -> int:
    """Cores of a ``local[n]`` master (``local[*]``: this machine's), else this machine's."""
    inside = master[master.find("[") + 1 : master.find("]")] if "[" in master else "*"
    return int(inside) if inside.isdigit() else os.cpu_count() or 1


def run_spark(names: list[str], master: str, partitions: int) -> tuple[object, int, int]:
    import pandas as pd
    from pyspark.sql import SparkSession

    from app.batch.spark import SparkClusterJob, run_cluster_job

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import this Canonym
    work = Path(tempfile.mkdtemp(prefix="canonym-spark-scale-"))
    source = work / "names.parquet"
    pd.DataFrame({"name": names}).to_parquet(source)
    spark = (
        SparkSession.builder.master(master)
        .appName("canonym-spark-scale")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    result = run_cluster_job(spark, SparkClusterJob(str(source), str(work / "out")))
    written, read = shuffle_bytes(spark)
    spark.stop()
    print(f"spark: {result} shuffle written {written} read {read}", flush=True)
    return result, written, read


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=1_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8, help="spark.sql.shuffle.partitions")
    ap.add_argument("--local", action="store_true", help="also run the local engine")
    ap.add_argument(
        "--no-spark",
        action="store_true",
        help="only the local engine (its row says 'not run' for Spark), to split a long run",
    )
    args = ap.parse_args()

    from app.core.matcher import Matcher

    names = benchmark_names(args.names)
    result = written = read = None
    if not args.no_spark:
        result, written, read = run_spark(names, args.master, args.partitions)
    local_s = None
    if args.local or args.no_spark:
        # The local engine on as many processes as the Spark master has cores.
        workers = master_cores(args.master)
        start = time.perf_counter()
        Matcher().cluster(((n, 1) for n in names), workers=workers)
        local_s = time.perf_counter() - start
        print(f"local engine, {workers} workers: {local_s:.1f} s", flush=True)
    if result is None:
        spark_cells = "not run | | | | | |"
    else:
        spark_cells = (
            f"{result.seconds:,.0f} s | "
            f"{written / 2**20:,.1f} MiB written, {read / 2**20:,.1f} MiB read | "
            f"{result.candidate_pairs:,} | {result.components:,} (largest "
            f"{result.largest_component:,}) | {result.iterations} | {result.entities:,} |"
        )
    ratio = f"{result.seconds / local_s:.2f}" if result and local_s else "not run"
    row = (
        f"| {len(names):,} | {args.master} | {spark_cells} "
        f"{'not run' if local_s is None else f'{local_s:,.0f} s'} | {ratio} |\n"
    )
    out = HERE / "results" / "spark_scale.md"
    if not out.exists():
        out.write_text(
            "| names | master | Spark wall time | shuffle | candidate pairs | components | "
            "label rounds | entities | local engine | Spark / local |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
            encoding="utf-8",
        )
    with out.open("a", encoding="utf-8") as fh:
        fh.write(row)
    sys.stdout.write(row)


if __name__ == "__main__":
    main()
