"""Item records: the one unit that flows from readers and the segmenter to the model and on to the writers.

An :class:`Item` is one numbered task of a plan with its context: the heading
it stands under (``section``) and its document's ``title``. Models take
records, plain strings (text without context) or a pandas DataFrame with a
``text`` column and optional ``section`` and ``title`` columns;
:func:`as_columns` turns any of them into :class:`Columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from itertools import compress
from typing import Any

__all__ = ["Item", "Columns", "CONTEXT", "as_columns", "cell_text"]

CONTEXT = ("section", "title")
"""The context fields of an item, besides its text."""


@dataclass(frozen=True)
class Item:
    """One numbered task of a plan: ``text`` has its number removed and keeps its heading sentence."""

    doc_id: str
    section: str
    number: str
    text: str
    title: str = ""

    @property
    def item_id(self) -> str:
        return f"{self.doc_id}:{self.number}"

    def to_dict(self) -> dict[str, str]:
        return {"doc_id": self.doc_id, "item_id": self.item_id, **{k: v for k, v in asdict(self).items() if k != "doc_id"}}


@dataclass(frozen=True)
class Columns:
    """Texts and their context as parallel lists of strings (what feature blocks read)."""

    text: list[str]
    section: list[str]
    title: list[str]
    _prepared: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.text)

    def get(self, name: str) -> list[str]:
        return getattr(self, name)

    def prepared(self, name: str, mask_digits: bool) -> list[str]:
        """Column ``name`` lower-cased, numbers masked when ``mask_digits``: computed once for all blocks reading it."""
        from .tokens import lower_many, mask_many

        key = (name, mask_digits)
        if key not in self._prepared:
            column = self.get(name)
            self._prepared[key] = mask_many(column) if mask_digits else lower_many(column)
        return self._prepared[key]

    def map(self, function) -> Columns:
        """The same rows with ``function`` (list[str] -> list[str]) applied to every column."""
        return Columns(function(self.text), function(self.section), function(self.title))

    def filled(self) -> list[int]:
        """Indexes of the rows whose text is not blank (blank rows are never classified)."""
        return list(compress(range(len(self.text)), map(str.strip, self.text)))

    def take(self, index: Iterable[int]) -> Columns:
        index = list(index)
        if index == list(range(len(self))):  # every row, in order: these columns themselves
            return self
        return Columns(*([column[i] for i in index] for column in (self.text, self.section, self.title)))


def cell_text(value: Any) -> str:
    """A cell as text: ``""`` for a missing value (``None``, NaN), else ``str(value)``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def as_columns(inputs: Any) -> Columns:
    """Texts, records, mappings or a DataFrame (``text`` + optional ``section``, ``title``) as :class:`Columns`.

    A plain string is one text; strings carry no context (empty section and title).
    """
    if isinstance(inputs, Columns):
        return inputs
    if isinstance(inputs, str):
        return Columns([inputs], [""], [""])
    if isinstance(inputs, list) and all(type(entry) is str for entry in inputs):  # plain texts: the common case
        return Columns(list(inputs), [""] * len(inputs), [""] * len(inputs))
    if hasattr(inputs, "columns") and hasattr(inputs, "__getitem__"):  # a pandas DataFrame
        if "text" not in inputs.columns:
            from .errors import InputError

            raise InputError("the frame has no 'text' column", column="text")
        n = len(inputs)
        return Columns(
            *(
                [cell_text(v) for v in inputs[name].tolist()] if name in inputs.columns else [""] * n
                for name in ("text", "section", "title")
            )
        )
    text: list[str] = []
    section: list[str] = []
    title: list[str] = []
    for entry in inputs:
        if isinstance(entry, Item):
            values = (entry.text, entry.section, entry.title)
        elif isinstance(entry, Mapping):
            values = tuple(cell_text(entry.get(name)) for name in ("text", "section", "title"))
        else:
            values = (cell_text(entry), "", "")
        text.append(values[0])
        section.append(values[1])
        title.append(values[2])
    return Columns(text, section, title)
