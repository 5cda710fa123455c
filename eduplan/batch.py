"""Classifying inputs of every kind into rows: texts, stdin lines, plan documents, folders, globs and tables.

:func:`expand_inputs` turns command-line arguments into sources (a folder is
walked recursively for every supported format, a glob is expanded, a word that
is not a path is text). :func:`classify_sources` yields one plain dict row per
item, in input order; a document that cannot be read or has no items is
reported to ``on_skip`` and the rest go on. Tables stream in chunks; with
``jobs`` > 1 the chunks are scored by a pool of processes forked after the
model is loaded, while this process reads and writes.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, UsageError
from .records import Columns, Item, cell_text

__all__ = [
    "Source",
    "expand_inputs",
    "document_sources",
    "classify_inputs",
    "classify_sources",
    "segment_rows",
    "classify_document",
    "classify_frame",
    "output_columns",
    "PREDICTION_COLUMNS",
    "ITEM_COLUMNS",
]

ITEM_COLUMNS = ["doc_id", "item_id", "section", "number", "text"]
PREDICTION_COLUMNS = ["label", "theme_zh", "score", "secondary"]
_CJK = re.compile(r"[\u3400-\u9fff]")
_GLOB = re.compile(r"[*?\[]")
Skip = Callable[[str, str], None]


@dataclass(frozen=True)
class Source:
    """One input: ``kind`` is ``text``, ``stdin``, ``document`` or ``table``; ``value`` the text or the path."""

    kind: str
    value: str


def _supported(path: Path) -> bool:
    from .readers import is_document
    from .tables import table_kind

    return is_document(path) or table_kind(path) is not None


def _file_source(path: Path) -> Source:
    from .tables import table_kind

    return Source("table" if table_kind(path) else "document", str(path))


def _looks_like_text(argument: str) -> bool:
    """A classify argument that is text, not a path: it has a line break, is too long for a path, or is
    Chinese without a path separator or a file suffix. Anything else is a path and must exist."""
    if "\n" in argument or len(argument) > 255:
        return True
    if os.sep in argument or "/" in argument or _supported(Path(argument)):
        return False
    return bool(_CJK.search(argument)) or " " in argument.strip()


def expand_inputs(arguments: Iterable[str], texts: bool = True) -> list[Source]:
    """Sources for command-line ``arguments``, in order: ``-``, texts (when ``texts``), files, folders, globs.

    Raises :class:`InputError` for a path that does not exist, a folder without
    a supported file, or a glob that matches nothing.
    """
    out: list[Source] = []
    for argument in arguments:
        if argument == "-":
            out.append(Source("stdin", "-"))
            continue
        if texts and _looks_like_text(argument):
            out.append(Source("text", argument))
            continue
        path = Path(argument)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _supported(p) and not p.name.startswith("."))
            if not files:
                raise InputError(f"{path}: no plan documents or tables in this folder", path=str(path))
            out += [_file_source(p) for p in files]
        elif path.exists():
            out.append(_file_source(path))
        elif _GLOB.search(argument):
            files = sorted(Path(p) for p in glob.glob(argument, recursive=True) if Path(p).is_file())
            if not files:
                raise InputError(f"{argument}: no file matches", path=argument)
            out += [_file_source(p) for p in files]
        else:
            raise InputError(f"{argument}: no such file or folder", path=argument)
    return out


def document_sources(arguments: Iterable[str]) -> list[Path]:
    """The plan documents named by files, folders and globs (tables are not documents)."""
    sources = expand_inputs(arguments, texts=False)
    tables = [s.value for s in sources if s.kind == "table"]
    if tables:
        raise UsageError(f"{tables[0]}: a table, not a plan document (classify reads tables)", path=tables[0])
    return [Path(s.value) for s in sources]


# ------------------------------------------------------------------ rows


def output_columns(kinds: set[str], table_columns: list[str], top_k: int, explain: int, secondary: bool = True) -> list[str]:
    """The columns of classify's rows: where each row comes from, the prediction, then the text."""
    lead: list[str] = []
    if "document" in kinds:
        lead += ["file", *ITEM_COLUMNS[:-1]]
    lead += [c for c in table_columns if c not in lead and c != "text"]
    if "table" in kinds:
        lead += ["row"]
    tail = PREDICTION_COLUMNS[:-1] + (["secondary"] if secondary else [])
    return lead + tail + (["top"] if top_k > 1 else []) + (["explain"] if explain else []) + ["text"]


