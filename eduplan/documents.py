"""Plan documents in, item records out: read a file (any format, any encoding), segment it, attach its title.

This is the one place where files meet the segmenter: :func:`document_items`
reads through :mod:`eduplan.readers` and hands the text to the pure
:func:`eduplan.segmenter.segment`.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .readers import read_document
from .records import Item
from .segmenter import segment

__all__ = ["document_items", "plan_items"]


def document_items(path: str | Path, doc_id: str | None = None, encoding: str | None = None) -> list[Item]:
    """The items of the plan file at ``path``, each with its section and the document's title."""
    doc = read_document(path, doc_id, encoding=encoding)
    return segment(doc.text, doc.doc_id, title=doc.title)


def plan_items(path: str | Path, doc_id: str | None = None, encoding: str | None = None) -> list[Item]:
    """:func:`document_items`, raising :class:`InputError` when the file has no text or no numbered items."""
    doc = read_document(path, doc_id, encoding=encoding)
    if not doc.text.strip():
        raise InputError(f"{path}: no text (empty or whitespace-only file)", path=str(path))
    items = segment(doc.text, doc.doc_id, title=doc.title)
    if not items:
        raise InputError(
            f"{path}: no numbered items found (is it a plan with items such as 一、 / 1. / (一)?)", path=str(path)
        )
    return items
