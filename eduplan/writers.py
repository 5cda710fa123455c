"""Rows out: one streaming writer per format (table, jsonl, csv, xlsx), used by every command.

A writer takes plain dict rows (lists such as ``top`` and ``secondary`` are
flattened for the flat formats), or a :class:`RowBlock` of many rows as one
list per column (a table's chunk: JSON lines and CSV write it column by
column, with no dict per row), and writes them as they come, except the
table, which aligns its columns and so waits for the last row. Writing to a
file goes to a temporary file that replaces the target only when every row
is written: an error leaves the old file, never half a new one. CSV written
to a file starts with a BOM, so Excel on Windows reads the Chinese.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .errors import UsageError

__all__ = ["WRITERS", "FORMATS", "RowBlock", "format_for", "write_rows", "table_text", "flat"]

FORMATS = ("table", "jsonl", "csv", "xlsx")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}


def format_for(out: str | Path | None, fmt: str | None, interactive: bool) -> str:
    """The output format: ``fmt`` if given, else from ``out``'s suffix, else table on a terminal and jsonl otherwise."""
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", option="--format")
        return fmt
    if out is not None:
        suffix = Path(out).suffix.lower()
        if suffix not in _SUFFIXES:
            raise UsageError(f"{out}: cannot tell the format from {suffix or 'no suffix'!r}; give --format", option="--format")
        return _SUFFIXES[suffix]
    return "table" if interactive else "jsonl"


def _cell(value: Any) -> str:
    """One value as flat text: lists joined, scores with three decimals."""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        parts = []
        for entry in value:
            if isinstance(entry, dict) and "theme" in entry:
                parts.append(f"{entry['theme']}:{entry['score']:.2f}")
            elif isinstance(entry, dict) and "term" in entry:
                parts.append(f"{entry['term']}({entry['weight']:.2f})")
            else:
                parts.append(str(entry))
        return ";".join(parts) if value and not isinstance(value[0], dict) else " ".join(parts)
    return "" if value is None else str(value)


def flat(row: dict[str, Any]) -> dict[str, str]:
    return {k: _cell(v) for k, v in row.items()}


def _cells(values: list) -> list[str]:
    """:func:`_cell` of a whole column (text columns as they are)."""
    return values if all(type(v) is str for v in values) else list(map(_cell, values))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        if used + _width(ch) > limit - 1:
            break
        out.append(ch)
        used += _width(ch)
    return "".join(out) + "…"


def table_text(rows: list[dict[str, Any]], columns: list[str], clip: dict[str, int] | None = None) -> str:
    """A plain aligned table, East-Asian wide characters counted as two columns."""
    clip = clip or {}
    cells = [[_clip(_cell(row.get(c, "")), clip.get(c, 10_000)) for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells])


@dataclass(frozen=True)
class RowBlock:
    """Many rows as one list per column (all the same length); ``None`` marks a value the row does not have."""

    columns: dict[str, list]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def rows(self) -> Iterator[dict[str, Any]]:
        """The block as plain dict rows (the absent values left out)."""
        names = list(self.columns)
        for values in zip(*self.columns.values()):
            yield {name: value for name, value in zip(names, values) if value is not None}

    def complete(self) -> bool:
        """Whether every row has every column."""
        return not any(None in values for values in self.columns.values())


class _Writer:
    binary = False

    def __init__(self, stream, columns: list[str], clip: dict[str, int] | None = None):
        self.stream = stream
        self.columns = columns
        self.clip = clip or {}
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self.count += 1

    def write_block(self, block: RowBlock) -> None:
        for row in block.rows():
            self.write(row)

    def close(self) -> None:
        pass


_json_string = json.encoder.encode_basestring  # what the encoder writes for a str (ensure_ascii=False)


