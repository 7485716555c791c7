"""Acronyms: "IRGC" for "Islamic Revolutionary Guard Corps", "UWSA" for "United Wa State Army".

Organisations on sanctions lists and in the news are named by their initials as often as in
full. No library reads an acronym against a name, so this is a small hand-written matcher: an
acronym expands to a name when its letters can be taken, in order, from the start of every
word (one to three letters each), where connectives ("of", "the", "and", "al") and designators
("National", "Company") may give a letter or none: "CEIEC" is the China National Electronics
Import and Export Corporation.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from app.core.types import NameForm, Token

__all__ = ["MIN_WORDS", "acronym_keys", "as_acronym", "expands_to"]

_MIN_LETTERS = 2
_MAX_LETTERS = 8
_MAX_PREFIX = 3
MIN_WORDS = 3
# Designators of a name whose every subset gives a blocking key (2**4 keys at most).
_MAX_SKIPPED = 4
# Words an acronym may skip: connectives and articles of the languages sanctions lists and
# news use most. A small hand-made table; it holds no names.
_CONNECTIVES = frozenset(
    {"of", "the", "and", "for", "on", "in", "de", "la", "le", "les", "du", "des", "del", "della"}
    | {"di", "da", "do", "dos", "das", "y", "e", "et", "und", "i", "al", "el"}
)


def as_acronym(form: NameForm) -> str | None:
    """The name read as an acronym: one all-letter token of 2-8 letters ("IRGC"), or 2-8 tokens
    of one letter each ("I.R.G.C."); ``None`` for anything else."""
    tokens = [t.latin for t in form.tokens]
    if len(tokens) == 1:
        word = tokens[0]
    elif all(len(t) == 1 for t in tokens):
        word = "".join(tokens)
    else:
        return None
    if not (_MIN_LETTERS <= len(word) <= _MAX_LETTERS and word.isalpha()):
        return None
    letters = [ch for ch in form.normalized if ch.isalpha()]
    mixed_case = any(ch.isupper() for ch in letters) and any(ch.islower() for ch in letters)
    return None if mixed_case else word


def expands_to(acronym: str, form: NameForm) -> bool:
    """True when ``acronym`` can be read from the starts of the words of ``form`` (three words or
    more): every word gives its first letter (one word may give two or three), connectives and
    designators may give none."""
    tokens = [t for t in form.tokens if t.latin]
    if len(tokens) < MIN_WORDS or len(tokens) > 2 * _MAX_LETTERS:
        return False
    words = tuple(t.latin for t in tokens)
    return _expands(acronym, words, tuple(_optional(t) for t in tokens))


def _optional(token: Token) -> bool:
    """A word an acronym may skip: a connective, or a particle, legal form or designator."""
    return token.latin in _CONNECTIVES or token.particle


@lru_cache(maxsize=100_000)
def _expands(acronym: str, words: tuple[str, ...], optional: tuple[bool, ...]) -> bool:
    # States after each word: (letters of the acronym read, whether a long prefix was used).
    reachable = {(0, False)}
    for word, skippable in zip(words, optional, strict=True):
        nxt: set[tuple[int, bool]] = set()
        for pos, long_used in reachable:
            if skippable:
                nxt.add((pos, long_used))
            for size in range(1, min(_MAX_PREFIX, len(word)) + 1):
                if (size == 1 or not long_used) and acronym.startswith(word[:size], pos):
                    nxt.add((pos + size, long_used or size > 1))
        if not nxt:
            return False
        reachable = nxt
    return any(pos == len(acronym) for pos, _ in reachable)


def acronym_keys(form: NameForm) -> frozenset[str]:
    """Blocking keys that let an acronym meet its expansion: the acronym itself, or the initials
    of the words with and without connectives."""
    own = as_acronym(form)
    if own is not None:
        return frozenset({"A:" + own})
    tokens = [t for t in form.tokens if t.latin]
    if not MIN_WORDS <= len(tokens) <= 2 * _MAX_LETTERS:
        return frozenset()
    words = [t.latin for t in tokens]
    keys = {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _CONNECTIVES)}
    # Designators may give a letter or none ("CEIEC": China [National] Electronics Import and
    # Export Corporation): the initials without connectives, with each subset of up to
    # _MAX_SKIPPED designators left out.
    kept = [k for k, t in enumerate(tokens) if t.latin not in _CONNECTIVES]
    designators = [k for k in kept if tokens[k].particle]
    if len(designators) > _MAX_SKIPPED:
        designators = []  # then only the initials without any of them
        kept = [k for k in kept if not tokens[k].particle]
    for size in range(1, len(designators) + 1):
        for skipped in itertools.combinations(designators, size):
            keys.add("".join(tokens[k].latin[0] for k in kept if k not in skipped))
    keys.add("".join(tokens[k].latin[0] for k in kept))
    return frozenset("A:" + k for k in keys if _MIN_LETTERS <= len(k) <= _MAX_LETTERS)
