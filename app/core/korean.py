"""One spelling for Korean names romanized in McCune-Reischauer or in Revised Romanization.

North Korean names reach sanctions lists and news in McCune-Reischauer, South Korean ones in the
Revised Romanization, and both in the many spellings between them: 정 is "Chŏng", "Chong",
"Jeong", "Jong" and "Chung"; 박 "Pak", "Bak" and "Park"; 철 "Ch'ŏl", "Chol" and "Cheol". The two
systems differ mostly in how they write the unaspirated stops and affricates (MR "k t p ch", RR
"g d b j"), the two vowels without a Latin letter (MR "ŏ ŭ", RR "eo eu") and the apostrophe of
aspiration, which normalization has already dropped. A name whose every word is one or two
romanized Korean syllables is rewritten here, syllable by syllable, in one spelling that
forgets those differences: unvoiced initials and finals, "eo" as "o", "eu" as "u", "r" and "l"
as one letter. Both romanizations of a name then have the same words.

This is a rule about syllables, not a table of names: it reads any Korean name, listed or not.
Only names of ``SYLLABLES`` syllables are read so, and each word must parse whole: "Dan Smith"
or "Bob Lee" are not Korean names, "Kim Jong Un" and "JANG, Myong-Jin" are. Two names are
compared in this spelling only when both read as Korean (``compare.pair_features``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.core.syllables import Word, alternatives, read_words

__all__ = ["SYLLABLES", "korean_spelling", "reads_as_korean"]

# A Korean name is three syllables, the surname's and the given name's two, almost always; fewer
# are too little evidence that a name is Korean ("Bob Lee", "Dan Park", "Jin Ho" read as Korean
# and English alike), more are the rare four-syllable names and many more European ones.
SYLLABLES = 3

# Initials, vowels and finals of both systems (after folding: "ŏ" is "o", "ŭ" is "u"), each with
# its one spelling here. Longest first, so that the regular expression tries "tch" before "t".
_INITIALS = {
    "kk": "k", "k": "k", "g": "k",
    "tt": "t", "t": "t", "d": "t",
    "pp": "p", "p": "p", "b": "p",
    "ss": "s", "sh": "s", "s": "s",
    "jj": "ch", "tch": "ch", "ch": "ch", "j": "ch",
    "r": "r", "l": "r", "rh": "r",
    "n": "n", "m": "m", "h": "h",
}  # fmt: skip
_VOWELS = {
    "yeo": "yo", "yae": "yae", "wae": "wae", "weo": "wo",
    "eo": "o", "eu": "u", "ae": "ae", "oe": "oe", "oi": "oe", "ee": "i", "ui": "ui",
    "ya": "ya", "ye": "ye", "yo": "yo", "yu": "yu", "wa": "wa", "we": "we", "wi": "wi", "wo": "wo",
    "a": "a", "e": "e", "i": "i", "o": "o", "u": "u",
}  # fmt: skip
# The finals that both systems write (k, n, l, m, p, ng; MR's rare "t" and the "r" of other
# languages' syllables are left out: "Kiryat", "Narjan" are no Korean words), with "Park" and
# "Sub" (Seung-sub), the common spellings of 박 and 섭.
_FINALS = {"ng": "ng", "rk": "k", "k": "k", "n": "n", "l": "l", "m": "m", "p": "p", "b": "p"}


_SYLLABLE = f"({alternatives(_INITIALS)})?({alternatives(_VOWELS)})({alternatives(_FINALS)})?"
# A word of one or two syllables ("Jong", "Myongjin", "Chongun").
_WORD = re.compile(f"{_SYLLABLE}(?:{_SYLLABLE})?")


@lru_cache(maxsize=65536)
def _word(latin: str) -> Word | None:
    """The one spelling of a word of one or two Korean syllables and their count, else None
    (every syllable of a three-syllable name tells Korean: ``SYLLABLES``)."""
    found = _WORD.fullmatch(latin)
    if found is None:
        return None
    groups = found.groups()
    out, count = [], 0
    for start in (0, 3):
        initial, vowel, final = groups[start : start + 3]
        if vowel is None:
            continue
        count += 1
        out.append(_INITIALS.get(initial or "", "") + _VOWELS[vowel] + _FINALS.get(final or "", ""))
    return "".join(out), count, True


def korean_spelling(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words of a name (lower-case ASCII) in the one spelling of Korean names, or None when
    the name is not read as Korean: a word is not one or two syllables, or the name has not
    ``SYLLABLES``."""
    read = read_words(words, _word)
    return read[0] if read is not None and read[1] == SYLLABLES else None


def reads_as_korean(latin: str) -> bool:
    """The word (lower-case ASCII) is one or two romanized Korean syllables: the cheap test
    that most names fail on their first word, before ``korean_spelling``."""
    return _word(latin) is not None
