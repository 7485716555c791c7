"""How low the evaluator's expected calibration error can go by recalibrating today's scores.

    PYTHONHASHSEED=1 .venv/bin/python benchmarks/calibration_ceiling.py

Rebuilds the shared evaluator's pair tasks in process (``pair_calibration.pair_tasks``: the
same clusters, seed and pair sampling) and scores them with the packaged model. Per task it
reports:

* the expected calibration error (the evaluator's ten bins) and its noise floor: the mean and
  95th percentile of the error of a perfectly calibrated model with these very scores (labels
  drawn as Bernoulli(score), 200 times): a small task errs by chance alone;
* how the evaluator draws its pairs: a negative is the nearest name of another cluster by
  character trigrams, kept only at a trigram Jaccard of 0.3 or more, so every pair below 0.3
  is a positive. The share of such pairs, their mean score, and the error of each side.

Then the best any recalibration of these scores can do on the evaluator's own pairs: isotonic
regression (any monotone map) fitted *on the very pairs it is judged on* (in sample, so an
optimistic bound), pooled over the tasks as the packaged calibration is, for several ways of
splitting the pairs into groups that each get their own map, and for every weighting of the
tasks on a grid (ofac, countries and name_bench weighted 0.5, 1, 2 or 4 against the others'
1). For each split it prints the weighting whose worst task is best, and that task's error.
And the same maps fitted on the five other tasks only, judged on the one left out: how a
recalibration carries to variants it was not fitted on.
A map may only look at what a caller's pair shows (its scripts, its words); the splits by
comma and by upper case are not candidates for the product (they read the formats of
particular lists) and are there to show that even those do not separate the tasks.

Results go to benchmarks/results/calibration_ceiling.md.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pair_calibration import evaluator, pair_tasks, reliability
from sklearn.isotonic import IsotonicRegression

from app.core.compare import pair_features, row_probability
from app.core.features import FEATURE_NAMES
from app.core.normalize import try_normalize_name
from app.core.score import load_model, segment_of

HERE = Path(__file__).resolve().parent
_CROSSED = FEATURE_NAMES.index("cross_script")
_ROMANIZED = FEATURE_NAMES.index("non_latin_pair")
_TOKEN_SET = FEATURE_NAMES.index("token_set_similarity")
_DESIGNATORS = FEATURE_NAMES.index("designator_tokens")
_NEAR = 0.3  # the evaluator's least trigram Jaccard of a hard negative
_WEIGHTS = (0.5, 1.0, 2.0, 4.0)
_WEIGHED = ("orgs_ofac", "countries", "name_bench")


@dataclass
class Task:
    name: str
    p: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    segment: npt.NDArray[np.int64]
    token_set: npt.NDArray[np.float64]
    designators: npt.NDArray[np.float64]
    jaccard: npt.NDArray[np.float64]
    comma: npt.NDArray[np.bool_]
    upper: npt.NDArray[np.bool_]


def trigrams(s: str) -> set[str]:
    """The evaluator's trigrams (``trigrams`` in ../shared/tools/evaluate)."""
    s = f"  {s.casefold()} "
    return {s[i : i + 3] for i in range(len(s) - 2)}


def scored(name: str, pairs: list[tuple[str, str, int]]) -> Task:
    model = load_model()
    cols: dict[str, list[float]] = {k: [] for k in ("p", "y", "s", "t", "d", "j", "c", "u")}
    for a, b, label in pairs:
        fa, fb = try_normalize_name(a), try_normalize_name(b)
        if fa is None or fb is None:
            continue
        row = pair_features(fa, fb)
        ga, gb = trigrams(a), trigrams(b)
        for key, value in (
            ("p", row_probability(row, model)),
            ("y", label),
            ("s", segment_of(row[_CROSSED], row[_ROMANIZED])),
            ("t", row[_TOKEN_SET]),
            ("d", row[_DESIGNATORS]),
            ("j", len(ga & gb) / len(ga | gb)),
            ("c", "," in a or "," in b),
            ("u", a.isupper() or b.isupper()),
        ):
            cols[key].append(float(value))
    return Task(
        name,
        np.array(cols["p"]),
        np.array(cols["y"], dtype=np.int64),
        np.array(cols["s"], dtype=np.int64),
        np.array(cols["t"]),
        np.array(cols["d"]),
        np.array(cols["j"]),
        np.array(cols["c"], dtype=bool),
        np.array(cols["u"], dtype=bool),
    )


def ece(t: Task, p: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_] | None = None) -> float:
    if mask is None:
        return reliability(p, t.y, t.segment)[0]
    return reliability(p[mask], t.y[mask], t.segment[mask])[0]


def noise_floor(t: Task, draws: int = 200) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    errors = [
        reliability(t.p, (rng.random(len(t.p)) < t.p).astype(np.int64), t.segment)[0]
        for _ in range(draws)
    ]
    return float(np.mean(errors)), float(np.percentile(errors, 95))


Split = Callable[[Task], npt.NDArray[np.int64]]

SPLITS: dict[str, Split] = {
    "one map for all pairs": lambda t: np.zeros(len(t.p), dtype=np.int64),
    "one per calibration segment (the packaged split)": lambda t: t.segment,
    "segment x most words shared (token set > 0.5)": lambda t: t.segment * 2 + (t.token_set > 0.5),
    "segment x designator or legal form present": lambda t: t.segment * 2 + (t.designators > 0),
    "segment x words shared x designator": lambda t: (
        t.segment * 4 + (t.token_set > 0.5) * 2 + (t.designators > 0)
    ),
    "segment x comma in a name (list format; not a candidate)": lambda t: t.segment * 2 + t.comma,
    "segment x a name in upper case (list format; not a candidate)": lambda t: (
        t.segment * 2 + t.upper
    ),
}


