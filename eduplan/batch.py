"""Classifying inputs of every kind: texts, stdin lines, plan documents, CSV and JSONL tables.

Each source yields plain dict rows, in input order, so the CLI only formats
them. Tables stream in chunks so memory stays bounded on large files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .errors import InputError
from .tables import iter_table, table_kind

__all__ = ["classify_texts", "classify_document_rows", "classify_table", "classify_frame", "source_kind"]


def source_kind(source: str) -> str:
    """``"stdin"``, ``"table"``, ``"document"`` or ``"text"`` for a classify argument."""
    if source == "-":
        return "stdin"
    path = Path(source)
    looks_like_path = (
        len(source) < 400 and "\n" not in source and (path.suffix.lower() in _FILE_SUFFIXES or path.exists())
    )
    if looks_like_path:
        if not path.exists():
            raise InputError(f"{source}: no such file")
        return "table" if table_kind(path) else "document"
    return "text"


_FILE_SUFFIXES = {".txt", ".csv", ".tsv", ".jsonl", ".ndjson", ".docx", ".pdf", ".html", ".htm"}


def _rows(predictions, base: list[dict]) -> Iterator[dict]:
    for extra, pred in zip(base, predictions):
        yield {**extra, **pred.to_dict()}


def classify_texts(
    model, texts: Iterable[str], top_k: int = 1, min_score: float | None = None, explain: int = 0, batch: int = 1000
) -> Iterator[dict]:
    """Classify loose texts (arguments or stdin lines), in order; empty lines are skipped."""
    buffer: list[str] = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        buffer.append(text)
        if len(buffer) >= batch:
            yield from _rows(model.classify(buffer, top_k, min_score, explain), [{"text": t} for t in buffer])
            buffer = []
    if buffer:
        yield from _rows(model.classify(buffer, top_k, min_score, explain), [{"text": t} for t in buffer])


def classify_document_rows(
    model, path: str | Path, top_k: int = 1, min_score: float | None = None, explain: int = 0
) -> Iterator[dict]:
    """Segment a plan document and classify each item (rows carry section and number)."""
    from .segmenter import plan_items

    items = plan_items(path)
    base = [{"item_id": i.item_id, "section": i.section, "number": i.number, "text": i.text} for i in items]
    yield from _rows(model.classify([i.text for i in items], top_k, min_score, explain), base)


def classify_table(
    model,
    path: str | Path,
    column: str = "text",
    top_k: int = 1,
    min_score: float | None = None,
    explain: int = 0,
    chunksize: int = 10_000,
    jobs: int = 1,
    progress=None,
) -> Iterator[dict]:
    """Classify the ``column`` of a CSV/JSONL file, one row out per row in, in input order.

    Rows whose cell is empty get ``label`` ``empty`` and score 0 instead of a
    forced theme. The file is read in chunks of ``chunksize`` rows; ``jobs`` > 1
    classifies each chunk in that many processes.
    """
    row_number = 0
    for chunk in iter_table(path, chunksize):
        cells, predictions = _classify_cells(
            chunk, column, f"{path}: ", lambda texts: _classify_parallel(model, texts, top_k, min_score, explain, jobs)
        )
        for text, pred in zip(cells, predictions):
            row_number += 1
            if pred is None:
                yield {"row": row_number, "text": text, "label": "empty", "score": 0.0, "theme": "", "top": []}
            else:
                yield {"row": row_number, "text": text, **pred.to_dict()}
        if progress:
            progress(row_number)


# What spreadsheets and pandas write for a missing value: such cells are ``empty``, not text to classify.
_MISSING = {"nan", "NaN", "-nan", "NA", "N/A", "n/a", "#N/A", "<NA>", "null", "NULL", "None"}


def _classify_cells(frame, column: str, where: str, classify) -> tuple[list[str], list]:
    """The cells of ``column`` as text, and each one's prediction (``None`` for an empty cell, never classified)."""
    if column not in frame.columns:
        hint = "; use --column" if where else ""
        raise InputError(f"{where}no column {column!r} (columns: {', '.join(map(str, frame.columns))}){hint}")
    cells = [_cell_text(v) for v in frame[column].tolist()]
    filled = [i for i, text in enumerate(cells) if text.strip()]
    by_index = dict(zip(filled, classify([cells[i] for i in filled])))
    return cells, [by_index.get(i) for i in range(len(cells))]


def _cell_text(value) -> str:
    """A table cell as text; ``""`` for a missing value (None, NaN, or a marker such as ``NaN`` or ``NULL``)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "" if text.strip() in _MISSING else text


def _classify_parallel(model, texts: list[str], top_k, min_score, explain, jobs: int):
    """Classify ``texts`` in ``jobs`` processes; each worker loads the model once from its source."""
    if jobs <= 1 or len(texts) < 2 * jobs:
        return model.classify(texts, top_k, min_score, explain)
    from joblib import Parallel, delayed

    size = -(-len(texts) // jobs)
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    source = getattr(model, "source", None)
    if source is None:  # a model built in memory travels to the workers whole
        tasks = (delayed(model.classify)(part, top_k, min_score, explain) for part in parts)
    else:
        tasks = (delayed(_classify_in_worker)(source, part, top_k, min_score, explain) for part in parts)
    results = Parallel(n_jobs=jobs, backend="loky")(tasks)
    return [pred for part in results for pred in part]


@lru_cache(maxsize=2)
def _worker_model(source: tuple[str, bool]):
    import warnings

    from .loading import load_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_model(source[0], trust=source[1])


def _classify_in_worker(source: tuple[str, bool], texts: list[str], top_k, min_score, explain):
    return _worker_model(source).classify(texts, top_k, min_score, explain)


def classify_frame(frame, column: str = "text", model=None, min_score: float | None = None):
    """Add ``label``, ``score`` and ``theme`` columns to a pandas DataFrame of texts (input order kept).

    The one call to map over partitions of a larger archive: Dask's
    ``map_partitions``, Spark's ``mapInPandas``; each worker loads the model once.
    Empty cells get label ``empty``.
    """
    if model is None:
        from .loading import load_model

        model = load_model()
    _, predictions = _classify_cells(frame, column, "", lambda texts: model.classify(texts, 1, min_score))
    labels = [p.label if p else "empty" for p in predictions]
    scores = [p.score if p else 0.0 for p in predictions]
    themes = [p.theme if p else "" for p in predictions]
    return frame.assign(label=labels, score=scores, theme=themes)
