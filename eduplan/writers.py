"""Rows out: one streaming writer per format (table, jsonl, csv, xlsx), used by every command.

A writer takes plain dict rows (lists such as ``top`` and ``secondary`` are
flattened for the flat formats) and writes them as they come, except the
table, which aligns its columns and so waits for the last row. Writing to a
file goes to a temporary file that replaces the target only when every row
is written: an error leaves the old file, never half a new one. CSV written
to a file starts with a BOM, so Excel on Windows reads the Chinese.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from .errors import UsageError

__all__ = ["WRITERS", "FORMATS", "format_for", "write_rows", "table_text", "flat"]

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


class _Writer:
    binary = False

    def __init__(self, stream, columns: list[str], clip: dict[str, int] | None = None):
        self.stream = stream
        self.columns = columns
        self.clip = clip or {}
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self.count += 1

    def close(self) -> None:
        pass


class JsonlWriter(_Writer):
    _encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row

    def write(self, row: dict[str, Any]) -> None:
        self.stream.write(self._encode(row) + "\n")
        self.count += 1


class CsvWriter(_Writer):
    def __init__(self, stream, columns, clip=None):
        super().__init__(stream, columns, clip)
        self.writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        self.writer.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow(flat(row))
        self.count += 1


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
    """Write ``rows`` in ``fmt`` to ``out`` (atomically) or to standard output; returns the number of rows."""
    writer_class = WRITERS[fmt]

    def write_all(stream) -> int:
        writer = writer_class(stream, columns, clip)
        for row in rows:
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