def recalibrated(tasks: list[Task], split: Split, weights: list[float]) -> list[float]:
    """Each task's error after one isotonic map per group, fitted on all tasks' pairs (each
    task weighing ``weights[k]`` in all, whatever its size)."""
    groups = [split(t) for t in tasks]
    p = np.concatenate([t.p for t in tasks])
    y = np.concatenate([t.y for t in tasks])
    g = np.concatenate(groups)
    w = np.concatenate(
        [np.full(len(t.p), wk / len(t.p)) for t, wk in zip(tasks, weights, strict=True)]
    )
    q = np.empty_like(p)
    for k in np.unique(g):
        inside = g == k
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        q[inside] = iso.fit(p[inside], y[inside], sample_weight=w[inside]).predict(p[inside])
    out, start = [], 0
    for t in tasks:
        out.append(ece(t, q[start : start + len(t.p)]))
        start += len(t.p)
    return out


def left_out(tasks: list[Task], split: Split) -> list[float]:
    """Each task's error after the isotonic maps fitted on the other tasks alone (each of them
    weighing the same): how a recalibration carries to variants it was not fitted on."""
    out = []
    for k, t in enumerate(tasks):
        others = [o for j, o in enumerate(tasks) if j != k]
        p = np.concatenate([o.p for o in others])
        y = np.concatenate([o.y for o in others])
        g = np.concatenate([split(o) for o in others])
        w = np.concatenate([np.full(len(o.p), 1.0 / len(o.p)) for o in others])
        mine = split(t)
        q = t.p.copy()  # a group the others never show keeps its score
        for group in np.unique(mine):
            fit = g == group
            if not fit.any():
                continue
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            iso.fit(p[fit], y[fit], sample_weight=w[fit])
            q[mine == group] = iso.predict(t.p[mine == group])
        out.append(ece(t, q))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-clusters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "calibration_ceiling.md")
    args = parser.parse_args()
    ev = evaluator()
    tasks = [
        scored(name, pairs) for name, pairs in pair_tasks(ev, args.max_clusters, args.seed).items()
    ]
    short = [t.name.removeprefix("pairs ").removeprefix("dev_") for t in tasks]
    lines = [
        "# How low the calibration error can go by recalibrating today's scores",
        "",
        "`PYTHONHASHSEED=1 .venv/bin/python benchmarks/calibration_ceiling.py` (see its "
        "docstring): the evaluator's pair tasks rebuilt in process, scored by the packaged "
        "model.",
        "",
        "## The error, its noise floor, and the pairs the evaluator makes positives",
        "",
        "Noise floor: the error of a perfectly calibrated model with these scores, labels drawn "
        "from them (mean / 95th percentile of 200 draws). Far pairs: trigram Jaccard below "
        f"{_NEAR}, where the evaluator draws no negative.",
        "",
        "| task | pairs | ECE | noise floor | far pairs | far: positives / mean score "
        "| ECE of the far / near pairs alone |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t, name in zip(tasks, short, strict=True):
        mean, p95 = noise_floor(t)
        far = t.jaccard < _NEAR
        far_cell = f"{t.y[far].mean():.3f} / {t.p[far].mean():.3f}" if far.any() else "-"
        lines.append(
            f"| {name} | {len(t.p)} | {ece(t, t.p):.4f} | {mean:.4f} / {p95:.4f} | "
            f"{far.mean():.3f} | {far_cell} | "
            f"{ece(t, t.p, far) if far.any() else 0.0:.4f} / {ece(t, t.p, ~far):.4f} |"
        )
        print(lines[-1], flush=True)
    weighed = [k for k, n in enumerate(short) if any(w in n for w in _WEIGHED)]
    lines += [
        "",
        "## The best monotone recalibration, fitted on the judged pairs themselves",
        "",
        f"Task weights: {', '.join(short[k] for k in weighed)} each in "
        f"{', '.join(str(w) for w in _WEIGHTS)}, the others 1; the weighting shown is the one "
        "whose worst task is best.",
        "",
        "| groups, each with its own map | weights | worst task ECE | " + " | ".join(short) + " |",
        "|---|---|---:|" + "---:|" * len(short),
    ]
    for label, split in SPLITS.items():
        best: tuple[float, tuple[float, ...], list[float]] | None = None
        for combo in itertools.product(_WEIGHTS, repeat=len(weighed)):
            weights = [1.0] * len(tasks)
            for k, w in zip(weighed, combo, strict=True):
                weights[k] = w
            errors = recalibrated(tasks, split, weights)
            if best is None or max(errors) < best[0]:
                best = (max(errors), combo, errors)
        assert best is not None
        lines.append(
            f"| {label} | {', '.join(f'{w:g}' for w in best[1])} | **{best[0]:.4f}** | "
            + " | ".join(f"{e:.4f}" for e in best[2])
            + " |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        "## The same maps fitted on the other tasks only",
        "",
        "Each task judged with the maps fitted on the five others (equal weights): how a "
        "recalibration carries to variants it was not fitted on, as the private set's are not.",
        "",
        "| groups, each with its own map | worst task ECE | " + " | ".join(short) + " |",
        "|---|---:|" + "---:|" * len(short),
    ]
    for label, split in SPLITS.items():
        errors = left_out(tasks, split)
        lines.append(
            f"| {label} | **{max(errors):.4f}** | " + " | ".join(f"{e:.4f}" for e in errors) + " |"
        )
        print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
