"""The Matcher façade: the only entry point used outside ``app.core``.

The API, the CLI and the batch engines all call these methods, so every entry point gives the
same answer for the same input.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from app.core.blocking import form_candidate_pairs
from app.core.canonical import choose_canonical
from app.core.cluster import ClusterGraph, Edges, cluster_graph, mergeable_components
from app.core.compare import (
    Comparison,
    compare_forms,
    compare_values,
    pair_features,
    probability,
    row_probability,
)
from app.core.confidence import ConfidenceCalibration, load_confidence
from app.core.explain import summarize
from app.core.features import FEATURE_NAMES, align
from app.core.index import CandidateIndex, Resolution, ResolveCandidate, judgement_key
from app.core.memory import RELEASE_MIN_NAMES, collector_paused, release
from app.core.normalize import normalize_name, try_normalize_name
from app.core.parallel import normalize_names, score_pairs
from app.core.score import Model, load_model
from app.core.types import Cluster, ClusterMember, NameForm, PairDecision, WeakestLink

__all__ = ["ClusterRun", "Matcher"]

# A best entity within this much probability of the runner-up is not "clearly ahead" of it:
# resolve answers "ambiguous" instead of picking one of two near-equal entities.
RESOLVE_MARGIN = 0.1

# Candidates scored with the full comparison per name: the index proposes more, and a cheap
# string similarity of their romanized forms and consonant keys picks these (the comparison
# costs ~80 µs; this keeps resolve near a millisecond per name at a million aliases). 6 was as
# accurate as 8 and 12 on the development clusters, and more accurate on the million-alias
# benchmark (the model alone overrates some wrong candidates that the pre-selection drops).
RESOLVE_SCORED = 6

# When no entity is a clear match, resolve lists its candidates by probability plus this many
# times their spelling closeness (``_prefilter``, 0-1), not by probability alone. The pair
# probability is calibrated on pairs taken one at a time, where two far-apart place or
# organisation names are often one entity (an exonym, an alias); among the candidates of one
# name, the model's low probabilities rank badly ("Utenos": "Antsohihy" 0.26 above "Utena"
# 0.23). A clear match keeps first place, so the decisions do not change. Chosen on
# development clusters 1000-2000 of each task (top-1 at 0, 0.5, 1, 1.5, 2, 3: Latin 0.673,
# 0.706, 0.719, 0.723, 0.724, 0.726; other scripts 0.762, 0.770, 0.773, 0.773, 0.772, 0.772);
# on clusters 0-1000 it lifts top-1 from 0.656 to 0.704 (Latin) and from 0.742 to 0.749.
RESOLVE_SPELLING_WEIGHT = 1.5

# Members of a cluster that are resolved to attach it to a registry entity (the most frequent
# ones): enough to outvote a stray spelling, bounded for clusters of thousands of names.
MAX_RESOLVED_MEMBERS = 20

# A bare one-token name ("Trump") joins a full-name cluster when its links to that cluster are at
# least even odds and no other full-name cluster is linked at even odds: uniqueness in the batch
# is the evidence a lone surname lacks, so the pair alone need not reach the match threshold.
BARE_NAME_PROBABILITY = 0.5

# Resolve takes a bare name at ``BARE_NAME_PROBABILITY`` only when it is one of the full name's
# words in another spelling (token similarity, ``features.align``): "Irani" of "Amir Saeid
# Iravani" (0.93), "Putin" of "Vladimir Putin". "Assad" resembles the given name of "Saad
# al-Hariri" (0.85) without being it; such a name needs the full threshold.
BARE_NAME_WORD_SIMILARITY = 0.9

# A member's confidence rests on its mean probability with the entity's other members
# (calibrated by ``app.core.confidence``), of which the first this many (in sorted-name order)
# are used: exact for entities up to this size, and for an entity of hundreds of spellings a
# fixed sample instead of a quadratic number of comparisons.
CONFIDENCE_PEERS = 24

# Members compared with an entity's weakest member to find what holds it in (explanations).
MAX_EXPLAINED_MEMBERS = 50


@dataclass(frozen=True, slots=True)
class ClusterRun:
    """The entities of a batch and what it took: distinct names, candidate pairs scored."""

    clusters: list[Cluster]
    names: int
    pairs_compared: int


def _prefilter(form: NameForm, joined: str, consonants: str, vowel_poor: bool) -> float:
    """Cheap closeness of a name to a candidate (0-100), to pick the candidates worth a full
    comparison: the similarity of their romanized letters or, where either is written in a
    script that leaves out vowels (``NameForm.vowel_poor``), the better of that and the
    similarity of their sorted consonant keys (comparable across scripts), the rule of the
    ``joined_consonant_similarity`` feature. Between two names that write their vowels the
    coarse key says little: "argand", "gandhi" and "garnett" share "knt", and taken here they
    crowded "argan" out of the candidates scored for "argand"."""
    spelling = fuzz.ratio(form.joined, joined)
    if not (form.vowel_poor or vowel_poor):
        return spelling
    return max(spelling, fuzz.ratio(form.consonant_signature, consonants))


class Matcher:
    """Normalize, compare and cluster names with one fitted model."""

    def __init__(
        self,
        model: Model | None = None,
        threshold: float | None = None,
        link_threshold: float | None = None,
        confidence: ConfidenceCalibration | None = None,
    ) -> None:
        """Args:
        model: the fitted model (default: the packaged one).
        threshold: probability at which ``compare`` calls a pair a match (default: the model's
            ``threshold``).
        link_threshold: mean probability two groups need to merge into one entity when
            clustering (default: the model's ``link_threshold``). The packaged model decides a
            pair at 0.7 and merges groups of Latin names at a mean of 0.5 (0.7 when a name of
            another script is involved, the model's ``cross_script_link_threshold``): average
            linkage weighs every cross pair of the two groups, so the mean can ask less than a
            single pair (swept on the development clusters, benchmarks/results/
            link_threshold.md and keyed_negatives.md).
        confidence: the calibration of a member's confidence from its match probabilities
            with the entity's other members (default: the packaged one, ``app.core.confidence``).
        """
        self.model = model or load_model()
        self.threshold = self.model.threshold if threshold is None else threshold
        self.link_threshold = (
            self.model.link_threshold if link_threshold is None else link_threshold
        )
        self.confidence = confidence or load_confidence()

    def normalize(self, raw: str) -> NameForm:
        """Normalize one raw name; raises ``EmptyNameError`` when nothing is left."""
        return normalize_name(raw)

    def compare_forms(self, a: NameForm, b: NameForm, explain: bool = False) -> Comparison:
        """Score two normalized names; ``explain`` adds each feature's contribution."""
        return compare_forms(a, b, self.model, explain)

    def compare(self, a: str, b: str, explain: bool = False) -> PairDecision:
        """Compare two raw names: calibrated probability, decision and (optionally) evidence.

        Raises:
            EmptyNameError: either name is empty after normalization.
        """
        fa, fb = normalize_name(a), normalize_name(b)
        result = compare_forms(fa, fb, self.model, explain)
        p = result.probability
        evidence = result.evidence() if explain else ()
        return PairDecision(
            a=a,
            b=b,
            probability=p,
            match=p >= self.threshold,
            evidence=evidence,
            summary=summarize(result, fa, fb, self.threshold) if explain else "",
        )

    def resolve(
        self,
        name: str,
        index: CandidateIndex,
        top_k: int = 3,
        explain: bool = False,
        accept: Callable[[str], bool] | None = None,
    ) -> Resolution:
        """Which entity of a registry snapshot a name denotes.

        Candidates come from the index (shared blocking keys); each is scored with the core
        comparison, an entity taking the probability of its best alias among those that clear
        their own threshold (``_pair_threshold``), else of its best alias; links rejected by a
        judgement are never proposed. The decision is ``matched`` when the best probability
        reaches ``threshold`` and leads the runner-up by more than ``RESOLVE_MARGIN``,
        ``ambiguous`` when it reaches the threshold but the runner-up is that close, and
        ``new`` otherwise. A matched entity is listed first; without a clear match, the
        candidates are listed by probability plus ``RESOLVE_SPELLING_WEIGHT`` times their
        spelling closeness, and the reason says so when that changes the first.

        Args:
            name: the raw name.
            index: the registry's candidate index.
            top_k: how many candidate entities to return.
            explain: add every feature's evidence to each candidate.
            accept: when given, only entities whose id it accepts are candidates (a kind or
                country filter); the decision is taken among those.
        """
        form = try_normalize_name(name)
        if form is None:
            return Resolution(name, "new", (), "the name has no letter or digit to match")
        key = judgement_key(name)
        pool = [
            c
            for c in index.candidates(form)
            if not index.is_rejected(key, c[0]) and (accept is None or accept(c[0]))
        ]
        # Each alias's spelling closeness (0-100): it picks the candidates worth a full
        # comparison and, without a clear match, orders them (``RESOLVE_SPELLING_WEIGHT``).
        near = [(c[0], c[1], _prefilter(form, *c[2:])) for c in pool]
        if len(near) > RESOLVE_SCORED:
            near = heapq.nlargest(RESOLVE_SCORED, near, key=lambda c: c[2])
        # Each entity is represented by its most probable alias among those that clear their
        # own threshold (``_pair_threshold``), else by its most probable alias: for a one-token
        # name, an entity's full name at even odds can carry it where its bare surname alias
        # stays just under the match threshold.
        best: dict[str, tuple[float, str, list[float]]] = {}
        rank: dict[str, tuple[bool, float]] = {}
        closeness: dict[str, float] = {}
        for entity_id, alias, spelling in near:
            if (other := index.form(alias)) is None:
                continue
            row = pair_features(form, other)
            p = row_probability(row, self.model)
            order = (p >= self._pair_threshold(form, other), p)
            if entity_id not in best or order > rank[entity_id]:
                best[entity_id] = (p, alias, row)
                rank[entity_id] = order
                closeness[entity_id] = spelling / 100
        # Most probable first; entities removed since the index snapshot are left out.
        ranked = [
            kv
            for kv in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
            if index.entity(kv[0]) is not None
        ]
        decision, reason = self._decision(form, ranked, index)
        listed = ranked
        if decision != "matched" and len(ranked) > 1:
            # No clear match: the candidates go by probability and spelling closeness together
            # (``RESOLVE_SPELLING_WEIGHT``).
            listed = sorted(
                ranked,
                key=lambda kv: (-(kv[1][0] + RESOLVE_SPELLING_WEIGHT * closeness[kv[0]]), kv[0]),
            )
            if listed[0][0] != ranked[0][0]:
                reason += (
                    f"; with no clear match, candidates are listed by probability plus "
                    f"{RESOLVE_SPELLING_WEIGHT:g} x spelling closeness"
                )
        candidates = tuple(
            c
            for entity_id, (_, alias, row) in listed[:top_k]
            if (c := self._candidate(form, entity_id, alias, index, explain, row)) is not None
        )
        return Resolution(name, decision, candidates, reason)

    def resolve_cluster(self, cluster: Cluster, index: CandidateIndex) -> Resolution:
        """Which registry entity a cluster denotes: its most frequent members are resolved and
        vote with their counts for the entity they match.

        ``matched`` when one entity gets a majority of the votes cast, ``ambiguous`` when votes
        split or members are only ambiguous, ``new`` when no member matches. The returned
        candidate is the winning entity seen from its most probable member.
        """
        members = cluster.members[:MAX_RESOLVED_MEMBERS]
        votes: dict[str, int] = {}
        best: dict[str, ResolveCandidate] = {}
        ambiguous = 0
        for member in members:
            result = self.resolve(member.name, index, top_k=1)
            if result.decision == "ambiguous":
                ambiguous += member.count
            if result.decision != "matched":
                continue
            top = result.candidates[0]
            votes[top.entity_id] = votes.get(top.entity_id, 0) + member.count
            if top.entity_id not in best or top.probability > best[top.entity_id].probability:
                best[top.entity_id] = top
        name = cluster.canonical
        if not votes:
            if ambiguous:
                return Resolution(name, "ambiguous", (), "its names match several entities")
            return Resolution(name, "new", (), "none of its names matches a known entity")
        winner = max(sorted(votes), key=lambda e: votes[e])
        cast = sum(votes.values()) + ambiguous
        top = best[winner]
        reason = (
            f"{votes[winner]} of {cast} occurrences with a decision resolve to "
            f"{top.canonical!r}; best alias {top.alias!r} at {top.probability:.3f}"
        )
        decision = "matched" if 2 * votes[winner] > cast else "ambiguous"
        return Resolution(name, decision, (top,), reason)

    def attach_cluster(self, cluster: Cluster, index: CandidateIndex) -> tuple[Cluster, Resolution]:
        """``cluster`` seen through the registry (``resolve_cluster``): when it is matched, it
        takes the registry entity's stable id and canonical name, and its canonical reason says
        so; otherwise it is returned unchanged. The service, the CLI and the Spark job all
        attach clusters with this one call."""
        resolution = self.resolve_cluster(cluster, index)
        if resolution.decision != "matched":
            return cluster, resolution
        top = resolution.candidates[0]
        attached = dataclasses.replace(
            cluster,
            entity_id=top.entity_id,
            canonical=top.canonical,
            canonical_reason=f"known entity of the registry: {resolution.reason}",
        )
        return attached, resolution

    def _candidate(
        self,
        form: NameForm,
        entity_id: str,
        alias: str,
        index: CandidateIndex,
        explain: bool,
        row: list[float] | None = None,
    ) -> ResolveCandidate | None:
        """The candidate with its summary; ``row`` holds the pair's features (``pair_features``)
        when they were already computed (the ranking pass), so that only the explained walk is
        added."""
        other, entity = index.form(alias), index.entity(entity_id)
        if other is None or entity is None:
            return None
        if row is None:
            result = compare_forms(form, other, self.model, explain=True)
        else:
            values = dict(zip(FEATURE_NAMES, row, strict=True))
            result = compare_values(values, self.model, explain=True)
        threshold = self._pair_threshold(form, other)
        return ResolveCandidate(
            entity_id=entity_id,
            canonical=entity[0],
            kind=entity[1],
            probability=result.probability,
            alias=alias,
            summary=summarize(result, form, other, threshold, entity[1]),
            evidence=result.evidence() if explain else (),
        )

    def _pair_threshold(self, form: NameForm, alias: NameForm) -> float:
        """The probability a name needs against an alias to be matched (and called "likely the
        same" in the summary). A one-token name ("Putin") against a full name needs only even
        odds, the same rule as clustering's: the pair's probability is held down by the missing
        given name, and the margin of ``_decision`` asks the name to be clearly ahead of every
        other entity, the uniqueness a lone surname needs. The name must be one of the full
        name's words in another spelling (``BARE_NAME_WORD_SIMILARITY``)."""
        if len(form.core_tokens) == 1 and len(alias.core_tokens) > 1 and _is_a_word_of(form, alias):
            return min(self.threshold, BARE_NAME_PROBABILITY)
        return self.threshold

    def _decision(
        self,
        form: NameForm,
        ranked: list[tuple[str, tuple[float, str, list[float]]]],
        index: CandidateIndex,
    ) -> tuple[str, str]:
        # ``ranked``: the candidate entities, most probable first, each with (probability,
        # alias, features); the threshold is ``_pair_threshold`` of the name and the best alias.
        if not ranked:
            return "new", "no entity of the registry shares a key with the name"
        top_id, (probability, alias, _) = ranked[0]
        canonical = _canonical(index, top_id)
        top_alias = index.form(alias)
        threshold = self._pair_threshold(form, top_alias) if top_alias else self.threshold
        if probability < threshold:
            return "new", (
                f"no entity reaches the threshold {threshold:g} "
                f"(best: {canonical!r} at {probability:.3f})"
            )
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if probability - runner_up <= RESOLVE_MARGIN:
            return "ambiguous", (
                f"{canonical!r} ({probability:.3f}) and {_canonical(index, ranked[1][0])!r} "
                f"({runner_up:.3f}) "
                f"are within {RESOLVE_MARGIN:g} of each other"
            )
        lead = (
            f"leads the runner-up ({runner_up:.3f}) by more than {RESOLVE_MARGIN:g}"
            if len(ranked) > 1
            else "is the only candidate"
        )
        reached = (
            f"the threshold {self.threshold:g}"
            if probability >= self.threshold
            else f"{threshold:g}, the threshold of a one-token name against a full name,"
        )
        return "matched", (
            f"{canonical!r} via alias {alias!r} at {probability:.3f} reaches {reached} and {lead}"
        )

    def cluster(
        self, names: Iterable[tuple[str, int]], explain: bool = False, workers: int = 1
    ) -> list[Cluster]:
        """Group names (with counts) into entities; every distinct name lands in one entity.

        Names that are empty after normalization become entities of their own. ``explain``
        adds each entity's weakest link (see ``weakest_link``). ``workers`` > 1 scores the
        candidate pairs of a large batch on that many processes (same answer).
        """
        return self.cluster_run(names, explain, workers).clusters

    def cluster_run(
        self,
        names: Iterable[tuple[str, int]],
        explain: bool = False,
        workers: int = 1,
        progress: Callable[[str, int], None] | None = None,
    ) -> ClusterRun:
        """``cluster`` with the figures of the run (distinct names, candidate pairs scored).

        The steps: normalize each distinct name; block (``cluster_keys``, ``candidate_pairs``:
        no all-pairs comparison); score the candidate pairs (``score_pairs``); split the names
        into the connected components of the edges a merge can follow
        (``mergeable_components``); cluster each component by average linkage
        (``cluster_graph``). ``progress(step, amount)`` is called as steps advance.
        The cyclic garbage collector is paused meanwhile (``memory.collector_paused``).
        """
        with collector_paused():
            return self._cluster_run(names, explain, workers, progress)

    def _cluster_run(
        self,
        names: Iterable[tuple[str, int]],
        explain: bool,
        workers: int,
        progress: Callable[[str, int], None] | None,
    ) -> ClusterRun:
        note = progress or (lambda _step, _amount: None)
        counts: dict[str, int] = {}
        for name, count in names:
            counts[name] = counts.get(name, 0) + max(int(count), 1)
        ordered = sorted(counts)
        forms = normalize_names(ordered, workers, lambda count: note("normalized", count))
        good = [i for i, f in enumerate(forms) if f is not None]
        gforms = [f for f in forms if f is not None]
        single = [len(f.core_tokens) == 1 for f in gforms]
        large = len(gforms) >= RELEASE_MIN_NAMES
        if large:
            release()  # normalization's caches, before blocking's peak (app.core.memory)
        pairs = form_candidate_pairs(gforms)
        note("blocked", len(pairs))
        if large:
            release()  # blocking's freed heap
        probabilities = score_pairs(gforms, pairs, self.model, workers)
        note("scored", len(pairs))
        components = mergeable_components(
            len(gforms),
            pairs,
            probabilities,
            single,
            self.link_threshold,
            BARE_NAME_PROBABILITY,
        )
        out: list[Cluster] = []
        placed = [False] * len(ordered)
        compared = len(pairs)
        # Each component's own edges, as one slice of the pairs sorted by component; the full
        # arrays are dropped as soon as the slices are cut (they dominate memory at 1M names).
        owner = np.full(len(gforms), -1, dtype=np.int64)
        for c, comp in enumerate(components):
            owner[comp] = c
        inside = owner[pairs[:, 0]]
        kept = np.flatnonzero((inside >= 0) & (inside == owner[pairs[:, 1]]))
        kept = kept[np.argsort(inside[kept], kind="stable")]
        # Item numbers fit 32 bits (a batch of 2^31 names would not fit in memory anyway).
        comp_pairs, comp_probs = pairs[kept].astype(np.int32), probabilities[kept]
        bounds = np.searchsorted(inside[kept], np.arange(len(components) + 1))
        del pairs, probabilities, inside, kept, owner
        for c, comp in enumerate(components):
            lo, hi = int(bounds[c]), int(bounds[c + 1])
            # The component's items are numbered by their rank in it (it is sorted); the graph
            # keeps its own arrays of the edges, so no name holds these beyond the call.
            graph = self._scored_graph(
                [gforms[g] for g in comp],
                (np.searchsorted(np.asarray(comp), comp_pairs[lo:hi]), comp_probs[lo:hi]),
            )
            lookup = {good[g]: k for k, g in enumerate(comp)}
            for grp in cluster_graph(graph):
                members = [good[comp[k]] for k in grp]
                out.append(self._entity(members, ordered, counts, forms, graph, lookup))
                for i in members:
                    placed[i] = True
            note("clustered", len(comp))
        for i in range(len(ordered)):
            if not placed[i]:
                out.append(self._entity([i], ordered, counts, forms, None, {}))
        if explain:
            out = [dataclasses.replace(c, weakest_link=self.weakest_link(c)) for c in out]
        out.sort(key=lambda c: (-sum(m.count for m in c.members), c.canonical))
        return ClusterRun(out, len(ordered), compared)

    def weakest_link(self, cluster: Cluster) -> WeakestLink | None:
        """The least certain membership of an entity, explained: its least confident member,
        the member it is most probably the same as, and that pair's sentence.

        ``None`` for an entity of one name (or of names without letters).
        """
        if len(cluster.members) < 2:
            return None
        weakest = min(cluster.members, key=lambda m: (m.confidence, m.name))
        form = try_normalize_name(weakest.name)
        if form is None:
            return None
        best: tuple[float, str, NameForm] | None = None
        for member in cluster.members[:MAX_EXPLAINED_MEMBERS]:
            other = try_normalize_name(member.name) if member.name != weakest.name else None
            if other is None:
                continue
            p = probability(form, other, self.model)
            if best is None or p > best[0]:
                best = (p, member.name, other)
        if best is None:
            return None
        result = compare_forms(form, best[2], self.model, explain=True)
        # A lone name beside a full one is judged at even odds, as when clustering and resolve
        # took it in (``_pair_threshold``), whichever of the two is the weakest member.
        threshold = min(self._pair_threshold(form, best[2]), self._pair_threshold(best[2], form))
        summary = summarize(result, form, best[2], threshold)
        return WeakestLink(weakest.name, best[1], result.probability, summary)

    @property
    def min_merge_probability(self) -> float:
        """The lowest probability of a candidate edge along which ``cluster`` can merge two
        names (full names merge at ``link_threshold``, a bare name joins at
        ``BARE_NAME_PROBABILITY``). Every entity lies inside one connected component of the
        candidate edges at or above it, so a distributed engine may cluster the components one
        by one (``cluster_scored``)."""
        return min(self.link_threshold, BARE_NAME_PROBABILITY)

    def cluster_scored(
        self, names: Iterable[tuple[str, int]], edges: Mapping[tuple[str, str], float]
    ) -> list[Cluster]:
        """``cluster`` for names whose candidate pairs were found and scored elsewhere.

        The distributed engine (``app.batch.spark``) finds the candidate pairs of the whole
        input with the same blocking rule as ``cluster`` (``cluster_keys`` and the rarity rule
        of ``candidate_pairs``), scores them with the same comparison, splits the names into
        connected components of the edges at or above ``min_merge_probability`` and calls this
        once per component. Average linkage merges only along such edges and judges a merge on
        the two clusters' own members, so each component is clustered exactly as ``cluster``
        clusters it inside the whole input, provided ``edges`` holds every candidate pair of the
        component (also the weak ones: they are the known pairs that cohesion sums first).
        ``tests/core/test_cluster_scored.py`` checks the equivalence against ``cluster``.

        Args:
            names: (name, count) of the component's names; counts of a repeated name add up.
            edges: the probability of each candidate pair, keyed by its two names in either
                order (each pair once). Pairs with a name that is empty after normalization
                are ignored.

        Raises:
            KeyError: an edge names a name that is not in ``names``.
        """
        counts: dict[str, int] = {}
        for name, count in names:
            counts[name] = counts.get(name, 0) + max(int(count), 1)
        ordered = sorted(counts)
        forms = [try_normalize_name(n) for n in ordered]
        good = [i for i, f in enumerate(forms) if f is not None]
        local = {g: k for k, g in enumerate(good)}
        position = {ordered[g]: k for k, g in enumerate(good)}
        # Straight into arrays (ClusterGraph's own layout): the component a distributed engine
        # hands over can hold tens of millions of edges, too many for a dict of tuples.
        pairs = np.empty((len(edges), 2), dtype=np.int64)
        probs = np.empty(len(edges), dtype=np.float64)
        kept = 0
        for (a, b), p in edges.items():
            unknown = [n for n in (a, b) if n not in counts]
            if unknown:
                raise KeyError(unknown[0])
            if a in position and b in position:
                pairs[kept] = position[a], position[b]
                probs[kept] = p
                kept += 1
        graph = self._scored_graph(
            [f for f in forms if f is not None], (pairs[:kept], probs[:kept])
        )
        del pairs, probs
        groups = [[good[k] for k in grp] for grp in cluster_graph(graph)]
        groups += [[i] for i, f in enumerate(forms) if f is None]
        out = [self._entity(grp, ordered, counts, forms, graph, local) for grp in groups]
        return sorted(out, key=lambda c: (-sum(m.count for m in c.members), c.canonical))

    def _scored_graph(
        self, forms: list[NameForm], edges: Mapping[tuple[int, int], float] | Edges
    ) -> ClusterGraph:
        def score(i: int, j: int) -> float:
            return probability(forms[i], forms[j], self.model)

        single = [len(f.core_tokens) == 1 for f in forms]
        return ClusterGraph(
            len(forms),
            edges,
            score,
            single,
            self.link_threshold,
            BARE_NAME_PROBABILITY,
            latin=[f.is_latin for f in forms],
            strict_threshold=max(self.link_threshold, self.model.cross_script_link_threshold),
        )

    def _entity(
        self,
        group: list[int],
        ordered: list[str],
        counts: dict[str, int],
        forms: list[NameForm | None],
        graph: ClusterGraph | None,
        local: dict[int, int],
    ) -> Cluster:
        members = []
        # Scripts of the members with a form: all of them in a group with a graph (it holds
        # only those), which is where they are used.
        latin = [f.is_latin for i in group if (f := forms[i]) is not None]
        latin_share = sum(latin) / len(group)
        for k, i in enumerate(group):
            if len(group) == 1 or graph is None:
                conf = 1.0
            else:
                li = local[i]
                peers = [j for j in group[: CONFIDENCE_PEERS + 1] if j != i][:CONFIDENCE_PEERS]
                others = [graph.probability(li, local[j]) for j in peers]
                conf = self.confidence(others, len(group), latin[k], latin_share)
            members.append(ClusterMember(ordered[i], counts[ordered[i]], round(conf, 6)))
        members.sort(key=lambda m: (-m.count, m.name))
        cohesion = sum(m.confidence for m in members) / len(members) if len(group) > 1 else 1.0
        valid = [(ordered[i], counts[ordered[i]], f) for i in group if (f := forms[i]) is not None]
        if valid:
            canonical, reason = choose_canonical(valid)
        else:
            canonical, reason = ordered[group[0]], "no matchable characters"
        digest = hashlib.blake2b(
            "\x1f".join(sorted(m.name for m in members)).encode("utf-8"), digest_size=6
        ).hexdigest()
        return Cluster(
            entity_id=f"ent_{digest}",
            canonical=canonical,
            canonical_reason=reason,
            confidence=round(cohesion, 6),
            members=tuple(members),
        )


def _canonical(index: CandidateIndex, entity_id: str) -> str:
    """The canonical name of an indexed entity (its id when it has just been removed)."""
    entity = index.entity(entity_id)
    return entity[0] if entity is not None else entity_id


def _is_a_word_of(bare: NameForm, full: NameForm) -> bool:
    """The one-word name ``bare`` is one of ``full``'s words, perhaps spelled otherwise."""
    return any(p.similarity >= BARE_NAME_WORD_SIMILARITY for p in align(bare, full).pairs)
