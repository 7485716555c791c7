"""Readers and writers for the CLI's files: names (TXT, CSV, JSONL, Parquet), pairs (TSV), JSON
Lines. Every reader streams: one line (or one Parquet record batch) at a time."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from app.errors import InputFormatError

__all__ = ["read_lines", "read_names", "read_pairs", "write_jsonl"]


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file, split on newlines only (not on U+2028 and the like).

    Raises:
        InputFormatError: the file is not valid UTF-8 (the message names the line).
    """
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                msg = f"{path}:{number}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
                raise InputFormatError(msg) from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text.rstrip("\n").rstrip("\r")


def _count(value: Any, where: str) -> int:
    if value in (None, ""):
        return 1
    try:
        count = int(value)
    except (TypeError, ValueError):
        msg = f"{where}: count {value!r} is not a whole number"
        raise InputFormatError(msg) from None
    if count < 1:
        msg = f"{where}: count must be at least 1, got {count}"
        raise InputFormatError(msg)
    return count


def read_names(path: Path) -> Iterator[tuple[str, int]]:
    """(name, count) pairs from a text file (one name per line), a CSV with a ``name`` column
    (optional ``count``), JSON Lines objects with ``name`` (optional ``count``) or a Parquet
    file with a string ``name`` column (optional integer ``count``). Blank names are skipped."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _read_parquet(path)
    elif suffix == ".csv":
        yield from _read_csv(path)
    elif suffix in (".jsonl", ".ndjson"):
        for number, line in read_lines(path):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                msg = f"{where}: not valid JSON ({exc.msg})"
                raise InputFormatError(msg) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
                msg = f'{where}: expected an object with a string "name"'
                raise InputFormatError(msg)
            if obj["name"].strip():
                yield obj["name"], _count(obj.get("count"), where)
    else:
        for _, line in read_lines(path):
            if line.strip():
                yield line, 1


def _read_csv(path: Path) -> Iterator[tuple[str, int]]:
    lines = (text + "\n" for _, text in read_lines(path))
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or "name" not in reader.fieldnames:
        msg = f'{path}:1: a CSV needs a "name" column'
        raise InputFormatError(msg)
    for number, row in enumerate(reader, start=2):
        name = row.get("name") or ""
        if name.strip():
            yield name, _count(row.get("count"), f"{path}:{number}")


# Rows per Parquet record batch: memory stays bounded whatever the file's row groups.
_PARQUET_BATCH = 65_536


def _read_parquet(path: Path) -> Iterator[tuple[str, int]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        msg = f"{path}: reading Parquet needs pyarrow (pip install 'canonym[parquet]')"
        raise InputFormatError(msg) from None
    try:
        source = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid/OSError family
        msg = f"{path}: not a readable Parquet file ({exc})"
        raise InputFormatError(msg) from None
    columns = source.schema_arrow.names
    if "name" not in columns:
        msg = f'{path}: a Parquet file needs a "name" column (it has {columns[:10]})'
        raise InputFormatError(msg)
    wanted = ["name", "count"] if "count" in columns else ["name"]
    row = 0
    for batch in source.iter_batches(batch_size=_PARQUET_BATCH, columns=wanted):
        names = batch.column("name").to_pylist()
        counts = batch.column("count").to_pylist() if "count" in wanted else [None] * len(names)
        for name, count in zip(names, counts, strict=True):
            row += 1
            if name is None:
                continue
            if not isinstance(name, str):
                msg = f"{path}: row {row}: name {name!r} is not a string"
                raise InputFormatError(msg)
            if name.strip():
                yield name, _count(count, f"{path}: row {row}")


def read_pairs(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line number, first name, second name or None) of a TSV with two names per line."""
    for number, line in read_lines(path):
        a, sep, b = line.partition("\t")
        yield number, a, (b if sep else None)


def write_jsonl(fh: IO[str], obj: dict[str, Any]) -> None:
    """One JSON object per line; ASCII escapes keep every record on one physical line."""
    fh.write(json.dumps(obj, ensure_ascii=True) + "\n")
