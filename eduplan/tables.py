"""Tables in: CSV, TSV and JSONL files of texts, streamed in chunks of rows.

One registry, :data:`TABLE_FORMATS`, maps suffixes to formats. Every table is
decoded by :mod:`eduplan.decoding` (UTF-8 with or without BOM, UTF-16,
GB18030/GBK, or ``encoding``); errors name the file and the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from .decoding import open_text
from .errors import InputError

__all__ = ["TABLE_FORMATS", "table_suffixes", "table_kind", "table_header", "iter_table", "read_table"]

TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""Table formats by suffix: one entry per format."""


def table_suffixes() -> list[str]:
    return list(TABLE_FORMATS)


def table_kind(path: str | Path) -> str | None:
    """``"csv"``, ``"tsv"``, ``"jsonl"`` or ``None`` (not a table), by suffix."""
    return TABLE_FORMATS.get(Path(path).suffix.lower())


def table_header(path: str | Path, encoding: str | None = None) -> list[str]:
    """The column names of a table: its header row (CSV/TSV) or the keys of its first record (JSONL).

    A plain CSV header is read with the csv module (no pandas import before the work starts); one that pandas
    would rename (an empty or repeated name) is read by pandas, as the chunks will be.
    """
    kind = table_kind(path) or "csv"
    if kind != "jsonl":
        import csv

        with open_text(Path(path), encoding) as stream:
            try:
                names = next(csv.reader(stream, delimiter="\t" if kind == "tsv" else ","), [])
            except (csv.Error, UnicodeDecodeError):
                names = []
        if names and all(names) and len(set(names)) == len(names):
            return names
    for chunk in iter_table(path, 1, encoding):
        return [str(c) for c in chunk.columns]
    return []


def iter_table(path: str | Path, chunksize: int = 10_000, encoding: str | None = None) -> Iterator:
    """Yield the table at ``path`` as pandas DataFrames of at most ``chunksize`` rows (all columns as text)."""
    import pandas as pd

    path = Path(path)
    kind = table_kind(path) or "csv"
    with open_text(path, encoding) as stream:
        if kind == "jsonl":
            yield from _iter_jsonl(stream, path, chunksize)
            return
        try:  # pandas reads the file itself (its C reader), in the encoding the stream found
            yield from pd.read_csv(
                path,
                encoding=stream.encoding,
                encoding_errors="strict",
                dtype=object,
                keep_default_na=False,
                sep="\t" if kind == "tsv" else ",",
                chunksize=chunksize,
            )
        except pd.errors.EmptyDataError:
            raise InputError(f"{path}: empty file, expected a CSV with a header row", path=str(path)) from None
        except pd.errors.ParserError as exc:
            raise InputError(f"{path}: malformed CSV ({str(exc).splitlines()[0]})", path=str(path)) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: cannot decode as {stream.encoding} ({exc.reason})", path=str(path), option="--encoding"
            ) from None


def _iter_jsonl(stream, path: Path, chunksize: int) -> Iterator:
    rows: list[dict] = []
    first: set[str] | None = None  # the keys of the first record: what a header is to a CSV
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}: line {number} is not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})",
                    path=str(path),
                ) from None
            if not isinstance(record, dict):
                raise InputError(f"{path}: line {number} is not a JSON object", path=str(path))
            if "\\u" in line:  # escapes may encode lone surrogates, which no text encoding can hold
                record = {key: _without_surrogates(value) for key, value in record.items()}
            rows.append(record)
            first = set(record) if first is None else first
            if len(rows) >= chunksize:
                yield _frame(rows, first)
                rows = []
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: cannot decode as {stream.encoding} ({exc.reason})", path=str(path), option="--encoding"
        ) from None
    if rows:
        yield _frame(rows, first)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value):
    """``value`` with every lone surrogate (a broken ``\\ud800`` escape) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _without_surrogates(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _frame(rows: list[dict], first: set[str] | None):
    """A chunk of JSONL records; ``attrs["first_record"]`` keeps the keys of the file's first record."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame.attrs["first_record"] = sorted(first or ())
    return frame


def read_table(path: str | Path, encoding: str | None = None):
    """Read a whole CSV, TSV or JSONL file into one DataFrame."""
    import pandas as pd

    chunks = list(iter_table(path, encoding=encoding))
    if not chunks:
        raise InputError(f"{path}: no rows", path=str(path))
    return pd.concat(chunks, ignore_index=True)
