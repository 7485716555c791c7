"""How far calibration per kind of pair can take the per-task calibration error.

    .venv/bin/python benchmarks/calibration_segments.py [--cache /tmp/pairs.pkl]

Fits the trees with scripts/fit_model.py's ``fit_trees`` (the same pairs, weights and mining), then
tries calibration steps on them and prints, per development task, the held-out expected
calibration error (the evaluator-like pairs of the held-out clusters) and the share of held-out
random pairs within the task (``arandom``), random pairs across scripts (``xrandom``) and pairs
that share a blocking key (``keyed``) at or above 0.5 and 0.7:

- ``3 segments``: the packaged step, one Platt sigmoid per script relation (both Latin, across
  scripts, both romanized);
- ``4 segments``: both-Latin pairs of two one-token names get their own sigmoid;
- ``5 segments``: and both-Latin pairs whose longer name has three tokens or more;
- ``designator segment``: both-Latin pairs with a particle, legal form or designator get their
  own sigmoid (organisations, mostly);
- ``3 segments, across scripts +1`` and ``+2``: the packaged steps with the log-odds of pairs
  across scripts or both romanized raised by 1 and 2;
- ``evaluator pairs only``: trees fitted on the evaluator-like pairs alone (no shape-only
  negatives, no mining), one sigmoid: what calibration on the evaluator's distribution costs.

Results go to benchmarks/results/calibration_segments.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from scripts import fit_model as fm  # noqa: E402

Segmenter = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.int64]]
_HELD_OUT = ("test", "arandom_test", "xrandom_test", "keyed_test")
_READING = "## Reading"


def segmenters(names: list[str]) -> dict[str, Segmenter]:
    col = {n: i for i, n in enumerate(names)}

    def three(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        return fm.segments(x, names)  # the packaged rule (app.core.score.calibration_segment)

    def four(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        s = three(x)
        return np.where((s == 0) & (x[:, col["single_token"]] == 2), 3, s)

    def five(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        s = four(x)
        return np.where((s == 0) & (x[:, col["longer_token_count"]] >= 3), 4, s)

    def designated(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        s = three(x)
        return np.where((s == 0) & (x[:, col["designator_tokens"]] > 0), 3, s)

    return {
        "3 segments": three,
        "4 segments": four,
        "5 segments": five,
        "designator segment": designated,
    }


def evaluate(
    feats: dict,
    names: list[str],
    gbm: HistGradientBoostingClassifier,
    steps: dict[int, tuple[float, float]],
    segment: Segmenter,
) -> dict[str, str]:
    """Held-out ECE of each task's evaluator-like pairs; false matches of its negatives."""
    out: dict[str, list[str]] = {}
    for (task, split), (rows, yt) in sorted(feats.items()):
        if split not in _HELD_OUT or not len(rows) or task.endswith(":latin"):
            continue
        xt = fm.matrix(rows, names)
        cal = np.array([steps.get(int(k), steps[-1]) for k in segment(xt)])
        pt = 1 / (1 + np.exp(-(gbm.decision_function(xt) * cal[:, 0] + cal[:, 1])))
        name = task.removesuffix(":all")
        if split == "test":
            out.setdefault(name, []).insert(0, f"ECE {fm.ece(pt, yt):.3f}")
        else:
            kind = split.removesuffix("_test")
            out.setdefault(name, []).append(
                f"{kind} {(pt >= 0.5).mean():.4f} / {(pt >= 0.7).mean():.4f}"
            )
    return {task: "; ".join(parts) for task, parts in out.items()}


def platt_steps(
    gbm: HistGradientBoostingClassifier,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
    mask: npt.NDArray[np.bool_],
    segment: Segmenter,
) -> dict[int, tuple[float, float]]:
    """fit_model's rule (``segment_steps``) over ``segment``'s kinds; -1: the global step."""
    z = gbm.decision_function(x[mask])
    seg = segment(x[mask])
    steps = fm.segment_steps(z, y[mask], w[mask], seg, int(segment(x).max()) + 1)
    return {-1: fm.platt(z, y[mask], w[mask]), **dict(enumerate(steps))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="featurized pairs (scripts/fit_model.py)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "calibration_segments.md")
    args = parser.parse_args()
    feats = fm.featurized_tasks(args.cache)
    names = list(feats[next(iter(feats))][0][0])
    gbm, x, y, w, in_calib = fm.fit_trees(feats, names, fm.CROSS_MINED_SHARE, fm.ANY_MINED_SHARE)
    results: dict[str, dict[str, str]] = {}
    for label, segment in segmenters(names).items():
        steps = platt_steps(gbm, x, y, w, in_calib, segment)
        results[label] = evaluate(feats, names, gbm, steps, segment)
    # The packaged steps with the log-odds of pairs across scripts (segments 1 and 2) raised:
    # the evaluator-like pairs across scripts are almost all positives.
    three = segmenters(names)["3 segments"]
    packaged = platt_steps(gbm, x, y, w, in_calib, three)
    for shift in (1.0, 2.0):
        steps = {k: (a, b + shift if k in (1, 2) else b) for k, (a, b) in packaged.items()}
        label = f"3 segments, across scripts +{shift:g}"
        results[label] = evaluate(feats, names, gbm, steps, three)
    only = fm.new_model(names).fit(x[in_calib], y[in_calib], sample_weight=w[in_calib])
    steps = {-1: fm.platt(only.decision_function(x[in_calib]), y[in_calib], w[in_calib])}
    results["evaluator pairs only"] = evaluate(
        feats, names, only, steps, lambda rows: np.full(len(rows), -1)
    )
    lines = [
        "# Calibration per kind of pair: held-out figures",
        "",
        "`.venv/bin/python benchmarks/calibration_segments.py` (see its docstring). Per task: "
        "the held-out ECE of its evaluator-like pairs, then the share of its held-out random "
        "(`arandom`), cross-script random (`xrandom`) and keyed negatives at or above 0.5 / 0.7.",
        "",
    ]
    for label, per_task in results.items():
        lines += [f"## {label}", ""]
        lines += [f"- {task}: {text}" for task, text in per_task.items()]
        lines.append("")
    # The file's hand-written reading, if any, stays below the new figures.
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    reading = old[old.index(_READING) :] if _READING in old else ""
    args.out.write_text("\n".join(lines) + reading, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
