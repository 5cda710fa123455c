"""Plain text out of Word (.docx), PDF and HTML files, and telling them apart by their bytes.

Plans are published as Word files, PDFs and web pages as often as plain text.
The parsers (python-docx, pypdf) are imported only when such a file is
read, so ``import eduplan`` stays fast. Every failure is one :class:`InputError`.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser

from .errors import InputError

__all__ = ["is_pdf", "is_zip", "is_html", "refuse_legacy_office", "looks_like_html", "docx_text", "pdf_text", "html_text"]

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Elements whose content is never article text: code, page navigation and chrome.
_SKIP_TAGS = {
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "iframe",
    "object",
    "svg",
    "canvas",
    "select",
    "button",
}
# Elements that start a new line of text.
_BLOCK_TAGS = {
    "address",
    "article",
    "blockquote",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF (the signature may follow a little junk)."""
    return _PDF_MAGIC in data[:1024]


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a ZIP archive (a Word .docx)."""
    return data.startswith(_ZIP_MAGIC)


def is_html(data: bytes) -> bool:
    """Whether the bytes start like an HTML page (ASCII-compatible encodings)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return head.startswith((b"<?xml", b"<!--", b"<!doctype")) and b"<html" in head


def refuse_legacy_office(data: bytes, name: str = "input") -> None:
    """Raise :class:`InputError` for legacy Word/Excel (OLE) files, which cannot be read."""
    if data.startswith(_OLE_MAGIC):
        raise InputError(f"{name}: legacy Word .doc (or other Office 97-2003) file: save it as .docx or .txt first")


def looks_like_html(text: str) -> bool:
    """Whether decoded ``text`` is an HTML page (starts with a doctype, ``<html`` or a prolog before it)."""
    head = text[:1024].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith(("<?xml", "<!--", "<!doctype")) and "<html" in head


UNZIP_FACTOR = 4
"""A Word file may unpack to four times the input limit (256 MiB by default): a plan's document.xml is a few MiB."""


def docx_text(data: bytes, name: str = "input", limit: int | None = None) -> str:
    """The text of a Word .docx file: body paragraphs (with Word's own list numbers) and table cells, in order."""
    from .decoding import input_limit

    if not data.startswith(_ZIP_MAGIC):
        raise InputError(f"{name}: not a Word .docx file (it is not a ZIP archive)")
    _check_unzipped_size(data, name, limit or UNZIP_FACTOR * input_limit())
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"{name}: not a readable Word .docx file ({_reason(exc)})") from None
    return "\n".join(_docx_lines(document, _Numbering(document)))


def _check_unzipped_size(data: bytes, name: str, limit: int) -> None:
    """Refuse an archive whose members unpack to more than ``limit`` bytes, before unpacking any."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: not a readable Word .docx file ({_reason(exc)})") from None
    if total > limit:
        raise InputError(
            f"{name}: unpacks to {total / 2**20:.0f} MiB, over the limit of {limit / 2**20:.0f} MiB for a Word file "
            "(a zip bomb, or not a plan)",
            path=name,
            limit="--max-size",
        )


_CN_NUMERALS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_NUMERALS[tens]) + "十" + (_CN_NUMERALS[ones] if ones else "") if n < 100 else str(n)


class _Numbering:
    """Word's automatic list numbers (``w:numPr``): the number text each numbered paragraph shows."""

    _CHINESE = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional", "taiwaneseCounting"}

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (format, text, start)
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        abstract = {}
        for node in root.findall(f"{w}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{w}lvl"):
                fmt, text, start = lvl.find(f"{w}numFmt"), lvl.find(f"{w}lvlText"), lvl.find(f"{w}start")
                levels[int(lvl.get(f"{w}ilvl", 0))] = (
                    fmt.get(f"{w}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{w}val", "") if text is not None else "",
                    int(start.get(f"{w}val", 1)) if start is not None else 1,
                )
            abstract[node.get(f"{w}abstractNumId")] = levels
        for num in root.findall(f"{w}num"):
            ref = num.find(f"{w}abstractNumId")
            for level, spec in abstract.get(ref.get(f"{w}val") if ref is not None else None, {}).items():
                self.levels[(num.get(f"{w}numId"), level)] = spec

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` (``一、``, ``1.``, ``(1)``), or ``""``."""
        num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if num_pr is None and paragraph.style is not None and paragraph.style.element.pPr is not None:
            num_pr = paragraph.style.element.pPr.numPr
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id, level = str(num_pr.numId.val), int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        if (num_id, level) not in self.levels or num_id == "0":
            return ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        counts[level] += 1
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        text = self.levels[(num_id, level)][1]
        for index in range(level + 1):
            fmt, _, start = self.levels.get((num_id, index), ("decimal", "", 1))
            value = counts[index] + start - 1 if counts[index] else start
            shown = _chinese(value) if fmt in self._CHINESE else ("" if fmt in ("bullet", "none") else str(value))
            text = text.replace(f"%{index + 1}", shown)
        return text


def _docx_lines(container, numbering: _Numbering) -> list[str]:
    """Paragraph texts of a document or table cell; tables are read cell by cell, merged cells once."""
    from docx.table import Table

    lines: list[str] = []
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(numbering.label(block) + block.text)
            continue
        seen = set()  # merged cells repeat in every grid column they span
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    lines.extend(_docx_lines(cell, numbering))
    return lines


def pdf_text(data: bytes, name: str = "input") -> str:
    """The text layer of a PDF: each page's extracted text, pages joined by line breaks."""
    if _PDF_MAGIC not in data[:1024]:
        raise InputError(f"{name}: not a PDF file (no %PDF- header)")
    import pypdf

    with _quiet("pypdf"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise InputError(f"{name}: encrypted PDF, cannot be read without its password")
            pages = [page.extract_text() or "" for page in reader.pages]
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{name}: broken or unreadable PDF ({_reason(exc)})") from None
    text = "\n".join(pages)
    if pages and not text.strip():
        raise InputError(f"{name}: PDF has no text layer (a scanned image? run OCR on it first)")
    return text


_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _TextParser(HTMLParser):
    """Visible text, event by event: no tree is built, so no nesting depth is too deep."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        style = (attributes.get("style") or "").replace(" ", "").lower()
        hides = tag in _SKIP_TAGS or attributes.get("role") == "navigation" or "hidden" in attributes or "display:none" in style
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in _VOID_TAGS:
            return
        self.open.append((tag, hides))
        self.hidden += hides
        self.pre += tag == "pre"

    def handle_startendtag(self, tag, attrs):
        if tag == "br" or tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag not in {t for t, _ in self.open}:
            return  # a stray end tag
        while self.open:
            name, hides = self.open.pop()
            self.hidden -= hides
            self.pre -= name == "pre"
            if name in _BLOCK_TAGS:
                self.parts.append("\n")
            if name == tag:
                break

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data if self.pre else _HTML_SPACE.sub(" ", data))


def html_text(markup: str, name: str = "input") -> str:
    """The visible text of an HTML page: one line per paragraph, block or ``<br>``; no script, style or navigation.

    Parsed as a stream of tags (Python's ``html.parser``): pages nested
    thousands of levels deep lose nothing, and broken markup never fails.
    """
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a parser's log messages and warnings about damaged files: errors are reported as InputError."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _reason(exc: Exception) -> str:
    """A one-line reason for a parser's exception."""
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
