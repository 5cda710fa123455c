"""Bytes to text: the one decoder of every text input (documents, tables, labels files, stdin).

Chinese government files come in UTF-8 (with or without BOM), GB18030/GBK and
sometimes UTF-16 (with or without BOM). :func:`detect` judges the encoding from
the first bytes, decoding them incrementally so that a sample cut inside a
multi-byte character is not mistaken for another encoding; every reader then
decodes strictly with what it found, or with the encoding the user names
(``--encoding``). Files are read only when they are regular files under a size
limit: a FIFO would hang, and a huge file would exhaust memory.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import InputError

__all__ = [
    "MAX_INPUT_BYTES",
    "set_input_limit",
    "input_limit",
    "SAMPLE_BYTES",
    "detect",
    "decode_bytes",
    "read_bytes",
    "read_text",
    "open_text",
    "check_encoding",
]

MAX_INPUT_BYTES = 64 << 20
"""Largest document read into memory by default (64 MiB): a plan is rarely over 1 MiB. Tables stream, uncapped."""
_LIMIT = {"bytes": MAX_INPUT_BYTES}


def set_input_limit(limit: int) -> None:
    """Set the largest document read into memory (``--max-size``) for this process."""
    _LIMIT["bytes"] = limit


def input_limit() -> int:
    return _LIMIT["bytes"]


SAMPLE_BYTES = 1 << 16
_TEXT_PUNCTUATION = "，。、；：？！“”‘’（）《》【】—…·「」『』〔〕"


def check_encoding(encoding: str | None) -> str | None:
    """``encoding`` if Python knows it (``None`` passes), else a one-line :class:`InputError`."""
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} (try utf-8, gb18030 or utf-16)", option="--encoding") from None


def _looks_binary(sample: bytes) -> bool:
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
        1
        for ch in sample
        if ch.isascii()
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"  # CJK symbols and punctuation
        or "\uff00" <= ch <= "\uffef"  # full-width forms: ２０２１, （一）
        or ch in _TEXT_PUNCTUATION
    )
    return good / len(sample) > 0.8


def _partial(sample: bytes, encoding: str, complete: bool) -> str:
    """Decode ``sample`` strictly; when it is only the head of a file, a cut last character is allowed."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    return decoder.decode(sample, final=complete)


def _utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``sample`` reads as UTF-16 text without a BOM (Windows "Unicode")."""
    if b"\x00" not in sample[:8192]:
        return None
    head = sample[: min(len(sample), 8192) // 2 * 2]
    for codec in ("utf-16-le", "utf-16-be"):
        text = head.decode(codec, errors="replace")
        if _plausible(text) and not _looks_binary(text.encode("utf-8")):
            return codec
    return None


def detect(sample: bytes, name: str = "input", complete: bool = True) -> str:
    """The encoding of text whose first bytes are ``sample`` (the whole text when ``complete``).

    One of ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``, ``utf-8``,
    ``gb18030``. Raises :class:`InputError` for binary data or bytes no
    supported encoding reads.
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    codec = _utf16_without_bom(sample)
    if codec:
        return codec
    if _looks_binary(sample[:8192]):
        raise InputError(
            f"{name}: binary file, not text (expected a plan as .txt, .docx, .pdf, .html, or a .csv / .jsonl table)",
            path=name,
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            text = _partial(sample, encoding, complete)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return encoding
    raise InputError(f"{name}: cannot decode the text (tried UTF-8, UTF-16 and GB18030/GBK; see --encoding)", path=name)


def decode_bytes(data: bytes, name: str = "input", encoding: str | None = None) -> str:
    """Decode a whole text: with ``encoding`` when given, else with the detected one. BOMs are removed."""
    encoding = check_encoding(encoding) or detect(data, name)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: cannot decode as {encoding} at byte {exc.start} ({exc.reason})", path=name, option="--encoding"
        ) from None
    return text.removeprefix("\ufeff")


def _regular_file(path: Path) -> os.stat_result:
    """The stat of ``path`` when it is a readable regular file; clear errors for everything else."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", path=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, expected a file", path=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: not a regular file (a pipe or device); give a file, or '-' for standard input", path=str(path)
        )
    return info


def read_bytes(path: str | Path, limit: int | None = -1) -> bytes:
    """The bytes of a regular file no larger than ``limit`` (default: :func:`input_limit`; ``None``: no limit)."""
    path = Path(path)
    info = _regular_file(path)
    limit = input_limit() if limit == -1 else limit
    if limit is not None and info.st_size > limit:
        raise InputError(
            f"{path}: {_size(info.st_size)} is over the input limit of {_size(limit)} (a plan is rarely over 1 MiB)",
            path=str(path),
            limit="--max-size",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", path=str(path)) from None


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def read_text(path: str | Path, encoding: str | None = None, limit: int | None = -1) -> str:
    """A whole text file in any supported encoding (or ``encoding``), as a string without BOM."""
    return decode_bytes(read_bytes(path, limit), str(path), encoding)


def open_text(path: str | Path, encoding: str | None = None) -> TextIO:
    """Open a text file for streaming (tables): the encoding is judged from its first 64 KiB.

    The stream decodes strictly; a bad byte later in the file is an error
    naming the file, never silently replaced.
    """
    path = Path(path)
    _regular_file(path)
    if encoding is None:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
            complete = len(head) < SAMPLE_BYTES or not fh.read(1)
        encoding = detect(head, str(path), complete)
    else:
        encoding = check_encoding(encoding)
    return open(path, encoding=encoding, errors="strict", newline="")


def open_binary_text(stream: BinaryIO, name: str = "stdin", encoding: str | None = None) -> TextIO:
    """A text stream over a binary one (stdin), the encoding judged from its first 64 KiB."""
    buffered = io.BufferedReader(stream) if not hasattr(stream, "peek") else stream
    if encoding is None:
        head = buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
        encoding = detect(head, name, complete=False) if head else "utf-8"
    return io.TextIOWrapper(buffered, encoding=check_encoding(encoding), errors="strict", newline="")
