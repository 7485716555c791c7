"""Clustering connected components one by one (what the Spark engine does) equals clustering the
whole input: ``Matcher.cluster_scored`` per component against ``Matcher.cluster``."""

import json
import random
from pathlib import Path

import pytest

from app.core.blocking import form_candidate_pairs
from app.core.matcher import Matcher
from app.core.normalize import try_normalize_name

from .test_matcher import ARTICLE

MATCHER = Matcher()
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev_sample.jsonl"


def scored_candidate_pairs(names):
    """Every candidate pair of the input (the core's blocking rule), scored."""
    good = [(n, f) for n in sorted(names) if (f := try_normalize_name(n)) is not None]
    forms = [f for _, f in good]
    pairs = form_candidate_pairs(forms)
    return {
        (good[i][0], good[j][0]): MATCHER.compare_forms(forms[i], forms[j]).probability
        for i, j in pairs.tolist()
    }


def components_then_cluster(counts):
    edges = scored_candidate_pairs(counts)
    parent = {n: n for n in counts}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for (a, b), p in edges.items():
        if p >= MATCHER.min_merge_probability:
            parent[root(a)] = root(b)
    parts = {}
    for n in counts:
        parts.setdefault(root(n), []).append(n)
    out = []
    for members in parts.values():
        inside = set(members)
        part_edges = {k: p for k, p in edges.items() if k[0] in inside and k[1] in inside}
        out += MATCHER.cluster_scored([(n, counts[n]) for n in members], part_edges)
    return out


def as_table(entities):
    return {
        e.entity_id: (e.canonical, e.canonical_reason, e.confidence, e.members) for e in entities
    }


def test_components_then_cluster_equals_cluster_on_the_article():
    counts = {n: 1 + i % 3 for i, n in enumerate(ARTICLE)}
    counts["!!!"] = 2  # no letters: an entity of its own on both paths
    expected = as_table(MATCHER.cluster(counts.items()))
    assert as_table(components_then_cluster(counts)) == expected


@pytest.mark.slow
def test_components_then_cluster_equals_cluster_on_development_names():
    if not SAMPLE.exists():
        pytest.skip(f"development data not found at {SAMPLE}")
    with SAMPLE.open(encoding="utf-8") as fh:
        names = sorted({v for line in fh for v in json.loads(line)["variants"]})
    rng = random.Random(3)
    counts = {n: rng.choice((1, 1, 1, 2, 5)) for n in names}
    expected = as_table(MATCHER.cluster(counts.items()))
    assert len(expected) > 100
    assert as_table(components_then_cluster(counts)) == expected


def test_cluster_scored_refuses_an_edge_to_an_unknown_name():
    with pytest.raises(KeyError):
        MATCHER.cluster_scored([("Donald Trump", 1)], {("Donald Trump", "Trump"): 0.9})
