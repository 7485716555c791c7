"""Handing a large batch's transient memory back to the operating system.

Once a batch of hundreds of thousands of names is normalized and blocked, two things hold
memory that the rest of the run does not use:

* the core's per-word and per-token-pair LRU caches, filled to their bounds while the names
  were normalized (the normalized names themselves are kept by the batch);
* the C heap, where glibc keeps the pages of the millions of small numpy arrays that blocking
  made and freed, instead of returning them.

At 300,000 names the two held about 1 GiB of resident memory after blocking, the names' own
forms about 460 MiB. A batch releases twice: after normalizing (the caches; blocking's peak
comes next) and after blocking (its freed heap). At a million names, with blocking's
deduplication in rounds, that put the peak of normalizing and blocking at 3.7 GiB, from 6.1.

``release`` clears the caches and, where the C library has ``malloc_trim`` (glibc), asks it to
return free pages; elsewhere it only clears the caches.
Python has no portable call for the second part, hence ctypes. Clearing costs only warm-up:
every cache refills on demand, and the answers do not change.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from app.core import acronym, features, normalize, phonetic, scripts, transliterate

__all__ = ["RELEASE_MIN_NAMES", "release"]

# Batches from this many distinct names up release memory after blocking; smaller ones (the
# service's requests) keep their warm caches.
RELEASE_MIN_NAMES = 100_000


class _Cached(Protocol):
    def cache_clear(self) -> None: ...


def _caches() -> tuple[_Cached, ...]:
    # The bounded per-word and per-pair caches of the core (the one-entry caches of compiled
    # tables stay).
    return (
        normalize._fold_word,
        normalize._make_token,
        normalize.try_normalize_name,
        transliterate.romanize,
        scripts.char_script,
        phonetic.skeleton,
        phonetic.consonant_key,
        phonetic.metaphone,
        acronym._expands,
        features._token_similarity,
    )


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return trim


def release() -> None:
    """Clear the core's caches and return the C heap's free pages to the operating system."""
    for cache in _caches():
        cache.cache_clear()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
