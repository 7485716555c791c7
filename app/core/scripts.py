"""Script detection for characters and tokens, from the Unicode character names.

Unicode's script property is not exposed by :mod:`unicodedata`; the first word of a letter's
character name ("CYRILLIC SMALL LETTER ZHE", "ARABIC LETTER QAF", "HANGUL SYLLABLE GA") names its
script for every script Canonym romanizes, so that word is used. Han ideographs are named
"CJK UNIFIED IDEOGRAPH-…" and kana "HIRAGANA/KATAKANA LETTER …".
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = ["char_script", "is_latin", "token_script"]

_NAME_TO_SCRIPT = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "GREEK": "Greek",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
    "DEVANAGARI": "Devanagari",
    "BENGALI": "Bengali",
    "GURMUKHI": "Gurmukhi",
    "GUJARATI": "Gujarati",
    "TAMIL": "Tamil",
    "TELUGU": "Telugu",
    "KANNADA": "Kannada",
    "MALAYALAM": "Malayalam",
    "THAI": "Thai",
    "LAO": "Lao",
    "KHMER": "Khmer",
    "MYANMAR": "Myanmar",
    "ETHIOPIC": "Ethiopic",
    "SYRIAC": "Syriac",
    "THAANA": "Thaana",
    "SINHALA": "Sinhala",
    "TIBETAN": "Tibetan",
    "MONGOLIAN": "Mongolian",
    "CJK": "Han",
    "HIRAGANA": "Hiragana",
    "KATAKANA": "Katakana",
    "HANGUL": "Hangul",
    "BOPOMOFO": "Bopomofo",
}


@lru_cache(maxsize=65536)
def char_script(ch: str) -> str:
    """Script of one character: a name from the table above, ``Digit``, or ``Other``."""
    if ch.isdigit():
        return "Digit"
    if not ch.isalpha():
        return "Other"
    first = unicodedata.name(ch, "").split(" ", 1)[0]
    if first == "FULLWIDTH" or first == "HALFWIDTH":
        first = unicodedata.name(ch, "").split(" ")[1]
    return _NAME_TO_SCRIPT.get(first, "Other")


def token_script(token: str) -> str:
    """The most frequent script among a token's letters (``Digit`` for digits only)."""
    if token.isascii():  # the common case, without a per-character lookup
        if any(ch.isalpha() for ch in token):
            return "Latin"
        return "Digit" if any(ch.isdigit() for ch in token) else "Other"
    counts = Counter(char_script(ch) for ch in token)
    letters = {s: n for s, n in counts.items() if s not in ("Other", "Digit")}
    if letters:
        return max(sorted(letters), key=lambda s: letters[s])
    return "Digit" if counts.get("Digit") else "Other"


def is_latin(script: str) -> bool:
    """True for Latin letters and digits (romanization leaves them as they are)."""
    return script in ("Latin", "Digit", "Other")
