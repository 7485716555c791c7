"""Clustering of scored name pairs into entities, resisting chaining.

Method: greedy average-linkage agglomeration over the candidate graph. Candidate edges are taken
strongest first; two clusters merge only when the mean probability over *all* their cross pairs
(scored on demand, not only the candidate edges) stays at or above the threshold. Plain connected
components would let one weak link glue two people together ("Ali Khan" ~ "Ali Khamenei" ~ "Ali
Khamenehi"); average linkage looks at the cohesion of the whole merged cluster, so a chain of
near-names cannot pull distant ones in, and it needs no parameter besides the decision threshold.

Bare one-token names ("Trump") are attached in a second phase, and only when their links (at the
pair decision threshold: the uniqueness rule is the stricter test here) point to exactly one
multi-token cluster: with "Donald Trump" and "Ivanka Trump" both present,
"Trump" stays on its own rather than join either with false confidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["ClusterGraph", "Edges", "cluster_graph", "mergeable_components"]

# Cohesion of a large cluster is judged on a fixed sample of its members (the first by input
# order of the sorted names), so a merge check costs at most _SAMPLE**2 comparisons.
_SAMPLE = 12

# Merge checks of at most this many cross pairs look them up one by one (numpy's overhead
# exceeds the work below it).
_SMALL = 4

# Edges turned into Python ints at a time by ``mergeable_components`` and ``_agglomerate``.
_UNION_CHUNK = 65_536


Edges = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


@dataclass(slots=True)
class ClusterGraph:
    """Input of the clustering: ``n`` items, candidate edges and a scorer for any pair.

    ``edges`` are a mapping ``{(i, j): probability}`` or, from a large batch, two arrays
    (``(m, 2)`` item pairs, their probabilities). Either way they are kept as two numpy arrays,
    the pairs' keys ``i * n + j`` (i < j) sorted and their probabilities: 16 bytes an edge,
    where a dict of tuples cost about 180 (a component of a million names has ~25 million
    edges). Lookups are binary searches, vectorized over the cross pairs of a merge check.
    """

    n: int
    edges: Mapping[tuple[int, int], float] | Edges
    score: Callable[[int, int], float]
    single: Sequence[bool]
    threshold: float = 0.5
    bare_threshold: float = 0.5
    # Items written in Latin script, and the threshold of the pairs that are not both Latin
    # (None: ``threshold`` for every pair). See ``pair_threshold``.
    latin: Sequence[bool] | None = None
    strict_threshold: float | None = None
    _keys: npt.NDArray[np.int64] = field(init=False)
    _probs: npt.NDArray[np.float64] = field(init=False)
    # Pairs scored on demand, by key.
    _cache: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.edges, tuple):
            pairs, probs = self.edges
            pairs = np.asarray(pairs).reshape(-1, 2)
            probs = np.asarray(probs, dtype=np.float64)
        else:
            pairs = np.array(list(self.edges), dtype=np.int64).reshape(-1, 2)
            probs = np.fromiter(self.edges.values(), dtype=np.float64, count=len(self.edges))
        self.edges = {}  # the arrays below hold them; the caller's copy can go
        # In place, so that a component of tens of millions of edges needs few temporaries.
        a, b = pairs[:, 0], pairs[:, 1]
        keys = np.minimum(a, b).astype(np.int64, copy=False)
        keys *= self.n
        keys += np.maximum(a, b)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        del keys
        self._probs = probs[order]

    def _key(self, i: int, j: int) -> int:
        return i * self.n + j if i < j else j * self.n + i

    def _known(self, key: int) -> float | None:
        """The candidate edge's probability, or None when the pair is no candidate edge."""
        at = int(np.searchsorted(self._keys, key))
        if at < len(self._keys) and int(self._keys[at]) == key:
            return float(self._probs[at])
        return None

    def edge_arrays(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The candidate edges as arrays ``(i, j, probability)`` with i < j, ordered by key."""
        return self._keys // self.n, self._keys % self.n, self._probs

    def pair_threshold(self, i: int, j: int) -> float:
        """The link threshold of one pair: ``threshold`` between two Latin names,
        ``strict_threshold`` for a pair with a name in another script. The model's
        probabilities are least certain across scripts and between romanized names (a random
        Korean or Cyrillic name scores high against more unrelated names than a Latin one
        does), so a merge there needs as much evidence as a single pair decision."""
        if self.latin is None or self.strict_threshold is None:
            return self.threshold
        if self.latin[i] and self.latin[j]:
            return self.threshold
        return self.strict_threshold

    def probability(self, i: int, j: int) -> float:
        """Probability of the pair (i, j), from the candidate edges or scored on demand."""
        key = self._key(i, j)
        p = self._known(key)
        if p is not None:
            return p
        if key not in self._cache:
            self._cache[key] = self.score(*divmod(key, self.n))
        return self._cache[key]

    def cohesive(
        self, xs: Sequence[int], ys: Sequence[int], threshold: float | None = None
    ) -> bool:
        """Whether the mean probability over the cross pairs of two groups (of samples of large
        groups) reaches the threshold.

        Known candidate edges are summed first; unknown pairs are scored only while the answer
        is still open, so the decision is exact but usually costs a handful of comparisons.
        """
        xs = sorted(xs)[:_SAMPLE] if len(xs) > _SAMPLE else xs
        ys = sorted(ys)[:_SAMPLE] if len(ys) > _SAMPLE else ys
        if threshold is not None:
            needed = threshold * len(xs) * len(ys)
        else:
            needed = sum(self.pair_threshold(x, y) for x in xs for y in ys)
        known, unknown = 0.0, []
        cache = self._cache
        if len(xs) * len(ys) <= _SMALL:
            for x in xs:
                for y in ys:
                    key = self._key(x, y)
                    p = self._known(key)
                    if p is None:
                        p = cache.get(key)
                    if p is None:
                        unknown.append(key)
                    else:
                        known += p
        else:
            # The cross pairs' keys, x-major, and which of them are candidate edges.
            a = np.asarray(xs, dtype=np.int64)[:, None]
            b = np.asarray(ys, dtype=np.int64)[None, :]
            keys = (np.minimum(a, b) * self.n + np.maximum(a, b)).ravel()
            at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
            hit = self._keys[at] == keys if len(self._keys) else np.zeros(len(keys), dtype=bool)
            known = float(self._probs[at[hit]].sum()) if hit.any() else 0.0
            for key in keys[~hit].tolist():
                p = cache.get(key)
                if p is None:
                    unknown.append(key)
                else:
                    known += p
        if known >= needed:
            return True
        remaining = len(unknown)
        for key in unknown:
            if known + remaining < needed:
                return False
            # Not a candidate edge and not in the cache (both looked up above): score it.
            p = cache[key] = self.score(*divmod(key, self.n))
            known += p
            remaining -= 1
            if known >= needed:
                return True
        return known >= needed


def _agglomerate(
    g: ClusterGraph,
    members: dict[int, list[int]],
    owner: list[int],
    allowed: Callable[[int, int], bool],
) -> None:
    keys, p, n = g._keys, g._probs, g.n
    if g.latin is not None and g.strict_threshold is not None:
        latin = np.asarray(g.latin, dtype=bool)
        both = latin[keys // n] & latin[keys % n]
        strong = np.flatnonzero(p >= np.where(both, g.threshold, g.strict_threshold))
        del both
    else:
        strong = np.flatnonzero(p >= g.threshold)
    # Strongest first, ties by (i, j), the order of the keys: the order of sorted((-p, i, j))
    # without a list of tuples of every edge.
    order = strong[np.lexsort((keys[strong], -p[strong]))]
    del strong
    for start in range(0, len(order), _UNION_CHUNK):
        chunk = keys[order[start : start + _UNION_CHUNK]]
        for x, y in zip((chunk // n).tolist(), (chunk % n).tolist(), strict=True):
            cx, cy = owner[x], owner[y]
            if cx == cy or not allowed(x, y):
                continue
            if not g.cohesive(members[cx], members[cy]):
                continue
            keep, gone = (cx, cy) if len(members[cx]) >= len(members[cy]) else (cy, cx)
            for k in members[gone]:
                owner[k] = keep
            members[keep].extend(members.pop(gone))


def cluster_graph(g: ClusterGraph) -> list[list[int]]:
    """Partition the items 0..n-1 into clusters (each sorted, clusters ordered by first item)."""
    owner = list(range(g.n))
    members: dict[int, list[int]] = {i: [i] for i in range(g.n)}
    # Phase 1: full names with full names, bare names with bare names.
    _agglomerate(g, members, owner, lambda i, j: g.single[i] == g.single[j])
    # Phase 2: a cluster of bare names joins a full-name cluster only if it is the only one.
    # Only the edges from a bare to a full name at the bare threshold can point to one.
    i, j, p = g.edge_arrays()
    single = np.asarray(g.single, dtype=bool)
    mixed = np.flatnonzero((single[i] != single[j]) & (p >= g.bare_threshold))
    bare = np.where(single[i[mixed]], i[mixed], j[mixed])
    full = np.where(single[i[mixed]], j[mixed], i[mixed])
    adjacent: dict[int, list[int]] = {}
    for a, b in zip(bare.tolist(), full.tolist(), strict=True):
        adjacent.setdefault(a, []).append(b)
    for cid in sorted(members):
        if cid not in members or not all(g.single[k] for k in members[cid]):
            continue
        targets = {owner[j] for i in members[cid] for j in adjacent.get(i, ())}
        if len(targets) != 1:
            continue
        target = targets.pop()
        if g.cohesive(members[cid], members[target], g.bare_threshold):
            for k in members[cid]:
                owner[k] = target
            members[target].extend(members.pop(cid))
    return sorted((sorted(ms) for ms in members.values()), key=lambda ms: ms[0])


def mergeable_components(
    n: int,
    pairs: npt.NDArray[np.int64],
    probabilities: npt.NDArray[np.float64],
    single: Sequence[bool],
    threshold: float,
    bare_threshold: float,
) -> list[list[int]]:
    """The connected components of the edges along which ``cluster_graph`` can merge: two full
    names or two bare names at ``threshold`` or above, a bare and a full name at
    ``bare_threshold`` or above. Every cluster lies inside one component and clustering a
    component alone gives the clusters it gives inside the whole graph (merges and their
    cohesion only involve the two clusters' own members), so a large batch is clustered one
    component at a time, with only that component's edges in memory.

    Returns the components of two or more items (each sorted, ordered by first item); items
    on no such edge are left out (each is an entity of its own).
    """
    if len(pairs) == 0:
        return []
    is_single = np.asarray(single, dtype=bool)
    a, b = pairs[:, 0], pairs[:, 1]
    same_kind = is_single[a] == is_single[b]
    keep = np.where(same_kind, probabilities >= threshold, probabilities >= bare_threshold)
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    strong = pairs[keep]
    for start in range(0, len(strong), _UNION_CHUNK):  # no list of millions of edges at once
        for i, j in strong[start : start + _UNION_CHUNK].tolist():
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
