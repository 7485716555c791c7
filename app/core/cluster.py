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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["ClusterGraph", "cluster_graph", "mergeable_components"]

# Cohesion of a large cluster is judged on a fixed sample of its members (the first by input
# order of the sorted names), so a merge check costs at most _SAMPLE**2 comparisons.
_SAMPLE = 12

# Edges turned into Python ints at a time by ``mergeable_components``.
_UNION_CHUNK = 65_536


@dataclass(slots=True)
class ClusterGraph:
    """Input of the clustering: ``n`` items, candidate edges and a scorer for any pair."""

    n: int
    edges: dict[tuple[int, int], float]
    score: Callable[[int, int], float]
    single: Sequence[bool]
    threshold: float = 0.5
    bare_threshold: float = 0.5
    # Items written in Latin script, and the threshold of the pairs that are not both Latin
    # (None: ``threshold`` for every pair). See ``pair_threshold``.
    latin: Sequence[bool] | None = None
    strict_threshold: float | None = None
    _cache: dict[tuple[int, int], float] = field(default_factory=dict)

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
        key = (i, j) if i < j else (j, i)
        if key in self.edges:
            return self.edges[key]
        if key not in self._cache:
            self._cache[key] = self.score(*key)
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
        for x in xs:
            for y in ys:
                key = (x, y) if x < y else (y, x)
                p = self.edges.get(key)
                if p is None:
                    p = self._cache.get(key)
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
            known += self.probability(*key)
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
    order = sorted(((-p, i, j) for (i, j), p in g.edges.items() if p >= g.pair_threshold(i, j)))
    for _, i, j in order:
        ci, cj = owner[i], owner[j]
        if ci == cj or not allowed(i, j):
            continue
        if not g.cohesive(members[ci], members[cj]):
            continue
        keep, gone = (ci, cj) if len(members[ci]) >= len(members[cj]) else (cj, ci)
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
    adjacent: dict[int, list[int]] = {}
    for a, b in g.edges:
        adjacent.setdefault(a, []).append(b)
        adjacent.setdefault(b, []).append(a)
    for cid in sorted(members):
        if cid not in members or not all(g.single[k] for k in members[cid]):
            continue
        targets = {
            owner[j]
            for i in members[cid]
            for j in adjacent.get(i, ())
            if not g.single[j] and g.probability(i, j) >= g.bare_threshold
        }
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