def _item_rows(model, path: str, items: list[Item], options: dict) -> Iterator[dict]:
    for item, prediction in zip(items, model.prediction_rows(items, **options)):
        yield {"file": path, **{k: v for k, v in item.to_dict().items() if k != "title"}, **prediction}


def _text_rows(model, texts: Iterable[str], options: dict, batch: int = 1000) -> Iterator[dict]:
    buffer: list[str] = []
    for text in texts:
        text = text.strip()
        if text:
            buffer.append(text)
        if len(buffer) >= batch:
            yield from ({"text": t, **p} for t, p in zip(buffer, model.prediction_rows(buffer, **options)))
            buffer = []
    if buffer:
        yield from ({"text": t, **p} for t, p in zip(buffer, model.prediction_rows(buffer, **options)))


def classify_inputs(
    model, arguments: Iterable[str], *, column: str = "text", keep: list[str] | None = None, top_k: int = 1,
    explain: int = 0, encoding: str | None = None, on_skip: Skip | None = None, **options: Any,
) -> tuple[Iterator[dict[str, Any]], list[str]]:
    """``(rows, columns)`` for command-line ``arguments``: texts, ``-``, files, folders and globs (see :func:`expand_inputs`).

    Of several sources, one that cannot be read goes to ``on_skip``; a single source's problem is an error.
    """
    from .tables import table_header

    sources = expand_inputs(arguments)
    table_columns = [
        c for s in sources if s.kind == "table" for c in (keep or table_header(s.value, encoding)) if c != column
    ]
    columns = output_columns({s.kind for s in sources}, list(dict.fromkeys(table_columns)), top_k, explain)
    rows = classify_sources(
        model, sources, column=column, keep=keep, top_k=top_k, explain=explain, encoding=encoding,
        on_skip=on_skip if len(sources) > 1 else None, **options,
    )
    return rows, columns


def classify_sources(
    model,
    sources: list[Source],
    *,
    column: str = "text",
    section_column: str | None = None,
    title_column: str | None = None,
    keep: list[str] | None = None,
    top_k: int = 1,
    min_score: float | None = None,
    explain: int = 0,
    chunksize: int = 10_000,
    jobs: int = 1,
    encoding: str | None = None,
    on_skip: Skip | None = None,
    progress: Callable[[str, int], None] | None = None,
    stdin=None,
    blocks: bool = False,
) -> Iterator[dict[str, Any]]:
    """Classify every source, in order: one row per text, item or table row.

    A document that cannot be read or has no numbered items goes to
    ``on_skip(path, reason)`` (an error when ``on_skip`` is ``None``). With
    ``blocks``, a table's rows come a chunk at a time as one
    :class:`~eduplan.writers.RowBlock` (what :func:`~eduplan.writers.write_rows` writes fastest).
    """
    from .model import check_options

    check_options(top_k, min_score, explain)
    options = {"top_k": top_k, "min_score": min_score, "explain": explain}
    for source in sources:
        if source.kind == "text":
            yield from _text_rows(model, [source.value], options)
        elif source.kind == "stdin":
            from .decoding import open_binary_text

            yield from _text_rows(model, open_binary_text(stdin, "stdin", encoding), options)
        elif source.kind == "document":
            from .documents import plan_items

            try:
                items = plan_items(source.value, encoding=encoding)
            except InputError as exc:
                if on_skip is None:
                    raise
                on_skip(source.value, exc.message)
                continue
            yield from _item_rows(model, source.value, items, options)
        else:
            for block in _table_rows(
                model, source.value, column, section_column, title_column, keep, options, chunksize, jobs, encoding, progress
            ):
                yield from ([block] if blocks else block.rows())


def segment_rows(paths: list[Path], encoding: str | None = None, on_skip: Skip | None = None) -> Iterator[dict[str, str]]:
    """The items of each plan document as rows (file, title, doc_id, item_id, section, number, text)."""
    from .documents import plan_items

    for path in paths:
        try:
            items = plan_items(path, encoding=encoding)
        except InputError as exc:
            if on_skip is None:
                raise
            on_skip(str(path), exc.message)
            continue
        for item in items:
            yield {"file": str(path), **item.to_dict()}


# What spreadsheets and pandas write for a missing value: such cells are ``empty``, not text to classify.
_MISSING = {"nan", "NaN", "-nan", "NA", "N/A", "n/a", "#N/A", "<NA>", "null", "NULL", "None"}


