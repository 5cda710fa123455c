"""Plan profiles: how much of each plan goes to each theme, and where plans differ.

A profile counts a document's items per label of the model (``label`` of
:meth:`~eduplan.model.Classifier.classify_document`) and their characters
(length of the item text). Items the model labels ``out_of_scope`` (text that
does not read like education work) or ``uncertain`` are neither dropped nor
forced into a theme: they count under rows of their own, after the 16 themes,
so the shares of one document (items, and characters) sum to 1 over all rows.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from . import taxonomy
from .errors import InputError, UsageError
from .model import OUT_OF_SCOPE, UNCERTAIN

__all__ = [
    "EXTRA_ROWS",
    "COLUMNS",
    "profile",
    "compare",
    "classify_documents",
    "shares",
    "read_meta",
    "match_meta",
    "rows",
    "chart",
    "write_chart",
]

EXTRA_ROWS = {OUT_OF_SCOPE: "非教育工作", UNCERTAIN: "不确定"}
"""Rows after the themes for items the model does not put under a theme, with their Chinese names."""

COLUMNS = ["doc_id", "theme", "name", "items", "item_share", "chars", "char_share"]
SECONDARY_COLUMNS = ["secondary_items", "secondary_share"]
GROUPINGS = ("region", "year")
DEFAULT_META = Path("seeds") / "INDEX.csv"


class NoItemsWarning(UserWarning):
    """A document of several has no numbered items and is left out of the profile."""


def rows() -> list[tuple[str, str]]:
    """``(row id, Chinese name)`` of a profile: the themes in taxonomy order, then the extra rows."""
    names = taxonomy.names("zh")
    return [(t, names[t]) for t in taxonomy.ids()] + list(EXTRA_ROWS.items())


def classify_documents(
    docs: str | Path | Iterable[str | Path], model=None, explain: int = 0, on_skip=None
) -> dict[str, object]:
    """Classify every item of each document: ``{doc_id: frame}`` in input order (see :func:`eduplan.batch.classify_document`).

    Of several documents, those that cannot be read or have no numbered items
    are left out: reported to ``on_skip(path, reason)``, else with a
    :class:`NoItemsWarning`. When that leaves none, it is an error.
    """
    from .batch import classify_document
    from .modeldir import load_model

    model = model or load_model()
    paths = [Path(docs)] if isinstance(docs, str | Path) else [Path(d) for d in docs]
    if not paths:
        raise UsageError("no documents given")
    out: dict[str, object] = {}
    for path in paths:
        if path.stem in out:
            raise UsageError(f"{path}: two documents with the doc_id {path.stem!r} (the file name without extension)")
        try:
            frame = classify_document(path, model, explain=explain)
        except InputError as exc:
            if len(paths) == 1:
                raise
            if on_skip is not None:
                on_skip(str(path), exc.message)
            else:
                warnings.warn(f"{exc.message}; left out", NoItemsWarning, stacklevel=2)
            continue
        out[path.stem] = frame
    if not out:
        raise InputError("none of the documents has numbered items")
    return out


def shares(classified: Mapping[str, object], secondary: bool = False):
    """The long profile frame (:data:`COLUMNS`) of classified documents, rows in taxonomy order.

    With ``secondary``, two more columns count the items that name the theme as
    a secondary theme (and their share of the document's items); they are never
    mixed into the primary shares.
    """
    import pandas as pd

    order = rows()
    known = {row for row, _ in order}
    records = []
    for doc_id, frame in classified.items():
        labels = frame["label"].astype(str)
        odd = sorted(set(labels) - known)
        if odd:
            raise InputError(f"{doc_id}: labels outside the taxonomy: {', '.join(odd)}")
        lengths = frame["text"].astype(str).str.len()
        items = labels.value_counts()
        chars = lengths.groupby(labels).sum()
        n_items, n_chars = len(frame), int(lengths.sum())
        extra = Counter(t for themes in frame.get("secondary", []) for t in (themes or []))
        for row, name in order:
            i, c = int(items.get(row, 0)), int(chars.get(row, 0))
            record = {
                "doc_id": doc_id,
                "theme": row,
                "name": name,
                "items": i,
                "item_share": i / n_items,
                "chars": c,
                "char_share": c / n_chars if n_chars else 0.0,
            }
            if secondary:
                record.update(secondary_items=extra[row], secondary_share=extra[row] / n_items)
            records.append(record)
    return pd.DataFrame(records, columns=COLUMNS + (SECONDARY_COLUMNS if secondary else []))


def profile(docs: str | Path | Iterable[str | Path], model=None, meta=None, secondary: bool = False, on_skip=None):
    """Share of items and of characters per theme for each document: a long frame (:data:`COLUMNS`).

    ``model`` defaults to the shipped one. With ``meta`` (a CSV path, a frame or
    a mapping, see :func:`read_meta`) the frame also gets its ``region`` and
    ``year`` columns; a document missing from it is an error.
    """
    frame = shares(classify_documents(docs, model, on_skip=on_skip), secondary)
    if meta is not None:
        table = read_meta(meta)
        match_meta(table, frame["doc_id"].unique(), _source(meta))
        for key in [k for k in GROUPINGS if any(k in row for row in table.values())]:
            values = _lookup(table, frame["doc_id"].unique(), key, _source(meta))
            frame.insert(frame.columns.get_loc("theme"), key, frame["doc_id"].map(values))
    return frame


def read_meta(meta) -> dict[str, dict[str, str]]:
    """Document metadata as ``{key: row}``, each row found by its ``doc_id`` and by its ``file`` name.

    ``meta`` is a CSV path (columns ``doc_id`` or ``file``, plus ``region`` /
    ``year``, like ``seeds/INDEX.csv``), a pandas frame, or a mapping doc_id → row.
    """
    import pandas as pd

    if isinstance(meta, Mapping):
        return {str(k): {c: str(v) for c, v in dict(row).items()} for k, row in meta.items()}
    if isinstance(meta, pd.DataFrame):
        records = meta.astype(str).to_dict("records")
    else:
        path = Path(meta)
        if not path.is_file():
            raise InputError(f"{path}: no such metadata file")
        try:
            records = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").to_dict("records")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not a readable CSV ({exc})") from None
    if records and not ({"doc_id", "file"} & set(records[0])):
        raise InputError(f"{_source(meta)}: metadata needs a doc_id or a file column")
    table: dict[str, dict[str, str]] = {}
    for record in records:
        for key in (record.get("doc_id", ""), record.get("file", ""), Path(record.get("file", "")).stem):
            if key.strip():
                table.setdefault(key.strip(), record)
    return table


def _source(meta) -> str:
    return str(meta) if isinstance(meta, str | Path) else "the metadata"


def match_meta(table: dict[str, dict[str, str]], doc_ids: Iterable[str], source: str) -> dict[str, dict[str, str]]:
    """The metadata row of each document (see :func:`read_meta`); a document without one is an error."""
    out = {}
    for doc_id in doc_ids:
        if doc_id not in table:
            raise InputError(f"{doc_id}: not in {source} (rows are matched by doc_id or file name)")
        out[doc_id] = table[doc_id]
    return out


def _lookup(table: dict[str, dict[str, str]], doc_ids: Iterable[str], key: str, source: str) -> dict[str, str]:
    """``{doc_id: value of key}``, the value cut before any parenthesised note (``2009(文中…)`` → ``2009``)."""
    out = {}
    for doc_id, row in match_meta(table, doc_ids, source).items():
        if key not in row:
            raise InputError(f"{source}: no {key} column")
        value = str(row[key]).strip()
        out[doc_id] = re.split(r"\s*[((]", value, maxsplit=1)[0].strip() or value or "unknown"
    return out


def compare(profile_frame, by: str | None = None, meta=None, min_items: int = 1) -> dict:
    """Shares side by side, one column per document (or per group with ``by="region"|"year"``).

    Groups come from the frame's own ``region``/``year`` columns, else from
    ``meta`` (see :func:`read_meta`), else from ``seeds/INDEX.csv`` in the
    current directory. A group's share pools its documents: its items per
    theme over its items (characters likewise).

    Returns a dict: ``profile`` (the long frame per column, the key column
    named ``doc_id`` or ``by``), ``items`` and ``chars`` (wide share frames:
    ``theme``, ``name``, one column per document or group), ``differ`` (the
    themes by spread of item shares, max − min across columns, largest first),
    ``groups`` (column → its doc_ids) and ``small`` (the columns with fewer than
    ``min_items`` items: one item moves their shares too far, so they are left
    out of ``differ``).
    """
    import pandas as pd

    frame = profile_frame.copy()
    doc_ids = list(dict.fromkeys(frame["doc_id"]))
    key = "doc_id"
    if by is not None:
        if by not in GROUPINGS:
            raise UsageError(f"--by must be one of {', '.join(GROUPINGS)}, got {by!r}")
        if by not in frame.columns:
            source = meta if meta is not None else DEFAULT_META
            if meta is None and not DEFAULT_META.is_file():
                raise UsageError(f"--by {by} needs document metadata: pass --meta CSV or run where {DEFAULT_META} is")
            frame[by] = frame["doc_id"].map(_lookup(read_meta(source), doc_ids, by, _source(source)))
        key = by
    columns = sorted(frame[key].astype(str).unique()) if by else doc_ids
    frame[key] = frame[key].astype(str)
    groups = {c: list(dict.fromkeys(frame.loc[frame[key] == c, "doc_id"])) for c in columns}

    order = rows()
    summed = frame.groupby([key, "theme"], sort=False)[["items", "chars"]].sum()
    records = []
    for column in columns:
        totals = summed.loc[column].sum()
        for row, name in order:
            i, c = (int(v) for v in summed.loc[(column, row)]) if (column, row) in summed.index else (0, 0)
            records.append(
                {
                    key: column,
                    "theme": row,
                    "name": name,
                    "items": i,
                    "item_share": i / totals["items"] if totals["items"] else 0.0,
                    "chars": c,
                    "char_share": c / totals["chars"] if totals["chars"] else 0.0,
                }
            )
    long = pd.DataFrame(records, columns=[key] + COLUMNS[1:])

    def wide(value: str):
        table = long.pivot(index="theme", columns=key, values=value).reindex([r for r, _ in order])[columns]
        table.columns.name = None
        table.insert(0, "name", [n for _, n in order])
        return table.reset_index()

    items = wide("item_share")
    counts = long.groupby(key)["items"].sum()
    small = [c for c in columns if counts.get(c, 0) < min_items]
    compared = [c for c in columns if c not in small]
    compared = compared if len(compared) > 1 else columns
    themes = items[items["theme"].isin(taxonomy.ids())]
    values = themes[compared]
    differ = pd.DataFrame(
        {
            "theme": themes["theme"],
            "name": themes["name"],
            "min": values.min(axis=1),
            "lowest": values.idxmin(axis=1),
            "max": values.max(axis=1),
            "highest": values.idxmax(axis=1),
        }
    )
    differ["spread"] = differ["max"] - differ["min"]
    differ = differ.sort_values("spread", ascending=False, kind="stable").reset_index(drop=True)
    return {
        "profile": long,
        "items": items,
        "chars": wide("char_share"),
        "differ": differ,
        "groups": groups,
        "small": small,
    }


def profile_report(
    docs: Iterable[str | Path], model=None, meta=None, by: str | None = None, min_items: int = 10,
    secondary: bool = False, chart_path: str | Path | None = None, on_skip=None,
) -> dict:
    """Everything ``eduplan profile`` shows: long rows, the side-by-side table, the themes that differ most, notes."""
    from .writers import table_text

    frame = profile(docs, model, meta, secondary, on_skip)
    result = compare(frame, by=by, meta=meta, min_items=min_items)
    notes = []
    if chart_path:
        notes.append(f"chart written to {write_chart(result, chart_path)}")
    if result["small"]:
        notes.append(
            f"note: fewer than {min_items} items, left out of 'themes that differ most' "
            f"(one item moves their shares too far): {', '.join(result['small'])}"
        )
    long = frame if by is None else result["profile"]
    items, chars = result["items"], result["chars"]
    columns = [c for c in items.columns if c not in ("theme", "name")]
    wide = [
        {"theme": row["theme"], "name": row["name"], **{c: f"{100 * row[c]:.1f} ({100 * char_row[c]:.1f})" for c in columns}}
        for (_, row), (_, char_row) in zip(items.iterrows(), chars.iterrows())
        if taxonomy.is_theme(row["theme"]) or any(row[c] for c in columns)
    ]
    lines = ["% of items (% of characters) per theme, from the model's labels"]
    if by:
        lines += [f"{by} {group}: {', '.join(members)}" for group, members in result["groups"].items()]
    if len(columns) - len(result["small"]) > 1:
        differ = [
            {
                "theme": r["theme"], "name": r["name"], "spread": f"{100 * r['spread']:.1f}",
                "lowest": f"{100 * r['min']:.1f} {r['lowest']}", "highest": f"{100 * r['max']:.1f} {r['highest']}",
            }
            for _, r in result["differ"].head(5).iterrows()
        ]
        lines += ["", "themes that differ most (max - min share of items)"]
        lines.append(table_text(differ, ["theme", "name", "spread", "lowest", "highest"]))
    return {
        "long": (long.round({"item_share": 4, "char_share": 4}).to_dict("records"), list(long.columns)),
        "wide": (wide, ["theme", "name", *columns]),
        "summary": "\n".join(lines),
        "notes": notes,
        "result": result,
    }


def chart(result: dict):
    """The grouped bar chart of ``compare(...)["items"]``: the 16 themes, one bar per document or group."""
    from .charts import profile_figure

    items = result["items"]
    themes = items[items["theme"].isin(taxonomy.ids())]
    series = [c for c in items.columns if c not in ("theme", "name")]
    return profile_figure(list(themes["name"]), {c: list(themes[c]) for c in series})


def write_chart(result: dict, out: str | Path) -> Path:
    """Save :func:`chart` to ``out`` (``.png`` or ``.svg``)."""
    from .charts import save_figure

    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"{out}: the chart file must end in .png or .svg")
    save_figure(chart(result), out)
    return out
