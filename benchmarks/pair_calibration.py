"""Where the compare task's calibration error comes from, in process and by kind of pair.

    PYTHONHASHSEED=1 .venv/bin/python benchmarks/pair_calibration.py [--max-clusters 2000]

Rebuilds the pair tasks of the shared evaluator (../shared/tools/evaluate: the same cluster
sample, seed and pair sampling, imported from its file) and scores them with the packaged model
through the core, without the CLI. For each task it prints the expected calibration error (the
evaluator's ten bins) and, per bin, the pairs, their mean probability, the share of true
matches and the bin's signed share of the error, split by calibration segment (both Latin,
across scripts, both romanized): a positive share is over-confidence, a negative one
under-confidence. The evaluator finds its hard negatives through ``Counter.most_common``, whose
ties follow set order, so its pairs change with the hash seed; fix ``PYTHONHASHSEED`` to compare
two models on the same pairs. Under each task's heading: its pairs across scripts, which the
evaluator's pair sampling makes almost all positives, and what raising their scores would do to
its ECE (``across_scripts``). Results go to benchmarks/results/pair_calibration.md.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import random
from pathlib import Path
from types import ModuleType

import numpy as np

from app.core.compare import pair_features, row_probability
from app.core.features import FEATURE_NAMES
from app.core.normalize import try_normalize_name
from app.core.score import SEGMENTS, load_model, segment_of

HERE = Path(__file__).resolve().parent
EVALUATOR = HERE.parents[1] / "shared" / "tools" / "evaluate"
_CROSSED = FEATURE_NAMES.index("cross_script")
_ROMANIZED = FEATURE_NAMES.index("non_latin_pair")


def evaluator() -> ModuleType:
    """The shared evaluator, imported from its file (it has no ``.py`` suffix)."""
    loader = importlib.machinery.SourceFileLoader("canonym_evaluator", str(EVALUATOR))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    if spec is None:  # pragma: no cover - a file loader always gives a spec
        raise ImportError(EVALUATOR)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def pair_tasks(ev: ModuleType, max_clusters: int, seed: int) -> dict[str, list]:
    """The evaluator's labelled pairs per task, as its ``main`` builds them (all scripts)."""
    tasks: dict[str, list] = {}
    for path in ev.task_files([ev.DEFAULT_DATA]):
        clusters = [c for c in ev.load_clusters([path], None) if c.get("disjoint", True)]
        rng = random.Random(seed)
        if max_clusters and len(clusters) > max_clusters:
            clusters = rng.sample(clusters, max_clusters)
        gold = ev.build_cluster_task(clusters, None)
        if len(set(gold.values())) >= 2:
            tasks[path.stem] = ev.build_pair_task(gold, [], rng)
    for path in sorted(ev.DEFAULT_DATA.rglob("*.csv")):
        tasks[f"pairs {path.stem}"] = ev.load_pair_csv(path)
    return tasks


def scored(pairs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probability, label and calibration segment of every pair whose names both normalize."""
    model = load_model()
    probabilities, labels, segments = [], [], []
    for a, b, label in pairs:
        fa, fb = try_normalize_name(a), try_normalize_name(b)
        if fa is None or fb is None:
            continue
        row = pair_features(fa, fb)
        probabilities.append(row_probability(row, model))
        labels.append(label)
        segments.append(segment_of(row[_CROSSED], row[_ROMANIZED]))
    return np.array(probabilities), np.array(labels), np.array(segments)


def reliability(p: np.ndarray, y: np.ndarray, segment: np.ndarray) -> tuple[float, list[str]]:
    """The evaluator's expected calibration error and one table row per non-empty bin."""
    bins = np.minimum((p * 10).astype(int), 9)
    rows, error = [], 0.0
    for k in range(10):
        inside = bins == k
        if not inside.any():
            continue
        gap = float(p[inside].sum() - y[inside].sum())
        error += abs(gap)
        parts = []
        for s, label in enumerate(SEGMENTS):
            mask = inside & (segment == s)
            if mask.any():
                share = float(p[mask].sum() - y[mask].sum()) / len(p)
                parts.append(f"{label} {int(mask.sum())}: {share:+.4f}")
        rows.append(
            f"| {k / 10:.1f}-{(k + 1) / 10:.1f} | {int(inside.sum())} | {p[inside].mean():.3f} | "
            f"{y[inside].mean():.3f} | {gap / len(p):+.4f} | {'; '.join(parts)} |"
        )
    return error / len(p), rows


def across_scripts(p: np.ndarray, y: np.ndarray, segment: np.ndarray) -> str:
    """The task's pairs across scripts or both romanized (segments other than both Latin): how
    many, how many of them are negatives, their mean probability, and the task's ECE were their
    log-odds raised by 1 and 2, or were they all scored 1. The evaluator finds its negatives by
    trigrams of the written names, so names in two scripts are almost never paired as one."""
    other = segment != 0
    if not other.any():
        return "no pairs across scripts"
    z = np.log(np.clip(p, 1e-9, 1 - 1e-9) / np.clip(1 - p, 1e-9, 1))
    shifted = [
        reliability(1 / (1 + np.exp(-(z + shift * other))), y, segment)[0] for shift in (1, 2)
    ]
    certain = reliability(np.where(other, 1.0, p), y, segment)[0]
    return (
        f"{int(other.sum())} pairs across scripts or both romanized, "
        f"{int((y[other] == 0).sum())} of them negatives, mean probability "
        f"{p[other].mean():.3f}; the task's ECE with their log-odds +1: {shifted[0]:.4f}, "
        f"+2: {shifted[1]:.4f}, all at 1.0: {certain:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-clusters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "pair_calibration.md")
    args = parser.parse_args()
    ev = evaluator()
    lines = [
        "# Calibration of the compare task, by bin and kind of pair",
        "",
        "`PYTHONHASHSEED=1 .venv/bin/python benchmarks/pair_calibration.py`: the evaluator's "
        "pair tasks rebuilt in process (see the script's docstring). Error share: the bin's "
        "(sum of probabilities - matches) / pairs; positive = over-confident.",
    ]
    for task, pairs in pair_tasks(ev, args.max_clusters, args.seed).items():
        p, y, segment = scored(pairs)
        error, rows = reliability(p, y, segment)
        auc = ev.auc(p.tolist(), y.tolist())
        print(f"{task}: {len(p)} pairs, ECE {error:.4f}, AUC {auc:.4f}", flush=True)
        lines += [
            "",
            f"## {task}: {len(p)} pairs, ECE {error:.4f}, AUC {auc:.4f}",
            "",
            across_scripts(p, y, segment),
            "",
            "| bin | pairs | mean probability | matches | error share | by segment |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
        ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
