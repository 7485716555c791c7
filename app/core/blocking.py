"""Blocking: cheap keys that put likely matches in the same block, so that clustering never
compares all pairs. A name gets several keys, so one spelling difference does not hide a match.

Two tiers of keys:

* **token keys** (lower-case prefixes), one set per core token: its variant skeleton, its
  consonant key, a folded prefix and its Metaphone. They let a bare surname meet a full name and
  a name meet another that shares only one token, but a common token makes a block that grows
  with the input, so they are capped at ``TOKEN_BLOCK_SIZE`` names.
* **name keys** (upper-case prefixes), one per name or per pair of its tokens: the sorted
  skeletons of each two core tokens, the initial of one token with the skeleton of another, the
  sorted consonant key of the whole name, its letters without spaces and its acronym keys. Two
  spellings of a full name share several of them, and they stay selective as the input grows;
  they are capped at ``NAME_BLOCK_SIZE`` names.

The rarity rule: a block within its cap is paired exhaustively. A larger block (a common given
name, a frequent designator) is not dropped outright but paired as a *sorted neighbourhood*:
its members sorted by their letters (tokens in alphabetical order, so "Last, First" sorts with
"First Last"), each paired with the next ``WINDOW`` members. Its cost grows linearly with the
block, so no key can make the pair count quadratic, yet two near-identical spellings that only
share a common key still meet. Pairs found in several blocks are scored once.

The registry's candidate index (``app.core.index``) retrieves by ``retrieval_keys``: these
``blocking_keys`` plus, for one-token names, the deletion neighbourhood of the skeleton, with
its own cap.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

from app.core.acronym import acronym_keys
from app.core.phonetic import metaphone
from app.core.types import NameForm

__all__ = [
    "NAME_BLOCK_SIZE",
    "TOKEN_BLOCK_SIZE",
    "WINDOW",
    "block_limit",
    "blocking_keys",
    "candidate_pairs",
    "cluster_keys",
    "form_candidate_pairs",
    "is_token_key",
    "neighbourhood_key",
    "retrieval_keys",
]

# Caps of exhaustively paired blocks (see the module docstring). At these sizes the pairs per
# name stay between 8 and 21 on the generated scale benchmark (10k to 1M names); blocking
# proposes about 0.76 of the gold pairs that an all-pairs run scores as matches, and 0.39 of
# all its matches, most of the rest being unrelated pairs the model over-scores
# (benchmarks/cluster_scale.py measures both at 100k names).
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


def blocking_keys(form: NameForm) -> frozenset[str]:
    """Token keys and whole-name keys of one name (the registry index's retrieval keys): per
    core token its skeleton, consonant key, folded prefix and Metaphone; for the whole name its
    sorted consonant key, its letters without spaces and its acronym keys (the acronym itself,
    or the initials of its words)."""
    keys: set[str] = set()
    core = form.core_tokens
    for t in core:
        if t.latin.isdigit():
            continue
        keys.add("s:" + t.skeleton)
        if t.alt_skeleton:
            keys.add("s:" + t.alt_skeleton)
        if len(t.consonants) >= 2:
            keys.add("c:" + t.consonants)
        if len(t.latin) >= 4:
            keys.add("p:" + t.latin[:4])
            keys.add("m:" + metaphone(t.latin))
    keys.add("C:" + "".join(sorted(t.consonants for t in core)))
    keys.add("J:" + "".join(t.latin for t in form.tokens))
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
    Ravanchi" meets "Majid Ravanchi")."""
    keys = set(blocking_keys(form))
    core = [t for t in form.core_tokens if t.latin][:_PAIR_TOKENS]
    for a, b in combinations(core, 2):
        keys.add("P:" + "|".join(sorted((a.skeleton, b.skeleton))))
        if a.consonants and b.consonants:
            keys.add("Q:" + "|".join(sorted((a.consonants, b.consonants))))
        if not a.latin.isdigit() and not b.latin.isdigit():
            keys.add(f"I:{a.latin[0]}|{b.skeleton}")
            keys.add(f"I:{b.latin[0]}|{a.skeleton}")
    return frozenset(keys)


def form_candidate_pairs(forms: Sequence[NameForm]) -> npt.NDArray[np.int64]:
    """``candidate_pairs`` of normalized names (in a deterministic order, e.g. by name)."""
    return candidate_pairs(
        (cluster_keys(f) for f in forms),
        [neighbourhood_key(f) for f in forms],
        [len(f.core_tokens) == 1 for f in forms],
        [f.is_latin for f in forms],
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


def _key_hash(key: str) -> int:
    # A stable 63-bit hash (Python's hash() is salted per process): blocks are grouped by it, so
    # the same input always makes the same blocks. A collision only merges two blocks.
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()) >> 1


@lru_cache(maxsize=128)
def _triangle(size: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    i, j = np.triu_indices(size, 1)
    return i.astype(np.int64), j.astype(np.int64)


def candidate_pairs(
    keys: Iterable[Iterable[str]],
    order: Sequence[str],
    bare: Sequence[bool],
    latin: Sequence[bool],
) -> npt.NDArray[np.int64]:
    """The candidate pairs of a batch: an (n, 2) array of item indices, ``i < j``, each pair
    once, sorted.

    Args:
        keys: the keys of each item (``cluster_keys``), in item order.
        order: each item's ``neighbourhood_key`` (ties are broken by item index, so items
            should be in a deterministic order, e.g. sorted names).
        bare: whether each item is a bare one-token name.
        latin: whether each item is written in Latin script.

    A token block within its cap pairs a bare name with every member, and a Latin name with
    every non-Latin one (across scripts, given names often romanize apart while the surname
    meets); two full names of the same script that share one token but no pair of tokens
    (their name keys) are compared only when they are neighbours in the sorted order.

    Memory stays proportional to the keys: blocks are grouped by a 63-bit hash of their key
    in numpy arrays, never in a dict of strings.
    """
    # array.array: 8 bytes an entry, where a list of ints costs five times that.
    hashes, owners, tiers = array("q"), array("q"), array("b")
    for item, item_keys in enumerate(keys):
        for key in item_keys:
            hashes.append(_key_hash(key))
            owners.append(item)
            tiers.append(1 if is_token_key(key) else 0)
    if not hashes:
        return np.empty((0, 2), dtype=np.int64)
    h = np.frombuffer(hashes, dtype=np.int64).copy()
    who = np.frombuffer(owners, dtype=np.int64).copy()
    token_tier = np.frombuffer(tiers, dtype=np.int8).astype(bool)
    del hashes, owners, tiers
    single = np.asarray(bare, dtype=bool)
    roman = np.asarray(latin, dtype=bool)
    rank = np.empty(len(order), dtype=np.int64)
    rank[sorted(range(len(order)), key=lambda k: (order[k], k))] = np.arange(len(order))
    # Sort by block, then by neighbourhood order inside a block.
    perm = np.lexsort((rank[who], h))
    h, who, token_tier = h[perm], who[perm], token_tier[perm]
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
        rounds.append(np.unique(lo[apart] * n + hi[apart]))

    for start, size in zip(starts[sizes >= 2].tolist(), sizes[sizes >= 2].tolist(), strict=True):
        members = who[start : start + size]
        if size <= cap[start]:
            i, j = _triangle(size)
            if token_tier[start]:
                a, b = members[i], members[j]
                keep = single[a] | single[b] | (roman[a] != roman[b])
                i, j = i[keep], j[keep]
            firsts.append(members[i])
            seconds.append(members[j])
            pending += len(i)
        else:
            for step in range(1, WINDOW + 1):
                firsts.append(members[:-step])
                seconds.append(members[step:])
                pending += size - step
        if pending >= _DEDUP_ROUND:
            dedup()
            pending = 0
    if firsts:
        dedup()
    if not rounds:
        return np.empty((0, 2), dtype=np.int64)
    codes = rounds[0] if len(rounds) == 1 else np.unique(np.concatenate(rounds))
    return np.stack((codes // n, codes % n), axis=1)
