"""Tables in: CSV and JSONL files of texts, read whole or streamed in chunks.

CSV files may be UTF-8 (with or without BOM) or GB18030/GBK like any other
input; JSONL errors name the broken line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError
from .readers import decode_bytes, utf16_without_bom

__all__ = ["table_kind", "read_table", "iter_table", "detect_encoding"]

_SNIFF = 1 << 16


def table_kind(path: str | Path) -> str | None:
    """``"csv"``, ``"jsonl"`` or ``None`` (not a table), by extension."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return None


def detect_encoding(path: str | Path) -> str:
    """The encoding of a text file, judged from its first 64 KiB."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    codec = utf16_without_bom(head)
    if codec:
        return codec
    decode_bytes(head, str(path))  # raises for binary or undecodable data
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a cut inside the last multi-byte character is still UTF-8
        if exc.start >= len(head) - 3:
            return "utf-8"
        return "gb18030"


def iter_table(path: str | Path, chunksize: int = 10_000) -> Iterator:
    """Yield the table at ``path`` as pandas DataFrames of at most ``chunksize`` rows (all columns as text)."""
    import pandas as pd

    path = Path(path)
    kind = table_kind(path) or "csv"
    encoding = detect_encoding(path)
    if kind == "jsonl":
        yield from _iter_jsonl(path, encoding, chunksize)
        return
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            sep=sep,
            chunksize=chunksize,
            encoding_errors="strict",
        )
        yield from reader
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: empty file, expected a CSV with a header row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: malformed CSV ({str(exc).splitlines()[0]})") from None


def _iter_jsonl(path: Path, encoding: str, chunksize: int) -> Iterator:
    import pandas as pd

    rows: list[dict] = []
    with open(path, encoding=encoding, errors="strict") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}: line {number} is not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
                ) from None
            if not isinstance(record, dict):
                raise InputError(f"{path}: line {number} is not a JSON object")
            rows.append(record)
            if len(rows) >= chunksize:
                yield pd.DataFrame(rows)
                rows = []
    if rows:
        yield pd.DataFrame(rows)


def read_table(path: str | Path):
    """Read a whole CSV or JSONL file into one DataFrame."""
    import pandas as pd

    chunks = list(iter_table(path))
    if not chunks:
        raise InputError(f"{path}: no rows")
    return pd.concat(chunks, ignore_index=True)


def read_text_table(data: bytes, name: str = "input"):
    """Parse CSV ``data`` (any supported encoding) held in memory."""
    import pandas as pd

    return pd.read_csv(io.StringIO(decode_bytes(data, name)), dtype=str, keep_default_na=False)
