"""Labelled pairs from the development clusters (../shared/data), built the way the shared
evaluator builds its compare task: positives inside a cluster, hard negatives from the most
trigram-similar name of another cluster, plus the curated negatives file."""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from app.core.index import CandidateIndex
from app.core.normalize import try_normalize_name
from app.core.scripts import char_script
from app.core.types import NameForm

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TASK_FILES = (
    "dev_persons_orgs_ofac.jsonl",
    "dev_places_cities.jsonl",
    "dev_persons_nameparts_ru.jsonl",
    "dev_persons_crossscript.jsonl",
    "dev_places_countries.jsonl",
)


def is_latin(name: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in name)


def load_clusters(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_names(clusters: list[dict], latin: bool | None) -> dict[str, str]:
    owner: dict[str, str] = {}
    clash: set[str] = set()
    for c in clusters:
        for v in sorted(set(c["variants"])):
            v = v.strip()
            if not v or (latin is True and not is_latin(v)) or (latin is False and is_latin(v)):
                continue
            if v in owner and owner[v] != c["id"]:
                clash.add(v)
            owner[v] = c["id"]
    for v in clash:
        del owner[v]
    return owner


def _trigrams(s: str) -> set[str]:
    s = f"  {s.casefold()} "
    return {s[i : i + 3] for i in range(len(s) - 2)}


def labelled_pairs(gold: dict[str, str], rng: random.Random, per_cluster: int = 3):
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for name, cid in gold.items():
        by_cluster[cid].append(name)
    pairs = []
    for cid in sorted(by_cluster):
        names = sorted(by_cluster[cid])
        if len(names) < 2:
            continue
        seen = set()
        for _ in range(per_cluster):
            a, b = rng.sample(names, 2)
            if (a, b) in seen or (b, a) in seen:
                continue
            seen.add((a, b))
            pairs.append((a, b, 1))
    return pairs + hard_negatives(gold, rng, len(pairs))


def hard_negatives(gold: dict[str, str], rng: random.Random, n_pos: int, key=None):
    """For random names, the most trigram-similar name of another cluster (on ``key(name)``)."""
    pairs = []
    names = sorted(gold)
    index: dict[str, list[int]] = defaultdict(list)
    grams = [_trigrams(key(n) if key else n) for n in names]
    for i, g in enumerate(grams):
        for t in g:
            index[t].append(i)
    order = list(range(len(names)))
    rng.shuffle(order)
    made = 0
    for i in order:
        if made >= n_pos:
            break
        counts: Counter[int] = Counter()
        # Sorted: ``most_common`` breaks ties by insertion order, so iterating the set would
        # make the pairs (and the fitted model) depend on the interpreter's hash seed.
        for t in sorted(grams[i]):
            if len(index[t]) <= 2000:
                counts.update(index[t])
        best, best_sim = None, 0.0
        for j, shared in counts.most_common(60):
            if gold[names[j]] == gold[names[i]]:
                continue
            sim = shared / len(grams[i] | grams[j])
            if sim > best_sim:
                best, best_sim = j, sim
        if best is not None and best_sim >= 0.3:
            pairs.append((names[i], names[best], 0))
            made += 1
    return pairs


def curated_negatives() -> list[tuple[str, str, int]]:
    path = DATA / "dev_negatives.jsonl"
    return [(d["a"], d["b"], 0) for d in load_clusters(path)]


def name_bench_pairs() -> list[tuple[str, str, int]]:
    """OpenSanctions' labelled name pairs (data/external/name_bench_cases.csv, MIT)."""
    import csv

    path = DATA / "external" / "name_bench_cases.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            (r["name1"], r["name2"], int(r["is_match"].strip().lower() == "true"))
            for r in csv.DictReader(fh)
        ]


def initial_pairs(clusters: list[dict], rng: random.Random) -> list[tuple[str, str, int]]:
    """Derived pairs for initials: "Ali Khamenei" ~ "A. Khamenei" (same initial, positive) and
    "Ali Khamenei" ~ "M. Khamenei" (another initial, negative), from multi-word person names;
    and "A. Khamenei" ~ a one-word name of another person with that initial ("Ahmad",
    "Azimi": negative). An initial is one letter of evidence; without these pairs the trees
    only ever saw it beside a matching surname, and "J. Smith" / "John" scored 0.85."""
    pairs = []
    # One-word names (a given name or a surname) of each person, by first letter; drawn with
    # their own generator, so that the pairs above stay as they were.
    words_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in clusters:
        if c.get("kind") != "person":
            continue
        for v in c["variants"]:
            if is_latin(v) and "," not in v:
                for word in {w for w in v.split() if len(w) >= 3 and w[0].isalpha()}:
                    words_of[word[0].upper()].append((word, c["id"]))
    for letter in words_of:
        words_of[letter].sort()
    lone_rng = random.Random(f"initials:{len(clusters)}")
    for c in clusters:
        if c.get("kind") != "person":
            continue
        for v in c["variants"]:
            if not is_latin(v) or "," in v:
                continue
            words = v.split()
            if len(words) < 2 or len(words[0]) < 3 or not words[0][0].isalpha():
                continue
            initial = words[0][0].upper()
            other = rng.choice([ch for ch in "ABDEGHJKLMNRST" if ch != initial])
            rest = " ".join(words[1:])
            pairs.append((v, f"{initial}. {rest}", 1))
            pairs.append((v, f"{other}. {rest}", 0))
            lone = [w for w, cid in words_of[initial] if cid != c["id"]]
            if lone:
                pairs.append((f"{initial}. {rest}", lone_rng.choice(lone), 0))
            break
    return pairs


