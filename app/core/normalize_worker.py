"""The second process of ``app.core.parallel.normalize_names``: names in, their forms out.

``parallel._Normalizer`` starts a fresh interpreter that calls ``serve`` on its standard input
and output. ``serve`` reads one pickled list of names, then writes the forms of ``CHUNK`` names
at a time, each chunk one pickled list behind its length (8 bytes, little-endian), and ends
when all are written.
"""

from __future__ import annotations

import pickle
import struct
from typing import BinaryIO

from app.core.normalize import try_normalize_name

__all__ = ["CHUNK", "HEADER", "serve"]

# Names per chunk. One pickle shares each token object the names of one chunk share (the
# normalizer hands out one object per word), so the forms of larger chunks load smaller.
CHUNK = 50_000
HEADER = struct.Struct("<Q")


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """Read the names from ``source``, write their forms to ``sink`` (see the module docstring)."""
    names: list[str] = pickle.load(source)
    # The whole-name cache is for a long-lived process that meets a name twice; these names are
    # distinct and this process ends when they are done.
    normalize = try_normalize_name.__wrapped__
    for lo in range(0, len(names), CHUNK):
        blob = pickle.dumps(
            [normalize(name) for name in names[lo : lo + CHUNK]], protocol=pickle.HIGHEST_PROTOCOL
        )
        sink.write(HEADER.pack(len(blob)))
        sink.write(blob)
        sink.flush()
