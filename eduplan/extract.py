"""Plain text out of Word (.docx), PDF and HTML files, and telling them apart by their bytes.

Plans are published as Word files, PDFs and web pages as often as plain text.
The parsers (python-docx, pypdf, lxml) are imported only when such a file is
read, so ``import eduplan`` stays fast. Every failure is one :class:`InputError`.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import InputError

__all__ = ["sniff", "looks_like_html", "docx_text", "pdf_text", "html_text"]

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


def sniff(data: bytes, name: str = "input") -> str | None:
    """``"pdf"`` or ``"docx"`` when the bytes say so, whatever the file is called; ``None`` otherwise.

    Raises :class:`InputError` for legacy Word/Excel (OLE) files, which cannot be read.
    """
    if _PDF_MAGIC in data[:1024]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return "docx"
    if data.startswith(_OLE_MAGIC):
        raise InputError(f"{name}: legacy Word .doc (or other Office 97-2003) file: save it as .docx or .txt first")
    return None


def looks_like_html(text: str) -> bool:
    """Whether decoded ``text`` is an HTML page (starts with a doctype, ``<html`` or a prolog before it)."""
    head = text[:1024].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith(("<?xml", "<!--", "<!doctype")) and "<html" in head


def docx_text(data: bytes, name: str = "input") -> str:
    """The text of a Word .docx file: body paragraphs and table cells, one paragraph per line, in order."""
    if not data.startswith(_ZIP_MAGIC):
        raise InputError(f"{name}: not a Word .docx file (it is not a ZIP archive)")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"{name}: not a readable Word .docx file ({_reason(exc)})") from None
    return "\n".join(_docx_lines(document))


def _docx_lines(container) -> list[str]:
    """Paragraph texts of a document or table cell; tables are read cell by cell, merged cells once."""
    from docx.table import Table

    lines: list[str] = []
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        seen = set()  # merged cells repeat in every grid column they span
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    lines.extend(_docx_lines(cell))
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


def html_text(markup: str, name: str = "input") -> str:
    """The visible text of an HTML page: one line per paragraph, block or ``<br>``; no script, style or navigation."""
    from lxml import etree, html

    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except etree.ParserError:
        return ""  # lxml's only parser error: a page without a single element
    except ValueError as exc:
        raise InputError(f"{name}: cannot parse the HTML ({_reason(exc)})") from None
    for element in [el for el in root.iter() if _hidden(el)]:
        element.drop_tree()
    preformatted = {el for pre in root.iter("pre") for el in pre.iter()}
    for element in root.iter():
        inside_pre = element in preformatted
        if element.text and not inside_pre:
            element.text = _HTML_SPACE.sub(" ", element.text)
        if element.tail and (not inside_pre or element.tag == "pre"):
            element.tail = _HTML_SPACE.sub(" ", element.tail)
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in str(root.text_content()).split("\n"))
    return "\n".join(line for line in lines if line)


def _hidden(element) -> bool:
    """Whether an HTML element holds no article text: chrome tags, navigation roles, hidden elements."""
    if not isinstance(element.tag, str):
        return False
    if element.tag in _SKIP_TAGS or element.get("role") == "navigation" or element.get("hidden") is not None:
        return True
    return "display:none" in (element.get("style") or "").replace(" ", "").lower()


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
