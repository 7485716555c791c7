"""Reading a name's words as syllables of one language's romanizations (``korean``,
``chinese``): the pieces both readers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["Word", "alternatives", "read_words"]

# A word read as syllables: its one spelling, its number of syllables, and whether one of them
# is found in that language's romanizations and rarely elsewhere.
Word = tuple[str, int, bool]


def alternatives(parts: Iterable[str]) -> str:
    """A regular expression's alternation of ``parts``, longest first, so that it tries "tch"
    before "t"."""
    return "|".join(sorted(parts, key=len, reverse=True))


def read_words(
    words: tuple[str, ...], word: Callable[[str], Word | None]
) -> tuple[tuple[str, ...], int, bool] | None:
    """Each word's one spelling, the name's syllables and whether one of them tells the
    language; None when a word does not read (``word`` gives None)."""
    spelled, syllables, tells = [], 0, False
    for latin in words:
        read = word(latin)
        if read is None:
            return None
        spelled.append(read[0])
        syllables += read[1]
        tells = tells or read[2]
    return tuple(spelled), syllables, tells
