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

``collector_paused`` and ``long_lived`` keep Python's cyclic garbage collector from walking
what a batch or the process holds. A clustering batch builds millions of objects that live
until it ends (normalized names, blocks, graphs); at 100,000 names its collections took 29% of
the run (65.7 s with the collector, 46.7 s without, the same peak memory and entities).
``long_lived`` is for a structure built once that lives as long as the process (the
registry's candidate index), which the collector would otherwise walk at every full collection,
while it is built and on every request after: at a million aliases it took 29% of the build
(48.8 s against 34.8 s, benchmarks/results/resolve_1000000.md) and 12% of the CPU time of a
resolve of names not seen before (0.96 against 0.84 ms a name, in process).
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Protocol

from app.core import acronym, features, normalize, phonetic, scripts, transliterate

__all__ = ["RELEASE_MIN_NAMES", "collector_paused", "long_lived", "release"]

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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a batch with the cyclic garbage collector paused, and resume it after (unless the
    caller had paused it).

    The core frees its objects by reference counting as it drops them, so the batch's memory
    is freed when it was before; a reference cycle made meanwhile (rare in the core) waits
    for the collector to resume. Processes forked meanwhile (the scoring workers) inherit the
    pause, which also spares them copying the pages of the objects a collection would touch.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """Build what lives as long as the process inside this block: the cyclic garbage collector
    is paused while it runs (``collector_paused``), then everything alive is moved to the
    collector's permanent generation (``gc.freeze``), which later collections skip.

    The index holds no reference cycles, so pausing the collector leaks nothing; objects
    created afterwards are collected as usual. Frozen objects are still freed by reference
    counting when they are dropped (an alias removed, an entry evicted from a cache).
    """
    try:
        with collector_paused():
            yield
    finally:
        gc.freeze()
