"""Combine feature values into log-odds: gradient-boosted trees with exact per-feature attribution.

The model is a small ensemble of regression trees over the named features (fitted offline by
``scripts/fit_model.py`` with scikit-learn's histogram gradient boosting, exported to
``data/model.json``), followed by a Platt calibration step per calibration segment (see
``calibration_segment``). Trees capture what an additive model
cannot (a Jaro-Winkler of 0.93 means little between two Latin names but much across scripts),
and stay explainable: walking a tree, every split moves the prediction from the parent's value to
the child's, and that move is credited to the split's feature (the Saabas attribution). The
credits sum to the log-odds minus the base value (up to float rounding), so every feature gets
one readable contribution. Inference is plain Python per pair (numpy for batches); no
scikit-learn at run time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["SEGMENTS", "Model", "Tree", "calibration_segment", "load_model"]

# Calibration segments: the kinds of pair whose evidence means different things, each with its
# own Platt step. The trees are fitted with extra shape-only negatives (random pairs, nearest
# cross-script names) that calibration must not see; those pull some regions down more than
# others, and one global sigmoid cannot undo a regional shift.
SEGMENTS = ("both Latin", "cross-script", "both romanized")


def calibration_segment(values: dict[str, float]) -> int:
    """Index in ``SEGMENTS`` of a pair, from its ``cross_script`` and ``non_latin_pair``
    features."""
    return 1 if values["cross_script"] else 2 if values["non_latin_pair"] else 0


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree as flat arrays; ``left[k] == -1`` marks a leaf.

    Node values of inner nodes are the sample-weighted means of their children, so that the
    change from parent to child is a fair attribution to the split feature.
    """

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def walk(self, x: list[float], credit: list[float] | None) -> float:
        """Leaf value for ``x``; adds each split's value change to ``credit[feature]``."""
        k = 0
        left, right, feature, threshold, value = (
            self.left,
            self.right,
            self.feature,
            self.threshold,
            self.value,
        )
        while left[k] != -1:
            f = feature[k]
            child = left[k] if x[f] <= threshold[k] else right[k]
            if credit is not None:
                credit[f] += value[child] - value[k]
            k = child
        return value[k]


