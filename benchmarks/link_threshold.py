"""Sweep the clustering link threshold on the development clusters.

    .venv/bin/python benchmarks/link_threshold.py [--thresholds 0.5,0.6,0.65,0.7,0.8]

Builds each development task as the shared evaluator does (../shared/tools/evaluate: its own
task construction and scoring functions, 300 clusters per task, seed 13), clusters the names
in-process at each threshold and writes pairwise and B-cubed F1 per task and their macro
average to benchmarks/results/link_threshold.md.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from app.core.matcher import Matcher

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"


def load_evaluator() -> dict[str, Any]:
    path = SHARED / "tools" / "evaluate"
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "canonym_evaluator"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--thresholds", default="0.5,0.6,0.65,0.7,0.8")
    ap.add_argument("--clusters", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "link_threshold.md")
    args = ap.parse_args()
    ev = load_evaluator()
    tasks = []
    for f in ev["task_files"]([SHARED / "data"]):
        clusters = [c for c in ev["load_clusters"]([f], None) if c.get("disjoint", True)]
        rng = random.Random(13)
        if len(clusters) > args.clusters:
            clusters = rng.sample(clusters, args.clusters)
        tasks.append((f.stem, ev["build_cluster_task"](clusters, None)))
    lines = [
        "| threshold | task | pair P | pair R | pair F1 | B3 F1 | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for th in (float(x) for x in args.thresholds.split(",")):
        matcher = Matcher(link_threshold=th)
        f1s, b3s = [], []
        for task, gold in tasks:
            start = time.perf_counter()
            entities = matcher.cluster(((n, 1) for n in gold), workers=args.workers)
            pred = {m.name: f"e{k}" for k, e in enumerate(entities) for m in e.members}
            s = ev["cluster_scores"](gold, pred)
            f1s.append(s["pair_f1"])
            b3s.append(s["b3_f1"])
            lines.append(
                f"| {th} | {task} | {s['pair_p']:.3f} | {s['pair_r']:.3f} | {s['pair_f1']:.3f} "
                f"| {s['b3_f1']:.3f} | {time.perf_counter() - start:.1f} |"
            )
            print(lines[-1], flush=True)
        lines.append(
            f"| {th} | MACRO | | | {sum(f1s) / len(f1s):.3f} | {sum(b3s) / len(b3s):.3f} | |"
        )
        print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