EMPTY = {"label": "empty", "theme_zh": "", "score": 0.0, "secondary": []}
"""The prediction columns of a row without text (never classified)."""


def _table_cell(value) -> str:
    """A table cell as text; ``""`` for a missing value (None, NaN, or a marker such as ``NaN`` or ``NULL``)."""
    text = cell_text(value)
    return "" if text.strip() in _MISSING else text


def _columns_of(frame, column: str, section_column: str | None, title_column: str | None, where: str) -> Columns:
    """The text and context columns of a chunk; a column missing from the table is an error naming it."""
    for name in filter(None, (column, section_column, title_column)):
        if name not in frame.columns:
            raise InputError(
                f"{where}no column {name!r} (columns: {', '.join(map(str, frame.columns))})", path=where.rstrip(": "), column=name
            )
    n = len(frame)

    def cells(name):
        if not name:
            return [""] * n
        values = frame[name].tolist()
        if set(map(type, values)) == {str}:  # text cells (every CSV cell): only the missing-value markers change
            return ["" if v.strip() in _MISSING else v for v in values]
        return list(map(_table_cell, values))

    return Columns(cells(column), cells(section_column), cells(title_column))


def _table_rows(model, path, column, section_column, title_column, keep, options, chunksize, jobs, encoding, progress):
    from .tables import iter_table

    chunks = iter_table(path, chunksize, encoding)
    named = [name for name in (column, section_column, title_column) if name]

    def prepared():
        for number, frame in enumerate(chunks):
            if number == 0:  # the header (a JSONL file's first record) must name the columns
                header = frame.attrs.get("first_record", list(frame.columns))
                _columns_of(frame.reindex(columns=header), column, section_column, title_column, f"{path}: ")
            frame = frame.reindex(columns=list(dict.fromkeys([*frame.columns, *named])))  # later records may lack them
            yield frame, _columns_of(frame, column, section_column, title_column, f"{path}: ")

    from .parallel import scored_chunks
    from .writers import RowBlock

    number = 0
    for frame, columns, scores in scored_chunks(model, prepared(), jobs):
        filled = columns.filled()
        predictions = model.prediction_columns(columns.take(filled), scores=scores, **options)
        kept = [c for c in (keep if keep is not None else frame.columns) if c in frame.columns and c != column]
        block = {c: [v if isinstance(v, str) else cell_text(v) for v in frame[c].tolist()] for c in kept}
        n = len(columns)
        block["row"] = list(range(number + 1, number + n + 1))
        block["text"] = columns.text
        for name, values in predictions.items():
            if len(filled) == n:
                block[name] = values
            else:  # rows without text: the EMPTY prediction
                block[name] = [EMPTY.get(name)] * n
                for i, value in zip(filled, values):
                    block[name][i] = value
        number += n
        yield RowBlock(block)
        if progress:
            progress(path, number)


# ------------------------------------------------------------------ library conveniences


def classify_document(path: str | Path, model=None, top_k: int = 1, min_score: float | None = None, explain: int = 0):
    """Read, segment and classify one plan file: a DataFrame with one row per item and its context."""
    import pandas as pd

    from .documents import plan_items
    from .modeldir import load_model

    model = model or load_model()
    items = plan_items(path)
    rows = list(_item_rows(model, str(path), items, {"top_k": top_k, "min_score": min_score, "explain": explain}))
    return pd.DataFrame(rows)


def classify_frame(
    frame, column: str = "text", model=None, min_score: float | None = None,
    section_column: str | None = None, title_column: str | None = None,
):
    """Add ``label``, ``theme_zh``, ``score`` and ``secondary`` columns to a DataFrame of texts (input order kept).

    The one call to map over partitions of a larger archive (Dask's
    ``map_partitions``, Spark's ``mapInPandas``); each worker loads the model
    once. Empty cells get label ``empty``.
    """
    from .modeldir import load_model

    model = model or load_model()
    columns = _columns_of(frame, column, section_column, title_column, "")
    filled = columns.filled()
    predictions = dict(zip(filled, model.prediction_rows(columns.take(filled), 1, min_score)))
    rows = [predictions.get(i, EMPTY) for i in range(len(frame))]
    return frame.assign(
        label=[r["label"] for r in rows],
        theme_zh=[r["theme_zh"] for r in rows],
        score=[r["score"] for r in rows],
        secondary=[";".join(r["secondary"]) for r in rows],
    )

