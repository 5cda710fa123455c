"""Plan documents in: one registry of readers, judged by content first and by suffix second.

Each :class:`Reader` has a name, the suffixes it claims, a sniff of the
file's first bytes and an extractor from bytes to text. Adding a format (say
``.odt``) is one entry in :data:`READERS`. A file whose bytes match no
signature is decoded as plain text whatever its suffix says (a plain-text plan
named ``.docx`` still reads). The corpus header (five lines ``source:`` …
``year:``) is split off here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import extract
from .decoding import decode_bytes, read_bytes

__all__ = [
    "Reader",
    "READERS",
    "Document",
    "document_suffixes",
    "is_document",
    "reader_for",
    "document_text",
    "read_document",
    "parse_header",
]

HEADER_KEYS = ("source", "title", "kind", "region", "year")
_HEADER_LINE = re.compile(r"^(source|title|kind|region|year):[ \t]?(.*)$")


@dataclass(frozen=True)
class Reader:
    """One document format: ``sniff(first bytes)`` says whether a file is in it, ``extract(bytes, name, encoding)`` reads it."""

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    extract: Callable[[bytes, str, str | None], str]


def _html(data: bytes, name: str, encoding: str | None) -> str:
    text = decode_bytes(data, name, encoding)
    return extract.html_text(text, name) if "<" in text else text


def _text(data: bytes, name: str, encoding: str | None) -> str:
    text = decode_bytes(data, name, encoding)
    return extract.html_text(text, name) if extract.looks_like_html(text) else text


READERS: list[Reader] = [
    Reader("pdf", (".pdf",), extract.is_pdf, lambda data, name, _: extract.pdf_text(data, name)),
    Reader("docx", (".docx",), extract.is_zip, lambda data, name, _: extract.docx_text(data, name)),
    Reader("html", (".html", ".htm"), extract.is_html, _html),
    Reader("text", (".txt", ".md", ".text"), lambda data: False, _text),
]
"""The document formats, in the order their sniffs are tried; the last one (plain text) is the fallback."""


def document_suffixes() -> list[str]:
    """Every suffix a document reader claims (for folder walks and help texts)."""
    return [suffix for reader in READERS for suffix in reader.suffixes]


def is_document(path: str | Path) -> bool:
    """Whether ``path``'s suffix is one a document reader claims."""
    return Path(path).suffix.lower() in document_suffixes()


def reader_for(data: bytes, suffix: str = "", name: str = "input") -> Reader:
    """The reader of a file: the first whose sniff matches its bytes; else plain text.

    The suffix never overrides the bytes: a file named ``.docx`` that is not a
    ZIP archive is read as text (and a binary one is refused as binary).
    """
    extract.refuse_legacy_office(data, name)
    for reader in READERS:
        if reader.sniff(data):
            return reader
    html = next(r for r in READERS if r.name == "html")
    return html if suffix.lower() in html.suffixes else READERS[-1]


def document_text(data: bytes, name: str = "input", suffix: str = "", encoding: str | None = None) -> str:
    """The plain text of a plan file's bytes, in whatever supported format they are."""
    return reader_for(data, suffix, name).extract(data, name, encoding)


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


# A first line that reads as a plan's title names the kind of document, and is not breadcrumbs or page metadata.
_TITLE_WORDS = re.compile(r"计划|要点|总结|规划|方案|意见|报告|汇报|通知|安排|任务|纲要|办法|细则|計劃|規劃|總結")
_NOT_TITLE = re.compile(r"[>|:：]|当前位置|您的位置|首页|发布|来源|索引号|浏览|点击")


@dataclass
class Document:
    """A plan document: its id, its text (without the corpus header) and metadata."""

    doc_id: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def title(self) -> str:
        """The title from the corpus header, else the first of the first lines that reads as a plan's title."""
        if self.meta.get("title"):
            return self.meta["title"]
        for line in self.text.split("\n", 30)[:30]:
            line = line.strip()
            if 4 <= len(line) <= 80 and "。" not in line and _TITLE_WORDS.search(line) and not _NOT_TITLE.search(line):
                return line
        return ""


def read_document(path: str | Path, doc_id: str | None = None, encoding: str | None = None, limit: int | None = -1) -> Document:
    """Read a plan document (.txt, .docx, .pdf or .html, judged by content) from ``path``.

    Its id defaults to the file name's stem. ``encoding`` overrides detection
    for text and HTML; ``limit`` caps the file size (default: ``--max-size``; ``None``: no cap).
    """
    path = Path(path)
    meta, body = parse_header(document_text(read_bytes(path, limit), str(path), path.suffix, encoding))
    return Document(doc_id=doc_id or path.stem, text=body, meta=meta, path=path)
