"""Blocking: cheap keys that put likely matches in the same block, so that clustering never
compares all pairs. A name gets several keys, so one spelling difference does not hide a match.

Two tiers of keys:

* **token keys** (lower-case prefixes), one set per core token: its variant skeleton, its
  consonant key, a folded prefix and its Metaphone, and for clustering its letters without
  vowels and the skeleton and prefix of the word without a leading "h" or a Baltic ending.
  They let a bare surname meet a full name and a name meet another that shares only one
  token, but a common token makes a block that grows with the input, so they are capped at
  ``TOKEN_BLOCK_SIZE`` names.
* **name keys** (upper-case prefixes), one per name or per pair of its tokens: the sorted
  skeletons of each two core tokens, the initial of one token with the skeleton of another, the
  sorted consonant key of the whole name, its letters without spaces and their skeleton (so
  a word split in two, "Fzhe-Kgro", meets its joined spelling "Fazhekgro"), and its acronym
  keys. Two spellings of a full name share several of them, and they stay selective as the
  input grows; they are capped at ``NAME_BLOCK_SIZE`` names.

Two rules keep blocks to the pairs their key is for: consonant-key and vowel-less blocks pair
only where a name in a vowel-poor script is involved (``needs_vowel_poor``), and initial-key
blocks pair an initial with full names, but two full names only when their words agree in the
second letter too (``split_key``). At 100,000 generated names they cut the candidate pairs by
35% (1.62 to 1.05 million) at the same pairwise F1 (0.716), and the development evaluation did
not move.

The rarity rule: a block within its cap is paired exhaustively. A larger block (a common given
name, a frequent designator) is not dropped outright but paired as a *sorted neighbourhood*:
its members sorted, for a token key, by the spelling of the token that gives it, then by their
letters (tokens in alphabetical order, so "Last, First" sorts with "First Last"), each paired
with the next ``WINDOW`` members. Its cost grows linearly with the block, so no key can make the
pair count quadratic, yet two near-identical spellings that only share a common key still meet,
and a bare name meets the full names that spell its word alike ("Krakau" and "Gorad Krakau",
which the letters of the whole names put far apart in a block of 425 names). Pairs found in
several blocks are scored once.

The registry's candidate index (``app.core.index``) retrieves by ``retrieval_keys``: these
``blocking_keys`` plus, for one-token names, the deletion neighbourhood of the skeleton, with
its own cap.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

from app.core.acronym import acronym_keys
from app.core.phonetic import metaphone, skeleton
from app.core.types import NameForm

__all__ = [
    "NAME_BLOCK_SIZE",
    "TOKEN_BLOCK_SIZE",
    "VOWEL_POOR_PREFIXES",
    "WINDOW",
    "block_limit",
    "blocking_keys",
    "candidate_pairs",
    "cluster_keys",
    "form_candidate_pairs",
    "is_token_key",
    "needs_vowel_poor",
    "neighbourhood_key",
    "ordered_cluster_keys",
    "retrieval_keys",
    "split_key",
]

# Caps of exhaustively paired blocks (see the module docstring). At these sizes the pairs per
# name stay between 5 and 14 on the generated scale benchmark (10k to 1M names); at 100k names
# blocking proposes 0.83 of the gold pairs that an all-pairs run of the matcher scores as
# matches and 0.75 of all its matches (most of the rest are unrelated pairs the model
# over-scores), 0.99 of the pairs rapidfuzz's token_sort_ratio or ratio scores 90 or more, and
# 0.99 of the gold pairs its WRatio scores 90 or more (benchmarks/cluster_scale.py).
TOKEN_BLOCK_SIZE = 40
NAME_BLOCK_SIZE = 60
# Shortest skeleton of a one-token name that gets deletion keys (``retrieval_keys``); shorter
# ones would make keys of one or two symbols, which a large share of names hold.
MIN_DELETION_SKELETON = 4
# Neighbours each member of an oversized block is paired with.
WINDOW = 3
# Raw candidate pairs gathered before each deduplication round (see ``candidate_pairs``).
_DEDUP_ROUND = 4_000_000
# Token pairs of a long name (company names) that get a pair key: its first core tokens.
_PAIR_TOKENS = 6
# Prefixes of the keys whose blocks pair only where a name in a vowel-poor script is involved
# (``needs_vowel_poor``; the Spark engine filters by the same tuple).
VOWEL_POOR_PREFIXES = ("c:", "Q:", "v:")
_VOWELS = "aeiouy"
_NO_VOWELS = str.maketrans("", "", _VOWELS)
_ENDINGS = frozenset({"as", "is", "ys", "us"})


def blocking_keys(form: NameForm) -> frozenset[str]:
    """Token keys and whole-name keys of one name (the registry index's retrieval keys): per
    core token its skeleton, consonant key, folded prefix and Metaphone; for the whole name its
    sorted consonant key, its letters without spaces and its acronym keys (the acronym itself,
    or the initials of its words)."""
    return frozenset(_token_keys(form)) | _name_keys(form)


def _token_keys(form: NameForm) -> dict[str, str]:
    """The token keys of a name, each with the romanized spelling of the token that gives it
    (the first in alphabetical order when two do): its order in an oversized block."""
    keys: dict[str, str] = {}
    for t in form.core_tokens:
        spelling = t.latin
        if spelling.isdigit():
            continue
        own = ["s:" + t.skeleton]
        if t.alt_skeleton:
            own.append("s:" + t.alt_skeleton)
        if len(t.consonants) >= 2:
            own.append("c:" + t.consonants)
        if len(spelling) >= 4:
            own.append("p:" + spelling[:4])
            own.append("m:" + metaphone(spelling))
        for key in own:
            _keep_first(keys, key, spelling)
    return keys


def _keep_first(keys: dict[str, str], key: str, spelling: str) -> None:
    """Give ``key`` the spelling that comes first alphabetically, when two tokens give it."""
    if key not in keys or spelling < keys[key]:
        keys[key] = spelling


def _name_keys(form: NameForm) -> frozenset[str]:
    core = form.core_tokens
    keys = {
        "C:" + "".join(sorted(t.consonants for t in core)),
        "J:" + "".join(t.latin for t in form.tokens),
    }
    return frozenset(keys) | acronym_keys(form)


def retrieval_keys(form: NameForm) -> frozenset[str]:
    """The registry index's retrieval keys: ``blocking_keys`` plus, for a one-token name, the
    deletion neighbourhood of its skeleton (``_deletion_keys``).

    A one-token name ("Gargždai", "Bujumbura") has all its keys from that one token, so one
    transliteration difference the skeleton does not fold ("Gardždai", "Buzumbura") can
    change every one of them; a longer name keeps the keys of its other tokens. Clustering does
    not block on these keys: there every key pairs all the names of its block, and at 100,000
    names they added 8.5% pairs and lost pairwise precision (0.803 to 0.785), whereas retrieval
    only ranks aliases by their shared keys and scores the best few."""
    keys = blocking_keys(form)
    core = form.core_tokens
    if len(core) == 1 and not core[0].latin.isdigit():
        # A token with a second reading ("beneš") gets the neighbourhood of both (none of "").
        return keys | _deletion_keys(core[0].skeleton) | _deletion_keys(core[0].alt_skeleton)
    return keys


def _deletion_keys(skeleton: str) -> frozenset[str]:
    """The skeleton and the skeleton with one symbol deleted, each way ("d:"): two one-token
    names whose skeletons differ by one symbol, substituted, inserted or dropped, share one of
    them (the deletion neighbourhood of SymSpell, Garbe 2012, at edit distance one)."""
    if len(skeleton) < MIN_DELETION_SKELETON:
        return frozenset()
    keys = {"d:" + skeleton[:i] + skeleton[i + 1 :] for i in range(len(skeleton))}
    keys.add("d:" + skeleton)
    return frozenset(keys)


def cluster_keys(form: NameForm) -> frozenset[str]:
    """``blocking_keys`` plus the token-pair keys clustering blocks on: for each two of the
    first core tokens their sorted skeletons ("P:"), their sorted consonant keys ("Q:", for
    vowel-less scripts), and the initial of each with the skeleton of the other ("I:", so "M.
    Ravanchi" meets "Majid Ravanchi"); and the skeleton of the whole name's letters ("K:"), so
    that a word split in two ("Dedres Fzhe-Kgro") meets its joined spelling ("Dedres
    Fazhekgro"), as the letters-without-spaces key ("J:") cannot once the spelling drifts too.
    At 100,000 names this key added 3% of pairs and lifted blocking recall of the pairs that
    rapidfuzz's token_sort_ratio scores 90 or more from 0.988 to 0.992
    (benchmarks/cluster_scale.py)."""
    return frozenset(ordered_cluster_keys(form))


def ordered_cluster_keys(form: NameForm) -> dict[str, str]:
    """``cluster_keys``, each with the order of the name inside an oversized block of it
    (``candidate_pairs``): the spelling of its token for a token key, "" for a name key."""
    keys = dict.fromkeys(_name_keys(form), "")
    core = [t for t in form.core_tokens if t.latin][:_PAIR_TOKENS]
    for a, b in combinations(core, 2):
        keys["P:" + "|".join(sorted((a.skeleton, b.skeleton)))] = ""
        if a.consonants and b.consonants:
            keys["Q:" + "|".join(sorted((a.consonants, b.consonants)))] = ""
        if not a.latin.isdigit() and not b.latin.isdigit():
            # The second letter rides along as the key's tag (``split_key``).
            keys[f"I:{a.latin[0]}|{b.skeleton}|{a.latin[1:2]}"] = ""
            keys[f"I:{b.latin[0]}|{a.skeleton}|{b.latin[1:2]}"] = ""
    keys["K:" + skeleton(form.joined)] = ""
    keys.update(_token_keys(form))
    for t in form.core_tokens:
        # A word's letters without its vowels ("v:"), for names in scripts that write few: the
        # Arabic "عرائش" ("raish") leaves out the first vowel of "Araish", so their skeletons
        # differ, and the consonant key they share ("c:ls") is held by 1,221 of 100,000
        # generated names; "v:rsh" pairs them. At 100,000 names it adds 2.2% of pairs and
        # lifts blocking recall of the gold matches that WRatio scores 90 or more from 0.978
        # to 0.983, at the same pairwise F1 (benchmarks/cluster_scale.py).
        written = t.latin.translate(_NO_VOWELS)
        if len(written) >= 2 and not written.isdigit():
            _keep_first(keys, "v:" + written, t.latin)
        # A word without a leading "h" or a Baltic ending (``_word_variants``).
        for variant in _word_variants(t.latin):
            _keep_first(keys, "s:" + skeleton(variant), variant)
            if len(variant) >= 4:
                _keep_first(keys, "p:" + variant[:4], variant)
    return keys


def _word_variants(word: str) -> tuple[str, ...]:
    """Spellings of a word that blocking also keys it by (its skeleton and prefix under the
    variant, ordered by the variant's spelling): without a leading "h" before a vowel, which
    French, Spanish and Russian leave unwritten ("Herstal", Russian "Ерстал"; "Hélène",
    "Элен"), and without a nominative ending that Baltic languages add to a foreign name
    ("Dėras" for Győr, "Herstalis"). Words that differ so share no other token key: the
    skeleton keeps the first letter and the ending. At 100,000 generated names they add 0.9%
    of pairs and lift blocking recall of the gold matches that WRatio scores 90 or more from
    0.983 to 0.992 (benchmarks/cluster_scale.py)."""
    out: list[str] = []
    if len(word) >= 4 and word[0] == "h" and word[1] in _VOWELS:
        out.append(word[1:])
    if len(word) >= 5 and word[-2:] in _ENDINGS and word[-3] not in _VOWELS:
        out.append(word[:-2])
    return tuple(out)


def split_key(key: str) -> tuple[str, str | None]:
    """A key's block (what ``candidate_pairs`` groups by) and its tag, None for an untagged key.

    Only the initial keys ("I:") are tagged, with the second letter of the word whose initial
    they hold ("" for an initial itself): "I:j|SMT|o" from "John Smith", "I:j|SMT|" from "J.
    Smith", both in block "I:j|SMT". The key exists for an initial to meet the full names it
    may abbreviate; two full names pair in it only when their words also agree in the second
    letter ("John"/"Jon" but not "John"/"Jane"): an initial pairs with every member, other
    members only with those of the same tag. Untagged, at 100,000 generated names
    (benchmarks/cluster_scale.py), these blocks proposed 655,000 of the 1,618,000 candidate
    pairs, 381,000 of them between names without an initial and through no other key, and 98%
    of those were no match; with the tag, the pairwise F1 of the clustering stays 0.716.
    """
    if key.startswith("I:"):
        block, _, tag = key.rpartition("|")
        return block, tag
    return key, None


def needs_vowel_poor(key: str) -> bool:
    """Whether a block of ``key`` pairs only names of which one is in a vowel-poor script: the
    consonant keys of a word ("c:") and of two words ("Q:") and a word's letters without vowels
    ("v:") are there for scripts that leave out vowels (``VOWEL_POOR_PREFIXES``). Between names
    that write their vowels, the skeleton keys find the same spellings, and the consonant keys
    mostly add unrelated names ("knt" is "argand", "gandhi" and "garnett"): at 100,000 generated
    names they proposed 261,000 pairs through no other key, 0.6% of them matches, and leaving
    them out costs no pairwise F1."""
    return key.startswith(VOWEL_POOR_PREFIXES)


def form_candidate_pairs(forms: Sequence[NameForm]) -> npt.NDArray[np.int64]:
    """``candidate_pairs`` of normalized names (in a deterministic order, e.g. by name)."""
    return candidate_pairs(
        (ordered_cluster_keys(f) for f in forms),
        [neighbourhood_key(f) for f in forms],
        [len(f.core_tokens) == 1 for f in forms],
        [f.is_latin for f in forms],
        [f.vowel_poor for f in forms],
    )


def is_token_key(key: str) -> bool:
    """Whether ``key`` is a token key (lower-case prefix) rather than a name key."""
    return key[:1].islower()


def block_limit(key: str) -> int:
    """The largest block of ``key``'s tier that is paired exhaustively."""
    return TOKEN_BLOCK_SIZE if is_token_key(key) else NAME_BLOCK_SIZE


def neighbourhood_key(form: NameForm) -> str:
    """The order of a name inside an oversized block: its letters, tokens sorted."""
    return form.joined_sorted


@lru_cache(maxsize=128)
def _triangle(size: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    i, j = np.triu_indices(size, 1)
    return i.astype(np.int64), j.astype(np.int64)


def _tag_code(tag: str | None) -> int:
    """A key tag as an integer for ``candidate_pairs``' arrays: -1 untagged, 0 the empty tag
    (an initial), else the letter's code point."""
    if tag is None:
        return -1
    return ord(tag) if tag else 0


def _window(size: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The sorted-neighbourhood pairs of an oversized block of ``size`` members (positions in
    the block): each member with the next ``WINDOW``."""
    i = np.concatenate([np.arange(size - step) for step in range(1, WINDOW + 1)])
    j = np.concatenate([np.arange(step, size) for step in range(1, WINDOW + 1)])
    return i.astype(np.int64), j.astype(np.int64)


def _distinct(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values of an integer array, sorted: a sort and a comparison of neighbours.
    Written out because NumPy 2's ``np.unique`` takes a hash-table path for such arrays that was
    40 times slower on pair codes (3.8 s against 0.08 s for 6 million; 32 of the 80 s that
    blocking a million names took)."""
    codes = np.sort(codes)
    if len(codes) < 2:
        return codes
    return codes[np.r_[True, codes[1:] != codes[:-1]]]


def candidate_pairs(
    keys: Iterable[Mapping[str, str] | Iterable[str]],
    order: Sequence[str],
    bare: Sequence[bool],
    latin: Sequence[bool],
    vowel_poor: Sequence[bool],
) -> npt.NDArray[np.int64]:
    """The candidate pairs of a batch: an (n, 2) array of item indices, ``i < j``, each pair
    once, sorted.

    Args:
        keys: the keys of each item (``cluster_keys``), in item order; a mapping gives
            each key the spelling that orders the item inside an oversized block of it
            (``ordered_cluster_keys``), before ``order``.
        order: each item's ``neighbourhood_key`` (ties are broken by item index, so items
            should be in a deterministic order, e.g. sorted names).
        bare: whether each item is a bare one-token name.
        latin: whether each item is written in Latin script.
        vowel_poor: whether each item has letters in a vowel-poor script.

    A token block within its cap pairs a bare name with every member, and a Latin name with
    every non-Latin one (across scripts, given names often romanize apart while the surname
    meets); two full names of the same script that share one token but no pair of tokens
    (their name keys) are compared only when they are neighbours in the sorted order. Blocks
    of consonant keys pair only where a vowel-poor name is involved (``needs_vowel_poor``),
    and tagged blocks only members whose tags agree (``split_key``), whatever their size: in
    an oversized block these two rules also filter the neighbours (the token-tier rule does
    not, so that near-identical spellings that share only a common token still meet).

    Memory stays proportional to the keys: blocks are grouped by a 64-bit hash of their key
    in numpy arrays, never in a dict of strings. The hash is Python's own: it is salted per
    process, but the pairs are a sorted set that does not depend on the order of the blocks,
    and two keys of one batch share a hash with a chance of about one in 100,000 even among 20
    million distinct keys (a collision only merges two blocks). A stable hash (blake2b) took
    2 to 4 of the 7 to 9 s that blocking 100,000 names took, for the same pairs.
    """
    # array.array: 8 bytes an entry, where a list of ints costs five times that.
    # Per key entry: its block's hash, its item, its tier and rule (bit 0: token tier, bit 1:
    # needs a vowel-poor name), its tag and its spelling (a code of ``spellings``).
    hashes, owners, tiers, tags = array("q"), array("q"), array("b"), array("i")
    spelled, spellings = array("i"), {"": 0}
    # The loop runs once per key of every name (13 million at a million names): the rule is
    # looked up by the key's prefix ("s:", "I:"), which decides it.
    rules: dict[str, int] = {}
    for item, item_keys in enumerate(keys):
        ordering = item_keys if isinstance(item_keys, Mapping) else None
        for key in item_keys:
            if ordering is not None:
                spelling = ordering[key]
                code = spellings.get(spelling)
                if code is None:
                    code = spellings[spelling] = len(spellings)
                spelled.append(code)
            else:
                spelled.append(0)
            prefix = key[:2]
            rule = rules.get(prefix)
            if rule is None:
                rule = rules[prefix] = is_token_key(key) | needs_vowel_poor(key) << 1
            if prefix == "I:":
                block, tag = split_key(key)
                tags.append(_tag_code(tag))
            else:
                block = key
                tags.append(-1)
            hashes.append(hash(block))
            owners.append(item)
            tiers.append(rule)
    if not hashes:
        return np.empty((0, 2), dtype=np.int64)
    h = np.frombuffer(hashes, dtype=np.int64).copy()
    who = np.frombuffer(owners, dtype=np.int64).copy()
    rules_of = np.frombuffer(tiers, dtype=np.int8).copy()
    tag_of = np.frombuffer(tags, dtype=np.int32).copy()
    # Each entry's spelling as its rank in alphabetical order ("" first).
    alphabetical = np.empty(len(spellings), dtype=np.int32)
    alphabetical[[spellings[s] for s in sorted(spellings)]] = np.arange(len(spellings))
    spelling_of = alphabetical[np.frombuffer(spelled, dtype=np.int32)]
    del hashes, owners, tiers, tags, spelled, spellings, alphabetical
    single = np.asarray(bare, dtype=bool)
    roman = np.asarray(latin, dtype=bool)
    poor = np.asarray(vowel_poor, dtype=bool)
    rank = np.empty(len(order), dtype=np.int64)
    rank[sorted(range(len(order)), key=lambda k: (order[k], k))] = np.arange(len(order))
    # Sort by block, then inside a block by the spelling of the key's token (token keys: a
    # bare "Krakau" next to "Gorad Krakau", not at its place by the whole name's letters), by
    # neighbourhood order, then by tag: a name can hold one block under two tags ("I:j|SMT|o"
    # and "I:j|SMT|a"), and the order of its keys (a frozenset, whose order follows the
    # process's string hashes) must not decide which neighbours its entries get in an
    # oversized block.
    perm = np.lexsort((tag_of, rank[who], spelling_of, h))
    del spelling_of
    h, who, rules_of, tag_of = h[perm], who[perm], rules_of[perm], tag_of[perm]
    token_tier = (rules_of & 1).astype(bool)
    cap = np.where(token_tier, TOKEN_BLOCK_SIZE, NAME_BLOCK_SIZE)
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    n = np.int64(len(order))
    firsts: list[npt.NDArray[np.int64]] = []
    seconds: list[npt.NDArray[np.int64]] = []
    pending = 0
    # Pairs are deduplicated in rounds of about _DEDUP_ROUND: blocks propose the same pair
    # several times over, and holding every raw pair at once, in several copies while they were
    # sorted, made the peak memory of a whole batch (6.1 GiB at a million names).
    rounds: list[npt.NDArray[np.int64]] = []

    def dedup() -> None:
        a = np.concatenate(firsts)
        b = np.concatenate(seconds)
        firsts.clear()
        seconds.clear()
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        del a, b
        apart = lo != hi
        rounds.append(_distinct(lo[apart] * n + hi[apart]))

    for start, size in zip(starts[sizes >= 2].tolist(), sizes[sizes >= 2].tolist(), strict=True):
        members = who[start : start + size]
        whole = size <= cap[start]
        i, j = _triangle(size) if whole else _window(size)
        a, b = members[i], members[j]
        keep = None
        if whole and token_tier[start]:
            keep = single[a] | single[b] | (roman[a] != roman[b])
        if rules_of[start] & 2:
            poor_side = poor[a] | poor[b]
            keep = poor_side if keep is None else keep & poor_side
        if tag_of[start] >= 0:
            ta, tb = tag_of[start + i], tag_of[start + j]
            agree = (ta == 0) | (tb == 0) | (ta == tb)
            keep = agree if keep is None else keep & agree
        if keep is not None:
            a, b = a[keep], b[keep]
        firsts.append(a)
        seconds.append(b)
        pending += len(a)
        if pending >= _DEDUP_ROUND:
            dedup()
            pending = 0
    if firsts:
        dedup()
    if not rounds:
        return np.empty((0, 2), dtype=np.int64)
    codes = rounds[0] if len(rounds) == 1 else _distinct(np.concatenate(rounds))
    return np.stack((codes // n, codes % n), axis=1)
