"""Scoring of many candidate pairs, and normalizing many names, on several cores when asked.

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
import pickle
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized

import numpy as np
import numpy.typing as npt

from app.core.compare import batch_probabilities
from app.core.normalize import try_normalize_name
from app.core.score import Model
from app.core.types import NameForm

__all__ = ["PARALLEL_MIN_NAMES", "PARALLEL_MIN_PAIRS", "normalize_names", "score_pairs"]

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


# Below this many names, normalizing them in one process is as fast as forking a second.
PARALLEL_MIN_NAMES = 20_000
# Names per message from the forked process: the pickle of one message shares each token the
# names repeat (the normalizer hands out one object per word), so larger messages hold fewer
# copies of the common words once loaded; 50,000 forms make some 10 MB.
_NAMES_CHUNK = 50_000


def _normalize_into(names: Sequence[str], connection: Connection) -> None:
    """Normalize ``names`` and send the forms back in pickled chunks (run in a forked process)."""
    for lo in range(0, len(names), _NAMES_CHUNK):
        forms = [try_normalize_name(name) for name in names[lo : lo + _NAMES_CHUNK]]
        connection.send_bytes(pickle.dumps(forms, protocol=pickle.HIGHEST_PROTOCOL))
    connection.close()


def normalize_names(
    names: Sequence[str],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[NameForm | None]:
    """``try_normalize_name`` of every name, in order, on two processes when asked.

    Normalizing is pure Python and runs before any pair is scored, while the second core is
    idle: a forked process normalizes the second half of the names and sends the forms back
    pickled (about a quarter of the time normalizing them takes to load again), while this one
    normalizes the first half. A million names are normalized in 0.6 of the time. The forms
    are equal either way; ``progress(count)`` is called as names are done.

    Raises:
        RuntimeError: the forked process died before it sent its forms.
    """
    note = progress or (lambda _count: None)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(names) < PARALLEL_MIN_NAMES or not forkable:
        return _normalize_here(names, note)
    half = len(names) // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    helper = context.Process(target=_normalize_into, args=(names[half:], sender), daemon=True)
    helper.start()
    sender.close()
    try:
        forms = _normalize_here(names[:half], note)
        while len(forms) < len(names):
            try:
                chunk: list[NameForm | None] = pickle.loads(receiver.recv_bytes())
            except EOFError:
                helper.join()
                msg = f"the normalizing process exited with code {helper.exitcode} early"
                raise RuntimeError(msg) from None
            forms.extend(chunk)
            note(len(chunk))
    except BaseException:
        helper.terminate()
        raise
    finally:
        receiver.close()
        helper.join()
    return forms


def _normalize_here(names: Sequence[str], note: Callable[[int], None]) -> list[NameForm | None]:
    forms: list[NameForm | None] = []
    for k, name in enumerate(names, start=1):
        forms.append(try_normalize_name(name))
        if k % 10_000 == 0:
            note(10_000)
    if rest := len(names) % 10_000:
        note(rest)
    return forms