@dataclass(frozen=True, slots=True)
class Model:
    """A fitted tree ensemble over named features, its calibration and decision threshold."""

    feature_names: tuple[str, ...]
    base: float
    trees: tuple[Tree, ...]
    calibration_slope: float
    calibration_offset: float
    threshold: float
    link_threshold: float
    provenance: dict[str, Any]
    # Mean probability for merges that involve a name in another script than Latin (the
    # weaker cross-script evidence asks more); absent from a model file: ``threshold``.
    cross_script_link_threshold: float = 0.7
    # (slope, offset) per calibration segment; empty: the global slope and offset.
    segment_calibration: tuple[tuple[float, float], ...] = ()

    def calibration(self, values: dict[str, float]) -> tuple[float, float]:
        """Platt slope and offset for the pair's calibration segment."""
        if self.segment_calibration:
            return self.segment_calibration[calibration_segment(values)]
        return self.calibration_slope, self.calibration_offset

    def raw_score(
        self, values: dict[str, float], explain: bool = False
    ) -> tuple[float, list[float]]:
        """Uncalibrated log-odds and (when ``explain``) each feature's share of it."""
        x = [values[n] for n in self.feature_names]
        if not explain:
            return self.base + _compiled(self)(x), []
        raw, leaves = _compiled_explain(self)(x)
        reached = np.array(leaves, dtype=np.intp)
        credit: list[float] = _credit_table(self).take(reached, axis=0).sum(axis=0).tolist()
        return self.base + raw, credit

    def log_odds(
        self, values: dict[str, float], explain: bool = False
    ) -> tuple[float, dict[str, float]]:
        """Calibrated log-odds and each feature's contribution to it (on the calibrated scale)."""
        raw, credit = self.raw_score(values, explain)
        slope, offset = self.calibration(values)
        z = slope * raw + offset
        contributions = {n: slope * c for n, c in zip(self.feature_names, credit, strict=False)}
        return z, contributions

    def base_log_odds(self, values: dict[str, float]) -> float:
        """Calibrated log-odds before any feature is seen (the prior), in the calibration
        segment of a pair with these feature ``values``: the feature contributions of
        ``log_odds`` add up to its log-odds from here."""
        base = self.base + sum(t.value[0] for t in self.trees)
        slope, offset = self.calibration(values)
        return slope * base + offset

    def batch_raw_scores(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``raw_score`` of many pairs at once: ``x`` holds one row of feature values (in
        ``feature_names`` order) per pair. The trees are walked level by level on all rows
        with numpy and their leaves summed in the same order as the generated ensemble, so
        each result equals ``raw_score`` exactly; a pair costs microseconds instead of the
        ~100 µs of the per-pair Python walk."""
        total = np.zeros(len(x), dtype=np.float64)
        rows = np.arange(len(x))
        for feature, threshold, left, right, value in _tree_arrays(self):
            node = np.zeros(len(x), dtype=np.int64)
            inner = left[node] != -1
            while inner.any():
                at = node[inner]
                go_left = x[rows[inner], feature[at]] <= threshold[at]
                node[inner] = np.where(go_left, left[at], right[at])
                inner = left[node] != -1
            total += value[node]
        return self.base + total


_T = TypeVar("_T")
_TreeArrays = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]
# Per-model memos, keyed by (what, id(model)). Each entry keeps the model itself: a model that
# was garbage-collected could otherwise hand its id, and its stale trees, to the next one loaded.
_MEMO: dict[tuple[str, int], tuple[Model, Any]] = {}


def _memo(what: str, model: Model, build: Callable[[Model], _T]) -> _T:
    entry = _MEMO.get((what, id(model)))
    if entry is not None and entry[0] is model:
        value: _T = entry[1]
        return value
    value = build(model)
    _MEMO[(what, id(model))] = (model, value)
    return value


def _build_arrays(model: Model) -> tuple[_TreeArrays, ...]:
    return tuple(
        (
            np.asarray(t.feature, dtype=np.int64),
            np.asarray(t.threshold, dtype=np.float64),
            np.asarray(t.left, dtype=np.int64),
            np.asarray(t.right, dtype=np.int64),
            np.asarray(t.value, dtype=np.float64),
        )
        for t in model.trees
    )


def _tree_arrays(model: Model) -> tuple[_TreeArrays, ...]:
    return _memo("arrays", model, _build_arrays)


def _tree_source(
    tree: Tree, k: int, depth: int, lines: list[str], leaf: tuple[int, int] | None
) -> None:
    """Nested ifs of one tree adding its leaf to ``s``. With ``leaf`` = (tree number, offset)
    (explaining), each leaf also stores its node number in the whole ensemble (the offset plus
    its index in the tree) in the tree's local ``l<number>``, for ``_credit_table``."""
    pad = "    " * depth
    if tree.left[k] == -1:
        lines.append(f"{pad}s += {tree.value[k]!r}")
        if leaf is not None:
            lines.append(f"{pad}l{leaf[0]} = {leaf[1] + k}")
        return
    lines.append(f"{pad}if x{tree.feature[k]} <= {tree.threshold[k]!r}:")
    _tree_source(tree, tree.left[k], depth + 1, lines, leaf)
    lines.append(f"{pad}else:")
    _tree_source(tree, tree.right[k], depth + 1, lines, leaf)


def _generated(model: Model, explain: bool) -> Callable[..., Any]:
    # The feature values are unpacked into locals once: a local lookup costs less than an
    # index into the list at each of the ~1,000 splits an ensemble evaluates. Explaining, the
    # leaves reached are kept in locals too and returned as one tuple (a call per leaf to
    # record them cost more than the walk itself).
    unpack = ", ".join(f"x{i}" for i in range(len(model.feature_names)))
    lines = ["def ensemble(x):", f"    {unpack}, = x", "    s = 0.0"]
    offset = 0
    for number, tree in enumerate(model.trees):
        _tree_source(tree, 0, 1, lines, (number, offset) if explain else None)
        offset += len(tree.left)
    if explain:
        leaves = ", ".join(f"l{number}" for number in range(len(model.trees)))
        lines.append(f"    return s, ({leaves},)")
    else:
        lines.append("    return s")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<canonym-model>", "exec"), namespace)
    fn: Callable[..., Any] = namespace["ensemble"]
    return fn


def _compiled(model: Model) -> Callable[[list[float]], float]:
    """The ensemble as one generated Python function of nested ifs.

    Walking the flat arrays costs a Python loop iteration per node; the generated code evaluates
    the same splits about ten times faster, which matters when clustering scores millions of
    pairs. ``Tree.walk`` stays the reference; a test checks both agree.
    """
    return _memo("compiled", model, lambda m: _generated(m, explain=False))


def _compiled_explain(model: Model) -> Callable[[list[float]], tuple[float, tuple[int, ...]]]:
    """The same, with the leaf reached in every tree: ``f(x)`` returns the sum of the leaves
    (the same additions as ``_compiled``) and their node numbers in the ensemble."""
    return _memo("explain", model, lambda m: _generated(m, explain=True))


def _build_credit_table(model: Model) -> npt.NDArray[np.float64]:
    """One row per node of the ensemble (trees one after the other): for a leaf, the value
    changes on its root-to-leaf path, summed per split feature (``Tree.walk``'s credit for
    the paths that end there); inner nodes keep zeros."""
    table = np.zeros((sum(len(t.left) for t in model.trees), len(model.feature_names)))
    offset = 0
    for tree in model.trees:
        stack: list[tuple[int, list[tuple[int, float]]]] = [(0, [])]
        while stack:
            k, path = stack.pop()
            if tree.left[k] == -1:
                for f, delta in path:
                    table[offset + k, f] += delta
                continue
            f = tree.feature[k]
            for child in (tree.left[k], tree.right[k]):
                stack.append((child, [*path, (f, tree.value[child] - tree.value[k])]))
        offset += len(tree.left)
    return table


def _credit_table(model: Model) -> npt.NDArray[np.float64]:
    """Saabas credit of every leaf of the ensemble, per feature (``_build_credit_table``).

    An explanation sums the rows of the leaves reached (one numpy gather and sum) instead of
    adding every split's change in Python: about a third of the cost of the explained walk,
    and every resolve candidate is explained. The sums equal ``Tree.walk``'s credit up to
    floating-point rounding (the order of the additions differs)."""
    return _memo("credit", model, _build_credit_table)


def _parse(raw: dict[str, Any]) -> Model:
    trees = tuple(
        Tree(
            feature=tuple(t["feature"]),
            threshold=tuple(float(v) for v in t["threshold"]),
            left=tuple(t["left"]),
            right=tuple(t["right"]),
            value=tuple(float(v) for v in t["value"]),
        )
        for t in raw["trees"]
    )
    cal = raw.get("calibration", {})
    return Model(
        feature_names=tuple(raw["feature_names"]),
        base=float(raw["base"]),
        trees=trees,
        calibration_slope=float(cal.get("slope", 1.0)),
        calibration_offset=float(cal.get("offset", 0.0)),
        threshold=float(raw.get("threshold", 0.5)),
        link_threshold=float(raw.get("link_threshold", 0.5)),
        cross_script_link_threshold=float(
            raw.get("cross_script_link_threshold", raw.get("threshold", 0.5))
        ),
        provenance=dict(raw.get("provenance", {})),
        segment_calibration=tuple(
            (float(seg["slope"]), float(seg["offset"])) for seg in cal.get("segments", ())
        ),
    )


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The packaged model (``app/core/data/model.json``)."""
    text = resources.files("app.core").joinpath("data/model.json").read_text("utf-8")
    return _parse(json.loads(text))
