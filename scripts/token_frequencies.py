"""Count how common each name token is in the development data (data/token_frequencies.json).

    .venv/bin/python scripts/token_frequencies.py

A shared token is strong evidence when it is rare ("Ravanchi") and weak when half the names
carry it ("Mohammed", "Ali", "Saint"): the comparison's ``shared_token_rarity`` feature reads
how common a token is from this table. For every core token (the romanized, case- and
accent-folded form that comparison aligns) it counts the development clusters
(../shared/data, the task files of scripts/devdata.py) that have it in some variant, so that
one entity's many spellings count once. Only tokens found in at least ``MIN_CLUSTERS`` clusters
are kept: a few thousand common given names, surnames and place words, no variants and no
entities (the rarity of every other token is the same, the highest). The result is
deterministic; rerun it, then refit the model (scripts/fit_model.py), when normalization or the
data change.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.normalize import try_normalize_name
from scripts.devdata import DATA, TASK_FILES, load_clusters

OUT = Path(__file__).resolve().parents[1] / "app" / "core" / "data" / "token_frequencies.json"
MIN_CLUSTERS = 10


def main() -> None:
    counts: Counter[str] = Counter()
    clusters = 0
    for name in TASK_FILES:
        for cluster in load_clusters(DATA / name):
            clusters += 1
            tokens: set[str] = set()
            for variant in cluster["variants"]:
                form = try_normalize_name(variant)
                if form is not None:
                    tokens.update(t.latin for t in form.core_tokens)
            counts.update(tokens)
    kept = {t: c for t, c in sorted(counts.items()) if c >= MIN_CLUSTERS and t}
    table = {
        "clusters": clusters,
        "min_clusters": MIN_CLUSTERS,
        "provenance": "scripts/token_frequencies.py: clusters of the development data ("
        + ", ".join(TASK_FILES)
        + f") with each core token in some variant; tokens in fewer than {MIN_CLUSTERS} left out",
        "frequencies": kept,
    }
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(kept)} tokens of {len(counts)} in {clusters} clusters -> {OUT}")


if __name__ == "__main__":
    main()
