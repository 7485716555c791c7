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

Normalizing (``normalize_names``) takes another way: a second, fresh interpreter normalizes
part of the names while this process normalizes the rest, and sends their forms back pickled; a
thread here feeds it and reads its chunks as they come, so it never waits on a full pipe. At
300,000 names that took normalizing from 15.1 s with a forked process (which waited on the pipe)
to 12.4 s, and the job's peak while normalizing from 987 to 807 MiB (summed PSS): the fresh
interpreter inherits no heap to copy. It is started with ``subprocess`` rather than
``multiprocessing``'s "spawn", which would re-run the caller's main module in the new process
(a script without a ``__main__`` guard would start its whole job again); ``-I`` keeps the
caller's working directory off its path, so an unrelated ``app`` package there is not imported
in place of this one.
"""

from __future__ import annotations

import logging
import mmap
import multiprocessing
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from struct import error as struct_error

import numpy as np
import numpy.typing as npt

import app
from app.core.compare import batch_probabilities
from app.core.normalize import try_normalize_name
from app.core.normalize_worker import HEADER
from app.core.score import Model
from app.core.types import NameForm

__all__ = ["PARALLEL_MIN_NAMES", "PARALLEL_MIN_PAIRS", "normalize_names", "score_pairs"]

_log = logging.getLogger(__name__)

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


# Below this many names, normalizing them here is as fast as starting a second interpreter.
PARALLEL_MIN_NAMES = 20_000
# Share of the names the second interpreter normalizes: less than half, since it first starts
# and imports the normalizer (about a second) and this process then loads its forms.
_HELPER_SHARE = 0.45
# The second interpreter: isolated (-I: no working directory or user site on its path, no
# PYTHON* variables), with this very ``app`` package first on its path.
_WORKER = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from app.core.normalize_worker import serve; serve(sys.stdin.buffer, sys.stdout.buffer)"
)


class _Normalizer:
    """A second interpreter normalizing ``names``; a thread feeds it and reads its chunks of
    pickled forms while the caller works (so it never waits on a full pipe)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.count = len(names)
        self.chunks: list[bytes] = []
        self.error: str | None = None
        root = str(Path(app.__file__).resolve().parent.parent)
        # Its error output goes to a file, read once it has ended: a pipe nobody reads while it
        # runs would stall it as soon as it wrote more than the pipe holds.
        # Closed by ``forms`` or ``stop``; the object outlives this method, so no ``with``.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", _WORKER, root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
            )
        except BaseException:
            self.stderr.close()
            raise
        self.thread = threading.Thread(target=self._exchange, args=(list(names),), daemon=True)
        self.thread.start()

    def _exchange(self, names: list[str]) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            with stdin:
                pickle.dump(names, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            del names
            while head := stdout.read(HEADER.size):
                (size,) = HEADER.unpack(head)
                blob = stdout.read(size)
                if len(blob) != size:
                    break
                self.chunks.append(blob)
        except (OSError, ValueError, struct_error) as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    def forms(self) -> list[NameForm | None] | None:
        """The forms of every name, in order, or None (logged) when the interpreter failed."""
        self.thread.join()
        code = self.process.wait()
        with self.stderr:
            self.stderr.seek(0)
            stderr = self.stderr.read()
        forms: list[NameForm | None] = []
        if code == 0 and self.error is None:
            self.chunks.reverse()
            while self.chunks:  # each chunk's bytes go as soon as its forms are loaded
                forms.extend(pickle.loads(self.chunks.pop()))
            if len(forms) == self.count:
                return forms
        why = self.error or stderr.decode("utf-8", "replace").strip()[-500:] or f"exit {code}"
        _log.warning("the normalizing process failed (%s); normalizing its names here", why)
        return None

    def stop(self) -> None:
        """End the interpreter (the caller gave up)."""
        self.process.kill()
        self.thread.join()
        self.process.wait()
        self.stderr.close()


def normalize_names(
    names: Sequence[str],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[NameForm | None]:
    """``try_normalize_name`` of every name, in order, on two processes when asked.

    Normalizing is pure Python and comes before any pair is scored, while the second core is
    idle: with ``workers`` of 2 or more and ``PARALLEL_MIN_NAMES`` names or more, a second
    interpreter normalizes the last ``_HELPER_SHARE`` of them while this process normalizes
    the rest. The forms are equal either way; should the second interpreter fail to start or
    die, its names are normalized here. ``progress(count)`` is called as names are done.
    """
    note = progress or (lambda _count: None)
    if workers <= 1 or len(names) < PARALLEL_MIN_NAMES or not sys.executable:
        return _normalize_here(names, note)
    split = len(names) - int(len(names) * _HELPER_SHARE)
    try:
        helper = _Normalizer(names[split:])
    except OSError as exc:
        _log.warning("no second process to normalize with (%s); normalizing here", exc)
        return _normalize_here(names, note)
    try:
        forms = _normalize_here(names[:split], note)
    except BaseException:
        helper.stop()
        raise
    rest = helper.forms()
    if rest is None:
        rest = _normalize_here(names[split:], note)
    else:
        note(len(rest))
    forms.extend(rest)
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