def random_negatives(
    gold: dict[str, str], rng: random.Random, n: int, group=None
) -> list[tuple[str, str, int]]:
    """Pairs of names drawn at random from two different clusters: the easy negatives that
    the evaluator's task leaves out but every real batch is full of. With ``group`` (a
    function of the cluster id), only pairs whose clusters fall in two different groups."""
    names = sorted(gold)
    pairs = []
    while len(pairs) < n and len(names) > 1:
        a, b = rng.sample(names, 2)
        if (group(gold[a]) != group(gold[b])) if group else gold[a] != gold[b]:
            pairs.append((a, b, 0))
    return pairs


def name_scripts(name: str) -> frozenset[str]:
    """The scripts of a name's letters (app.core.scripts.char_script), e.g. {"Latin"}."""
    return frozenset(char_script(ch) for ch in name if ch.isalpha())


def cross_script_negatives(
    gold: dict[str, str], rng: random.Random, n: int
) -> list[tuple[str, str, int]]:
    """Pairs of names of two different clusters written in different scripts, drawn at random.
    The evaluator's hard negatives are nearest by trigrams of the written names, so they are
    almost never across scripts, and nearly every cross-script pair of a task is a positive; a
    real batch is full of unrelated cross-script pairs ("Beijing" and a Korean "Sri Lanka")."""
    names = sorted(gold)
    scripts = {name: name_scripts(name) for name in names}
    pairs: list[tuple[str, str, int]] = []
    if len(names) < 2:
        return pairs
    for _ in range(n * 50):
        if len(pairs) >= n:
            break
        a, b = rng.sample(names, 2)
        if gold[a] != gold[b] and scripts[a] != scripts[b]:
            pairs.append((a, b, 0))
    return pairs


def keyed_negatives(
    gold: dict[str, str], rng: random.Random, n: int, key_of
) -> list[tuple[str, str, int]]:
    """Pairs of names of two different clusters that share a blocking key (``key_of(name)``
    gives a name's keys): the unrelated pairs that clustering actually scores, such as a bare
    "Mali" and "Wentworth Miller" (one consonant key) or a one-word name and a long company
    name sharing a word. Pairs are drawn evenly over the names, then over their keys."""
    names = sorted(gold)
    keys = {name: sorted(key_of(name)) for name in names}
    members: dict[str, list[str]] = defaultdict(list)
    for name in names:
        for k in keys[name]:
            members[k].append(name)
    pairs: set[tuple[str, str]] = set()
    for _ in range(n * 20):
        if len(pairs) >= n:
            break
        a = rng.choice(names)
        if not keys[a]:
            continue
        group = members[rng.choice(keys[a])]
        b = rng.choice(group)
        if gold[a] != gold[b]:
            pairs.add((a, b) if a < b else (b, a))
    return [(a, b, 0) for a, b in sorted(pairs)]


def resolve_negatives(clusters: list[dict], per_variant: int) -> list[tuple[str, str, int]]:
    """Pairs of a variant and a wrong candidate that resolve scores for it: a registry of one
    canonical name per cluster (its canonical, else its first variant, as
    benchmarks/resolve_accuracy.py builds it) is indexed, and each variant is paired with the
    first ``per_variant`` canonicals of other clusters that the index retrieves for it (best
    first). Retrieval ranks by shared keys, so these are the look-alikes resolve must rank
    below the right entity: "Keratsíni" for "Giresunas" (skeletons 0.89 alike), where the
    evaluator-like hard negatives, nearest by written trigrams, are spelled alike.

    Only candidates in the variant's own script are kept (of those first ``per_variant``):
    with the cross-script ones too, the fit learned that a Latin name and its Arabic spelling
    are rarely one ("Muammar Gaddafi" / "معمر القذافي" fell from 0.85 to 0.61)."""
    index = CandidateIndex()
    for n, c in enumerate(clusters):
        variants = [str(v) for v in c["variants"]]
        canonical = str(c.get("canonical") or variants[0])
        index.set_entity(f"c{n}", canonical, str(c.get("kind", "other")))
        index.add_alias(n + 1, f"c{n}", canonical)
    pairs: list[tuple[str, str, int]] = []
    for n, c in enumerate(clusters):
        own = {str(v) for v in c["variants"]}
        for variant in sorted(own):
            form = try_normalize_name(variant)
            if form is None:
                continue
            wrong = [
                alias
                for entity, alias, *_ in index.candidates(form)
                if entity != f"c{n}" and alias not in own
            ]
            pairs += [
                (variant, alias, 0)
                for alias in wrong[:per_variant]
                if (other := try_normalize_name(alias)) is not None and _same_script(form, other)
            ]
    return pairs


def _same_script(a: NameForm, b: NameForm) -> bool:
    """Both names Latin, or both in the same other scripts: the pairs the compare features
    mark as neither ``cross_script`` nor ``non_latin_pair``."""
    return a.is_latin == b.is_latin and (a.is_latin or set(a.scripts) == set(b.scripts))
