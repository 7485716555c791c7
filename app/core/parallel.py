"""Scoring of many candidate pairs, on several cores when asked.

The comparison is pure Python (some 25-45 µs a pair on this kind of machine), so a batch of
millions of pairs is split over worker processes. They are forked after the batch is
normalized: each inherits the forms and the model (copy-on-write, nothing pickled) and sends
back only its chunk's probabilities. ``multiprocessing`` does the pooling; this module only
decides when a pool pays off and keeps the order of the results. Where ``fork`` is unavailable,
or for small batches, pairs are scored in the calling process: the answer is the same either
way.
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.core.compare import batch_probabilities
from app.core.score import Model
from app.core.types import NameForm

__all__ = ["PARALLEL_MIN_PAIRS", "score_pairs"]

# Below this many pairs, starting processes costs more than it saves.
PARALLEL_MIN_PAIRS = 20_000
_CHUNK = 20_000

# What the forked workers inherit: set just before the pool starts, cleared after.
_JOB: tuple[Sequence[NameForm], npt.NDArray[np.int64], Model] | None = None


def _score_range(bounds: tuple[int, int]) -> bytes:
    if _JOB is None:  # pragma: no cover - only reachable through a misuse of the pool
        msg = "score_pairs workers must be forked by score_pairs"
        raise RuntimeError(msg)
    forms, pairs, model = _JOB
    chunk = pairs[bounds[0] : bounds[1]].tolist()
    scores = batch_probabilities(((forms[i], forms[j]) for i, j in chunk), model)
    return array("d", scores).tobytes()


def score_pairs(
    forms: Sequence[NameForm],
    pairs: npt.NDArray[np.int64],
    model: Model,
    workers: int = 1,
) -> npt.NDArray[np.float64]:
    """The match probability of each pair ``(i, j)`` of ``forms``, in the order of ``pairs``.

    Args:
        forms: the normalized names the pairs index into.
        pairs: an (n, 2) integer array.
        model: the comparison model.
        workers: processes to use; 1 scores in the calling process.
    """
    global _JOB
    n = len(pairs)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or n < PARALLEL_MIN_PAIRS or not forkable:
        out = np.empty(n, dtype=np.float64)
        for k in range(0, n, _CHUNK):
            chunk = pairs[k : k + _CHUNK].tolist()
            out[k : k + len(chunk)] = batch_probabilities(
                ((forms[i], forms[j]) for i, j in chunk), model
            )
        return out
    bounds = [(k, min(k + _CHUNK, n)) for k in range(0, n, _CHUNK)]
    out = np.empty(n, dtype=np.float64)
    _JOB = (forms, pairs, model)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # imap keeps the order; each chunk is copied into place as it arrives.
            for (lo, hi), chunk in zip(bounds, pool.imap(_score_range, bounds), strict=True):
                out[lo:hi] = np.frombuffer(chunk, dtype=np.float64)
    finally:
        _JOB = None
    return out
