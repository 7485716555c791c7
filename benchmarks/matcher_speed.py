"""Throughput of compare and cluster, beside a rapidfuzz baseline measured in the same run.

    .venv/bin/python benchmarks/matcher_speed.py [--names 2000]

Names are the development data's variants (../shared/data) when present, else generated ones.
Results go to benchmarks/results/matcher_speed.md.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from rapidfuzz import fuzz

from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "dev_persons_orgs_ofac.jsonl"


def load_names(n: int, rng: random.Random) -> list[str]:
    if DATA.exists():
        names = sorted({v for line in DATA.open() for v in json.loads(line)["variants"]})
    else:
        syll = ["ka", "ra", "mi", "zo", "ne", "ta", "shi", "an", "do", "vi", "el", "qu"]
        names = [
            " ".join("".join(rng.choice(syll) for _ in range(3)).title() for _ in range(2))
            for _ in range(n)
        ]
    rng.shuffle(names)
    return names[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(7)
    names = load_names(args.names, rng)
    pairs = [(rng.choice(names), rng.choice(names)) for _ in range(20000)]
    matcher = Matcher()
    forms = {n: try_normalize_name(n) for n in names}
    t = time.perf_counter()
    for a, b in pairs:
        fuzz.token_sort_ratio(a, b)
    base_s = time.perf_counter() - t
    t = time.perf_counter()
    for a, b in pairs:
        fa, fb = forms[a], forms[b]
        if fa and fb:
            matcher.compare_forms(fa, fb)
    cmp_s = time.perf_counter() - t
    t = time.perf_counter()
    entities = matcher.cluster((n, 1) for n in names)
    clu_s = time.perf_counter() - t
    rows = [
        ("rapidfuzz token_sort_ratio (baseline)", f"{len(pairs) / base_s:,.0f} pairs/s"),
        ("canonym compare (normalized forms)", f"{len(pairs) / cmp_s:,.0f} pairs/s"),
        (
            f"canonym cluster ({len(names)} names)",
            f"{len(names) / clu_s:,.0f} names/s, {len(entities)} entities, {clu_s:.1f} s",
        ),
    ]
    text = "| what | figure |\n| --- | --- |\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
    out = HERE / "results" / "matcher_speed.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
