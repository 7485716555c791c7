"""Transliteration-aware keys of romanized tokens.

Four keys, from fine to coarse:

* ``skeleton``: our own variant key. The equivalence classes of transliteration (v/w/u, q/k/g/gh/c,
  kh/h, j/dj/zh/y, sh/sch/ch, ts/tz/c/z/s, ph/f, dh/th/d, ou/u/oo, ei/ey/ai/ay/i/y, doubled
  letters, vowel smear) live in ``data/variant_classes.json``, one entry per class with the
  spellings it must unite; the rules are applied in the table's order.
* ``vowel_shape``: the skeleton with its vowels kept as places, each run of vowels one "a"
  ("groote" -> "KraTa", "gareth" -> "KaraT"). Between two names in alphabets that write their
  vowels, where a vowel stands tells apart names whose skeletons agree (Grote and Gareth both
  have the skeleton "KrT"), while its quality still varies freely (Mohammed / Muhammad).
* ``consonant_key``: the skeleton's consonants only, merged into articulation classes (labials,
  dentals, velars, sibilants, liquids) and without h, y, w or a consonant r before another
  consonant (not for abjads). Hebrew, Arabic, Korean and Japanese renderings of a foreign name
  agree with the Latin
  one on this key far more often than on any spelling ("Stanford" and "스탠퍼드" both give
  ``stnpt``), so it is what lets matching across scripts not depend on vowels.
* ``metaphone``: jellyfish's Metaphone, for English-like spellings.

Keys are computed on romanized tokens only, after normalization and tokenization.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jellyfish

__all__ = [
    "VariantClass",
    "consonant_key",
    "metaphone",
    "skeleton",
    "variant_classes",
    "vowel_shape",
]


@dataclass(frozen=True, slots=True)
class VariantClass:
    """One documented equivalence class of transliteration variants."""

    name: str
    why: str
    rules: tuple[tuple[str, str], ...]
    same: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def variant_classes() -> tuple[VariantClass, ...]:
    """The classes of ``data/variant_classes.json``, in application order."""
    raw = json.loads(
        resources.files("app.core").joinpath("data/variant_classes.json").read_text("utf-8")
    )
    return tuple(
        VariantClass(
            name=c["name"],
            why=c["why"],
            rules=tuple((p, r) for p, r in c["rules"]),
            same=tuple((a, b) for a, b in c["same"]),
        )
        for c in raw["classes"]
    )


@lru_cache(maxsize=1)
def _compiled_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), r) for c in variant_classes() for p, r in c.rules)


# The table's last class; ``vowel_shape`` applies every class but this one.
_VOWEL_SMEAR = "vowel smear"


@lru_cache(maxsize=1)
def _consonant_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(p), r) for c in variant_classes() if c.name != _VOWEL_SMEAR for p, r in c.rules
    )


_VOWEL_RUN = re.compile(r"[aeiou]+")
_DOUBLED = re.compile(r"([A-Za-z])\1+")


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Variant skeleton of a lower-case ASCII token ("rawanchi" -> "rVnS", "araqchi" -> "ArKS").

    Digits are kept as they are; an all-digit token is its own skeleton.
    """
    if not token or token.isdigit():
        return token
    key = token
    for pattern, repl in _compiled_rules():
        key = pattern.sub(repl, key)
    return key or token[:1].upper()


@lru_cache(maxsize=262144)
def vowel_shape(token: str) -> str:
    """Skeleton of a lower-case ASCII token with each run of vowels kept as one "a"
    ("groote" -> "KraTa", "grote" -> "KraTa", "gareth" -> "KaraT"); digits are kept as they are."""
    if not token or token.isdigit():
        return token
    key = token
    for pattern, repl in _consonant_rules():
        key = pattern.sub(repl, key)
    return _DOUBLED.sub(r"\1", _VOWEL_RUN.sub("a", key))


# Articulation classes of the consonant key. r before a consonant or at the end is dropped
# before this mapping (non-rhotic renderings in Korean and Japanese loanword spelling).
_COARSE = str.maketrans(
    {
        "F": "p",
        "V": "p",
        "b": "p",
        "p": "p",
        "D": "t",
        "T": "t",
        "K": "k",
        "Z": "s",
        "S": "s",
        "J": None,
        "l": "l",
        "r": "l",
        "m": "m",
        "n": "n",
        "H": None,
        "A": None,
        "i": None,
        "u": None,
    }
)
_R_BEFORE_CONSONANT = re.compile(r"r(?=[^aeiouy]|$)")


@lru_cache(maxsize=262144)
def consonant_key(token: str, abjad: bool = False) -> str:
    """Vowel-free articulation-class key of a lower-case ASCII token ("stanford" -> "stnpt").

    Korean epenthetic vowels, Hebrew and Arabic matres lectionis and missing short vowels all
    vanish in this key. ``abjad`` marks a romanization of Hebrew or Arabic script, whose missing
    short vowels put every r before a consonant: there r is kept. Returns the token itself for
    digits and "" when nothing is left.
    """
    if not token or token.isdigit():
        return token
    if not abjad:
        token = _R_BEFORE_CONSONANT.sub("", token)
    key = skeleton(token).translate(_COARSE)
    key = re.sub(r"[^a-z0-9]", "", key)
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=262144)
def metaphone(token: str) -> str:
    """jellyfish Metaphone of a lower-case ASCII token ("" for digits)."""
    if not token or token.isdigit():
        return token
    return str(jellyfish.metaphone(token))
