"""Bytes in, text out: find a file's format and encoding and split off the corpus header.

Chinese government files come in UTF-8, UTF-8 with BOM, GB18030/GBK and
sometimes UTF-16; this module decodes all of them or raises one clear error.
Plans may also be Word (.docx), PDF or HTML files: :func:`read_document`
reads those through :mod:`eduplan.extract`, judging the format by the bytes
where they are recognisable and by the extension otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import extract
from .errors import InputError

__all__ = [
    "Document",
    "decode_bytes",
    "decode_lines",
    "utf16_without_bom",
    "document_text",
    "read_text",
    "read_document",
    "parse_header",
]

HEADER_KEYS = ("source", "title", "kind", "region", "year")
_HEADER_LINE = re.compile(r"^(source|title|kind|region|year):[ \t]?(.*)$")


@dataclass
class Document:
    """A plan document: its id, its text (without the corpus header) and metadata."""

    doc_id: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def _plausible(text: str) -> bool:
    """Reject decodings that are mostly rare symbols (a wrong codec's output)."""
    if not text:
        return True
    sample = text[:20000]
    good = sum(
        1 for ch in sample if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：？！“”‘’（）《》【】—…·"
    )
    return good / len(sample) > 0.8


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` reads as UTF-16 text without a BOM, else ``None``.

    Windows saves "Unicode" text so; its ASCII characters make NUL bytes that otherwise mean a binary file.
    """
    sample = data[:8192]
    sample = sample[: len(sample) // 2 * 2]
    if b"\x00" not in sample:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        text = sample.decode(codec, errors="replace")
        if _plausible(text) and not _looks_binary(text.encode("utf-8")):
            return codec
    return None


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode ``data`` as UTF-8 (with or without BOM), UTF-16 (with BOM, or without when it reads as text) or GB18030.

    Raises :class:`InputError` for binary data or bytes no supported encoding reads.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: looks like UTF-16 but cannot be decoded ({exc.reason})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    codec = utf16_without_bom(data) if len(data) % 2 == 0 else None
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: looks like UTF-16 but cannot be decoded ({exc.reason})") from None
    if _looks_binary(data):
        raise InputError(f"{name}: binary file, not text (expected a plan as .txt, .docx, .pdf, .html, .csv or .jsonl)")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    raise InputError(f"{name}: cannot decode the text (tried UTF-8, UTF-16 and GB18030/GBK)")


def decode_lines(lines: Iterable[bytes], name: str = "stdin") -> Iterator[str]:
    """Decode a stream of text lines one at a time (UTF-8, UTF-8 BOM or GB18030/GBK), e.g. stdin.

    Raises :class:`InputError` naming the line that is binary or cannot be decoded.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        yield decode_bytes(raw, f"{name} line {number}")


def _read_bytes(path: Path) -> bytes:
    """The bytes of the file at ``path``, with clear errors for missing or odd paths."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return data


def read_text(path: str | Path) -> str:
    """Read a text file in any supported encoding, with clear errors for missing or odd paths."""
    path = Path(path)
    return decode_bytes(_read_bytes(path), str(path))


_SUFFIX_FORMATS = {".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}


def document_text(data: bytes, name: str = "input", suffix: str = "") -> str:
    """The plain text of a plan file's bytes: .txt, .docx, .pdf or .html.

    The format is judged by content (PDF and ZIP signatures, an HTML doctype or
    ``<html``) and, failing that, by ``suffix``; anything else, and an "HTML" file
    without a single tag, is decoded as text.
    """
    kind = extract.sniff(data, name) or _SUFFIX_FORMATS.get(suffix.lower(), "text")
    if kind == "docx":
        return extract.docx_text(data, name)
    if kind == "pdf":
        return extract.pdf_text(data, name)
    text = decode_bytes(data, name)
    if (kind == "html" and "<" in text) or extract.looks_like_html(text):
        return extract.html_text(text, name)
    return text


def parse_header(text: str) -> tuple[dict[str, str], str]:
    """Split the five-line corpus header (``source:`` … ``year:``) from ``text``.

    Returns ``(meta, body)``; files without the header give ``({}, text)``.
    """
    lines = text.lstrip("\ufeff").split("\n")
    meta: dict[str, str] = {}
    for line in lines[: len(HEADER_KEYS)]:
        match = _HEADER_LINE.match(line.rstrip("\r"))
        if not match:
            break
        meta[match.group(1)] = match.group(2).strip()
    if set(meta) != set(HEADER_KEYS):
        return {}, text
    return meta, "\n".join(lines[len(HEADER_KEYS) :]).lstrip("\n")


def read_document(path: str | Path, doc_id: str | None = None) -> Document:
    """Read a plan document (.txt, .docx, .pdf or .html) from ``path``; its id defaults to the file name's stem."""
    path = Path(path)
    meta, body = parse_header(document_text(_read_bytes(path), str(path), path.suffix))
    return Document(doc_id=doc_id or path.stem, text=body, meta=meta, path=path)