class JsonlWriter(_Writer):
    _encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row

    def write(self, row: dict[str, Any]) -> None:
        self.stream.write(self._encode(row) + "\n")
        self.count += 1

    def write_block(self, block: RowBlock) -> None:
        """The same lines as :meth:`write` gives row by row, each column encoded in one pass."""
        if not block.complete():
            return super().write_block(block)
        line = "{" + ", ".join(_json_string(name).replace("%", "%%") + ": %s" for name in block.columns) + "}\n"
        encoded = [self._column(values) for values in block.columns.values()]
        self.stream.write("".join([line % values for values in zip(*encoded)]))
        self.count += len(block)

    def _column(self, values: list) -> list[str]:
        kinds = set(map(type, values))
        if kinds <= {str}:
            return list(map(_json_string, values))
        if kinds <= {int}:
            return list(map(int.__repr__, values))
        if kinds <= {float} and all(map(math.isfinite, values)):
            return list(map(float.__repr__, values))
        if kinds <= {list}:  # lists of theme ids repeat: encode each distinct one once
            memo: dict = {}
            try:
                return [memo[key] if (key := tuple(v)) in memo else memo.setdefault(key, self._encode(v)) for v in values]
            except TypeError:  # lists of dicts (top, explain)
                pass
        return list(map(self._encode, values))


class CsvWriter(_Writer):
    def __init__(self, stream, columns, clip=None):
        super().__init__(stream, columns, clip)
        self.writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        self.writer.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow(flat(row))
        self.count += 1

    def write_block(self, block: RowBlock) -> None:
        """The same lines as :meth:`write` gives row by row, each column flattened in one pass."""
        if not block.complete():
            return super().write_block(block)
        blank = [""] * len(block)
        cells = [_cells(block.columns[c]) if c in block.columns else blank for c in self.columns]
        self.writer.writer.writerows(zip(*cells))
        self.count += len(block)


class TableWriter(_Writer):
    def __init__(self, stream, columns, clip=None):
        super().__init__(stream, columns, clip)
        self.rows: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.count += 1

    def close(self) -> None:
        self.stream.write(table_text(self.rows, self.columns, self.clip) + "\n")


class XlsxWriter(_Writer):
    """An Excel workbook, written row by row (openpyxl's write-only mode)."""

    binary = True

    def __init__(self, stream, columns, clip=None):
        from openpyxl import Workbook

        super().__init__(stream, columns, clip)
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("eduplan")
        self.sheet.append(columns)

    def write(self, row: dict[str, Any]) -> None:
        values = flat(row)
        self.sheet.append([_excel_safe(values.get(c, "")) for c in self.columns])
        self.count += 1

    def close(self) -> None:
        self.book.save(self.stream)


def _excel_safe(value: str) -> str:
    """Drop the control characters Excel files cannot hold."""
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)


WRITERS: dict[str, type[_Writer]] = {"table": TableWriter, "jsonl": JsonlWriter, "csv": CsvWriter, "xlsx": XlsxWriter}
"""The writer of each format: adding a format is one entry."""


def write_rows(
    rows: Iterable[dict[str, Any]],
    columns: list[str],
    fmt: str,
    out: str | Path | None = None,
    clip: dict[str, int] | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Write ``rows`` (dicts, or :class:`RowBlock` s of many rows) in ``fmt`` to ``out`` (atomically) or to
    standard output; returns the number of rows."""
    writer_class = WRITERS[fmt]

    def write_all(stream) -> int:
        writer = writer_class(stream, columns, clip)
        for row in rows:
            if isinstance(row, RowBlock):
                writer.write_block(row)
            else:
                writer.write(row)
        writer.close()
        return writer.count

    if out is None:
        if writer_class.binary:
            raise UsageError(f"the {fmt} format needs a file: give --out FILE.{fmt}", option="--out")
        return write_all(stdout or sys.stdout)
    from .persist import atomic_path

    with atomic_path(out) as tmp:
        if writer_class.binary:
            with open(tmp, "wb") as handle:
                return write_all(handle)
        with open(tmp, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as handle:
            return write_all(handle)
