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

__all__ = ["SEGMENTS", "Model", "Tree", "calibration_segment", "load_model", "segment_of"]

# Calibration segments: the kinds of pair whose evidence means different things, each with its
# own Platt step. The trees are fitted with extra shape-only negatives (random pairs, nearest
# cross-script names) that calibration must not see; those pull some regions down more than
# others, and one global sigmoid cannot undo a regional shift. "both Latin" also holds two names
# in one other script (romanized by the same rules: ``features.non_latin_pair``); "both
# romanized" is two names in two scripts other than Latin.
SEGMENTS = ("both Latin", "cross-script", "both romanized")


def calibration_segment(values: dict[str, float]) -> int:
    """Index in ``SEGMENTS`` of a pair, from its ``cross_script`` and ``non_latin_pair``
    features."""
    return segment_of(values["cross_script"], values["non_latin_pair"])


def segment_of(cross_script: float, non_latin_pair: float) -> int:
    """``calibration_segment`` from the two feature values themselves."""
    return 1 if cross_script else 2 if non_latin_pair else 0


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
        return self.segment_step(calibration_segment(values))

    def segment_step(self, segment: int) -> tuple[float, float]:
        """Platt slope and offset of a calibration segment (an index in ``SEGMENTS``)."""
        if self.segment_calibration:
            return self.segment_calibration[segment]
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

    def raw_row(self, x: list[float]) -> float:
        """``raw_score`` of one row of feature values in ``feature_names`` order."""
        return self.base + _compiled(self)(x)

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
        ``feature_names`` order) per pair. Each result equals ``raw_score`` exactly: the same
        leaves, summed in the same order as the generated ensemble.

        The leaves are found the QuickScorer way (Lucchese et al., SIGIR 2015), with numpy: a
        tree's leaves are bits in one integer, left to right; a split whose test fails (the
        value is above its threshold) clears the bits of the leaves under its left branch, and
        the leaf reached is the lowest bit left. The splits failing for a value of one feature
        are those with a threshold below it, a prefix of that feature's splits in threshold
        order, so their cleared bits are precomputed per prefix (``_Bitmasks``): a row costs a
        binary search and one AND per feature, for all trees at once. Walking the trees level
        by level cost about three times as much; it remains for ensembles with trees of more
        than 64 leaves."""
        masks = _bitmasks(self)
        if masks is None:
            return self.base + _walk_levels(_tree_arrays(self), x)
        total = np.empty(len(x), dtype=np.float64)
        # A few hundred rows at a time: the (rows x trees) temporaries then stay in the CPU
        # cache (measured: 512-row blocks took a quarter of the time of 20,000-row ones).
        for k in range(0, len(x), _BLOCK_ROWS):
            total[k : k + _BLOCK_ROWS] = _leaf_sums(masks, x[k : k + _BLOCK_ROWS])
        return self.base + total


_BLOCK_ROWS = 512


def _leaf_sums(masks: _Bitmasks, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The sum of the leaves each row of ``x`` reaches, trees added in order."""
    bits: npt.NDArray[np.unsignedinteger[Any]] | None = None
    for feature, thresholds, prefixes in masks.features:
        # Splits failing for each row: those whose threshold is below its value.
        failing = np.searchsorted(thresholds, x[:, feature], side="left")
        cleared = prefixes[failing]
        bits = cleared if bits is None else np.bitwise_and(bits, cleared, out=bits)
    if bits is None:
        leaf = np.zeros((len(x), len(masks.offsets)), dtype=np.int64)
    else:
        lowest = bits & (~bits + 1)
        # The lowest set bit as a power of two; frexp's exponent reads it exactly.
        leaf = np.frexp(lowest.astype(np.float64))[1] - 1
    values = masks.leaf_values[leaf + masks.offsets]
    if not values.shape[1]:
        return np.zeros(len(x), dtype=np.float64)
    # cumsum adds the trees one after the other, as the generated ensemble does.
    sums: npt.NDArray[np.float64] = np.cumsum(values, axis=1)[:, -1]
    return sums


def _walk_levels(
    arrays: tuple[_TreeArrays, ...], x: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The sum of the leaves of ``x``'s rows, the trees walked level by level on all rows."""
    total = np.zeros(len(x), dtype=np.float64)
    rows = np.arange(len(x))
    for feature, threshold, left, right, value in arrays:
        node = np.zeros(len(x), dtype=np.int64)
        inner = left[node] != -1
        while inner.any():
            at = node[inner]
            go_left = x[rows[inner], feature[at]] <= threshold[at]
            node[inner] = np.where(go_left, left[at], right[at])
            inner = left[node] != -1
        total += value[node]
    return total


@dataclass(frozen=True, slots=True)
class _Bitmasks:
    """The ensemble prepared for ``Model.batch_raw_scores``.

    Attributes:
        features: per split feature, (its index, its split thresholds sorted, and for each
            prefix of those splits the leaf bits left to each tree once they all fail: one row
            per prefix, one column per tree).
        offsets: each tree's first leaf in ``leaf_values``.
        leaf_values: every tree's leaf values, left to right, one tree after the other.
    """

    features: tuple[tuple[int, npt.NDArray[np.float64], npt.NDArray[np.unsignedinteger[Any]]], ...]
    offsets: npt.NDArray[np.int64]
    leaf_values: npt.NDArray[np.float64]


def _build_bitmasks(model: Model) -> _Bitmasks | None:
    """``_Bitmasks`` of ``model``, or None when a tree has more leaves than bits in an int."""
    trees = model.trees
    most = max((sum(1 for k in t.left if k == -1) for t in trees), default=0)
    if most > 64:
        return None
    dtype = np.uint32 if most <= 32 else np.uint64
    ones = np.iinfo(dtype).max
    splits: dict[int, list[tuple[float, int, int]]] = {}
    leaf_values: list[float] = []
    offsets: list[int] = []
    for number, tree in enumerate(trees):
        offsets.append(len(leaf_values))
        # Leaves numbered left to right; each node's leaves as a range [first, last).
        spans: dict[int, tuple[int, int]] = {}

        def visit(k: int, tree: Tree = tree, spans: dict[int, tuple[int, int]] = spans) -> None:
            first = len(leaf_values)
            if tree.left[k] == -1:
                leaf_values.append(tree.value[k])
            else:
                visit(tree.left[k])
                visit(tree.right[k])
            spans[k] = (first, len(leaf_values))

        visit(0)
        base = offsets[-1]
        for k, f in enumerate(tree.feature):
            if tree.left[k] == -1:
                continue
            first, last = spans[tree.left[k]]
            left_bits = ((1 << (last - first)) - 1) << (first - base)
            splits.setdefault(f, []).append((tree.threshold[k], number, int(ones) ^ left_bits))
    features = []
    for f in sorted(splits):
        ordered = sorted(splits[f])
        prefixes = np.full((len(ordered) + 1, len(trees)), ones, dtype=dtype)
        for r, (_, number, keep) in enumerate(ordered, start=1):
            prefixes[r] = prefixes[r - 1]
            prefixes[r, number] &= dtype(keep)
        thresholds = np.array([t for t, _, _ in ordered], dtype=np.float64)
        features.append((f, thresholds, prefixes))
    return _Bitmasks(
        tuple(features),
        np.array(offsets, dtype=np.int64),
        np.array(leaf_values, dtype=np.float64),
    )


def _bitmasks(model: Model) -> _Bitmasks | None:
    return _memo("bitmasks", model, _build_bitmasks)


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
