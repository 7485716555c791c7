"""One spelling for Mandarin names romanized in Hanyu Pinyin or in Wade-Giles.

Chinese names and places reach Latin text in pinyin (Deng Xiaoping, Dadukou, Xi'an) and, in older
and Taiwanese sources, in Wade-Giles (Teng Hsiao-p'ing, Ta-tu-k'ou, Hsi-an). The systems spell
the same syllables differently: pinyin writes the unaspirated stops and affricates with voiced
letters (b d g z zh j) and the aspirated with voiceless ones (p t k c ch q), Wade-Giles writes
both voiceless and marks aspiration with an apostrophe, which normalization has already
dropped; and some finals differ (WG "-ung" / pinyin "-ong", "-ien" / "-ian", "-ieh" / "-ie",
"-ih" / "-i", "hs-" / "x-"). A name whose every word is one to three Mandarin syllables in either
system is rewritten here, syllable by syllable, in one spelling that forgets those differences.
The Latin spelling of a Chinese name's characters (pypinyin) reads so too, so "大渡口" meets
"Ta-tu-k'ou".

This is a rule about syllables, not a table of names. Only names of ``MIN_SYLLABLES`` to
``MAX_SYLLABLES`` syllables are read so, and each word must parse whole; two names are compared
in this spelling only when both read as Mandarin (``compare.pair_features``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.core.syllables import Word, alternatives, read_words

__all__ = ["MAX_SYLLABLES", "MIN_SYLLABLES", "mandarin_spelling", "reads_as_mandarin"]

# A Chinese personal name is two or three syllables, a place name with its designator up to
# five; one syllable alone ("Li", "Ban") is no evidence of Chinese.
MIN_SYLLABLES = 2
MAX_SYLLABLES = 5
_MAX_WORD_SYLLABLES = 3
# One Latin word of Mandarin syllables is as often a European one ("Corina", "Kulin", "Yagua"),
# where c, q, j and x are not pinyin's.
_MIN_LATIN_WORDS = 2

# Initials of both systems and their one spelling. Pinyin's j, q, x and Wade-Giles' ch, hs before
# i/ü are one sound each; pinyin's "r" is Wade-Giles' "j", but a Latin "j" is far more often
# pinyin's, so it is read as pinyin's.
_INITIALS = {
    "zh": "ch", "ch": "ch", "j": "ch", "q": "ch",
    "tz": "ts", "ts": "ts", "z": "ts", "c": "ts",
    "sh": "sh", "hs": "hs", "x": "hs", "ss": "s", "sz": "s", "s": "s",
    "b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k",
    "m": "m", "f": "f", "n": "n", "l": "l", "h": "h", "r": "r", "w": "w", "y": "y",
}  # fmt: skip
# Finals of both systems and their one spelling (after folding: "ü" is "u").
_FINALS = {
    "iung": "iung", "iong": "iung", "uang": "uang", "iang": "iang", "ieng": "ing",
    "ung": "ung", "ong": "ung", "ang": "ang", "eng": "eng", "ing": "ing",
    "ieh": "ie", "ien": "ien", "ian": "ien", "iao": "iao", "uai": "uai", "uan": "uan",
    "uei": "ui", "uo": "o", "ueh": "ue", "ih": "ih", "eh": "e",
    "ai": "ai", "ei": "ei", "ao": "ao", "ou": "ou", "an": "an", "en": "en", "in": "in",
    "un": "un", "ui": "ui", "ia": "ia", "ie": "ie", "iu": "iu", "ua": "ua", "ue": "ue",
    "a": "a", "e": "e", "i": "i", "o": "o", "u": "u", "er": "er",
}  # fmt: skip
# Pinyin writes the "buzzed" vowel after zh ch sh r z c s as "i", Wade-Giles as "ih" (after ch,
# sh, j) and "u" (after tz, ts, ss, sz): both are "ih" here.
_BUZZED_INITIALS = frozenset({"ch", "sh", "r", "ts", "s"})


# Initials and finals that Mandarin romanizations have and European and Arabic names rarely do:
# a Latin name must have one of them to be read as Mandarin ("Corina", "Ali Jafari" parse as
# syllables too).
_TELLING_INITIALS = frozenset({"x", "q", "zh", "hs", "tz", "ts"})
_TELLING_FINALS = frozenset(
    {"ao", "ou", "ei", "ui", "uo", "iu", "ie", "ieh", "ih", "iao", "ian", "ien", "uai", "ang",
     "eng", "ong", "ung", "iang", "uang", "iong", "iung"}
)  # fmt: skip


# A word of one to three syllables, in one regular expression: its backtracking tries the
# longest initial and final of each syllable first ("xian" is one syllable before it is "xi" +
# "an"), and runs in C.
_WORD = re.compile(
    "".join(
        f"(?:({alternatives(_INITIALS)})?({alternatives(_FINALS)})){'' if k == 0 else '?'}"
        for k in range(_MAX_WORD_SYLLABLES)
    )
)


@lru_cache(maxsize=65536)
def _word(latin: str) -> Word | None:
    """The one spelling of a word of one to three Mandarin syllables, their count and whether
    one of them tells Mandarin (``_TELLING_INITIALS``, ``_TELLING_FINALS``), else None."""
    found = _WORD.fullmatch(latin)
    if found is None:
        return None
    groups = found.groups()
    spelled, count, tells = [], 0, False
    for k in range(0, len(groups), 2):
        initial, final = groups[k] or "", groups[k + 1]
        if final is None:
            continue
        spelled.append(_spelled(initial, final))
        count += 1
        tells = tells or initial in _TELLING_INITIALS or final in _TELLING_FINALS
    return "".join(spelled), count, tells


def _spelled(initial: str, final: str) -> str:
    head = _INITIALS[initial] if initial else ""
    if head in _BUZZED_INITIALS and (
        # Not "chi": Wade-Giles' chi is pinyin's ji and qi, pinyin's chi is Wade-Giles' ch'ih,
        # and names have far more of the first.
        (final == "i" and initial in ("zh", "sh", "r", "z", "c", "s"))
        or (final == "u" and initial in ("tz", "ss", "sz"))
    ):
        return head + "ih"
    return head + _FINALS[final]


def mandarin_spelling(words: tuple[str, ...], in_characters: bool) -> tuple[str, ...] | None:
    """The words of a name (lower-case ASCII) in the one spelling of Mandarin romanizations, or
    None when the name is not read as Mandarin: a word is not one to three syllables, the name
    has fewer than ``MIN_SYLLABLES`` or more than ``MAX_SYLLABLES``, or, unless it was written
    ``in_characters``, it is one word or has no syllable that tells Mandarin."""
    if not in_characters and len(words) < _MIN_LATIN_WORDS:
        return None
    read = read_words(words, _word)
    if read is None:
        return None
    spelled, syllables, tells = read
    if not (tells or in_characters) or not MIN_SYLLABLES <= syllables <= MAX_SYLLABLES:
        return None
    return spelled


def reads_as_mandarin(latin: str) -> bool:
    """The word (lower-case ASCII) is one to three Mandarin syllables: the cheap test that most
    names fail on their first word, before ``mandarin_spelling``."""
    return _word(latin) is not None
