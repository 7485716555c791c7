"""Blocking keys: cheap keys that put likely matches in the same block, so that clustering never
compares all pairs. A name gets several keys, so one spelling difference does not hide a match."""

from __future__ import annotations

from app.core.acronym import acronym_keys
from app.core.phonetic import metaphone
from app.core.types import NameForm

__all__ = ["blocking_keys"]


def blocking_keys(form: NameForm) -> frozenset[str]:
    """Keys of one name: per core token its skeleton, consonant key, folded prefix and Metaphone;
    for the whole name its sorted consonant key, its letters without spaces and its acronym keys
    (the acronym itself, or the initials of its words)."""
    keys: set[str] = set()
    core = form.core_tokens
    for t in core:
        if t.latin.isdigit():
            continue
        keys.add("s:" + t.skeleton)
        if len(t.consonants) >= 2:
            keys.add("c:" + t.consonants)
        if len(t.latin) >= 4:
            keys.add("p:" + t.latin[:4])
            keys.add("m:" + metaphone(t.latin))
    keys.add("C:" + "".join(sorted(t.consonants for t in core)))
    keys.add("J:" + "".join(t.latin for t in form.tokens))
    return frozenset(keys) | acronym_keys(form)
