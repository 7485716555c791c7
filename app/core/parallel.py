"""Scoring of many candidate pairs, on several cores when asked.

The comparison is pure Python (some 25-45 µs a pair on this kind of machine), so a batch of
millions of pairs is shared out among processes: the calling process and ``workers - 1`` forked
ones, started after the batch is normalized. Each forked process inherits the forms and the
model (copy-on-write, nothing pickled). All of them take chunks of pairs from one shared counter
and write the probabilities straight into one shared anonymous mapping, so nothing is sent back
either, and a slower process simply takes fewer chunks. Where ``fork`` is unavailable, or for
small batches, the calling process scores every pair: the answer is the same either way.

Why the caller scores too, rather than wait for a pool: a forked process that reads the forms
writes their reference counts, and so gets its own copy of nearly every page that holds them.
At a million names each pool worker came to hold some 1.7 GiB of its own, and two of them
beside the idle parent made the job 4.9 GiB in all (summed proportional set size), over the
clustering issue's 4 GiB; with the parent as one of the two, one such copy is saved at no cost
in speed (two cores, two processes scoring either way), and the job peaked at 3.6 GiB
(benchmarks/results/cluster_scale.md). ``multiprocessing`` starts the processes
and provides the locked counter; ``mmap`` the shared result buffer.
"""

from __future__ import annotations

import mmap
import multiprocessing
from collections.abc import Sequence
from multiprocessing.sharedctypes import Synchronized

import numpy as np
import numpy.typing as npt

from app.core.compare import batch_probabilities
from app.core.score import Model
from app.core.types import NameForm

__all__ = ["PARALLEL_MIN_PAIRS", "score_pairs"]

# Below this many pairs, starting processes costs more than it saves.
PARALLEL_MIN_PAIRS = 20_000
_CHUNK = 20_000


def _drain(
    forms: Sequence[NameForm],
    pairs: npt.NDArray[np.int64],
    model: Model,
    counter: Synchronized[int],
    out: npt.NDArray[np.float64],
) -> None:
    """Score chunks of ``pairs`` into ``out`` until the shared ``counter`` of chunks runs past
    the end (run by the caller and by every forked process)."""
    n = len(pairs)
    while True:
        with counter.get_lock():
            lo = counter.value * _CHUNK
            counter.value += 1
        if lo >= n:
            return
        chunk = pairs[lo : lo + _CHUNK].tolist()
        out[lo : lo + len(chunk)] = batch_probabilities(
            ((forms[i], forms[j]) for i, j in chunk), model
        )


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
        workers: processes that score, the calling one included; 1 scores in the calling
            process alone.

    Raises:
        RuntimeError: a forked process died before its chunks were scored.
    """
    n = len(pairs)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or n < PARALLEL_MIN_PAIRS or not forkable:
        out = np.empty(n, dtype=np.float64)
        for lo in range(0, n, _CHUNK):
            chunk = pairs[lo : lo + _CHUNK].tolist()
            out[lo : lo + len(chunk)] = batch_probabilities(
                ((forms[i], forms[j]) for i, j in chunk), model
            )
        return out
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    # An anonymous mapping is shared with the processes forked after it is made; it is unmapped
    # when the last array over it goes.
    view = np.frombuffer(mmap.mmap(-1, n * np.dtype(np.float64).itemsize), dtype=np.float64)
    helpers = [
        context.Process(target=_drain, args=(forms, pairs, model, counter, view), daemon=True)
        for _ in range(workers - 1)
    ]
    for helper in helpers:
        helper.start()
    try:
        _drain(forms, pairs, model, counter, view)
    except BaseException:
        for helper in helpers:
            helper.terminate()
        raise
    finally:
        for helper in helpers:
            helper.join()
    failed = [h.exitcode for h in helpers if h.exitcode != 0]
    if failed:
        msg = f"a scoring process exited with code {failed[0]} before its pairs were scored"
        raise RuntimeError(msg)
    return view.copy()
