"""The labeled corpus ``data/items.csv``: build it from ``seeds/``, validate it, summarise it.

Labels are annotations made by reading items against ``TAXONOMY.md``; this
module never assigns one. ``build`` re-segments the seed documents and carries
every existing label over by ``item_id``, so new documents can arrive without
losing work.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from . import taxonomy
from .errors import DataError
from .persist import atomic_write_text
from .readers import read_document
from .segmenter import segment_document

__all__ = [
    "COLUMNS",
    "INDEX_COLUMNS",
    "BuildReport",
    "build",
    "validate",
    "stats",
    "read_items",
    "training_items",
    "read_index",
    "import_labels",
]

COLUMNS = ["item_id", "doc_id", "section", "number", "text", "label", "secondary"]
INDEX_COLUMNS = ["doc_id", "file", "title", "region", "year", "kind", "source"]
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
_NOT_DOCUMENTS = {"README.md", "INDEX.csv"}


@dataclass
class BuildReport:
    """What ``build`` changed: item ids that are new, whose text changed, or that disappeared."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    new_documents: list[str] = field(default_factory=list)
    total: int = 0
    unlabeled: int = 0
    written: bool = False


def _write_csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_index(seeds_dir: str | Path) -> list[dict[str, str]]:
    """Rows of ``seeds/INDEX.csv`` (empty list when there is none)."""
    path = Path(seeds_dir) / "INDEX.csv"
    return _read_csv(path) if path.exists() else []


def _document_files(seeds_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in seeds_dir.iterdir()
        if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES and p.name not in _NOT_DOCUMENTS
    )


def _index_row(path: Path) -> dict[str, str]:
    doc = read_document(path)
    title = doc.meta.get("title") or next((ln.strip() for ln in doc.text.splitlines() if ln.strip()), "")
    return {
        "doc_id": doc.doc_id,
        "file": path.name,
        "title": title[:120],
        "region": doc.meta.get("region", "unknown"),
        "year": doc.meta.get("year", "unknown"),
        "kind": doc.meta.get("kind", "unknown"),
        "source": doc.meta.get("source", "unknown"),
    }


def build(
    seeds_dir: str | Path = "seeds", items_path: str | Path = "data/items.csv", dry_run: bool = False
) -> BuildReport:
    """Re-segment every document of ``seeds_dir`` into ``items_path``, keeping labels by ``item_id``.

    Documents not yet in ``seeds/INDEX.csv`` are added to it (metadata from the
    corpus header). A second run over unchanged seeds rewrites nothing.
    """
    seeds_dir, items_path = Path(seeds_dir), Path(items_path)
    if not seeds_dir.is_dir():
        raise DataError(f"{seeds_dir}: no such directory of seed documents")
    index = read_index(seeds_dir)
    known = {row["file"] for row in index}
    report = BuildReport()
    for path in _document_files(seeds_dir):
        if path.name not in known:
            index.append(_index_row(path))
            report.new_documents.append(path.stem)
    index.sort(key=lambda row: row["file"])

    old = {row["item_id"]: row for row in _read_csv(items_path)} if items_path.exists() else {}
    rows: list[dict[str, str]] = []
    for entry in index:
        path = seeds_dir / entry["file"]
        if not path.exists():
            continue
        for item in segment_document(read_document(path, entry["doc_id"])):
            row = item.to_dict()
            previous = old.get(item.item_id)
            if previous is None:
                report.new.append(item.item_id)
                row.update(label="", secondary="")
            else:
                if previous.get("text") != item.text:
                    report.changed.append(item.item_id)
                row.update(label=previous.get("label", ""), secondary=previous.get("secondary", ""))
            rows.append(row)
    seen = {row["item_id"] for row in rows}
    report.removed = [item_id for item_id in old if item_id not in seen]
    report.total = len(rows)
    report.unlabeled = sum(1 for row in rows if not row["label"])

    items_text = _write_csv(rows, COLUMNS)
    index_text = _write_csv(index, INDEX_COLUMNS)
    if dry_run:
        return report
    index_path = seeds_dir / "INDEX.csv"
    if not index_path.exists() or index_path.read_text(encoding="utf-8") != index_text:
        atomic_write_text(index_path, index_text)
        report.written = True
    if not items_path.exists() or items_path.read_text(encoding="utf-8") != items_text:
        atomic_write_text(items_path, items_text)
        report.written = True
    return report


def import_labels(labels_path: str | Path, items_path: str | Path = "data/items.csv") -> dict[str, int]:
    """Copy annotations (``item_id,label[,secondary]``) from ``labels_path`` into the corpus.

    For labeling work done outside the corpus file (a spreadsheet, a batch of
    items given to an annotator). Unknown item ids and theme ids are errors;
    nothing is written unless every row is valid.
    """
    items_path = Path(items_path)
    rows = _read_csv(items_path)
    by_id = {row["item_id"]: row for row in rows}
    valid = set(taxonomy.ids()) | {taxonomy.SKIP}
    problems: list[str] = []
    updated = 0
    for line, ann in enumerate(_read_csv(Path(labels_path)), start=2):
        item_id, label = (ann.get("item_id") or "").strip(), (ann.get("label") or "").strip()
        secondary = ";".join(s.strip() for s in (ann.get("secondary") or "").split(";") if s.strip())
        if item_id not in by_id:
            problems.append(f"{labels_path} line {line}: unknown item_id {item_id!r}")
        elif label not in valid or any(s not in valid for s in secondary.split(";") if s):
            problems.append(f"{labels_path} line {line}: unknown theme id in {label!r} / {secondary!r}")
        elif (by_id[item_id]["label"], by_id[item_id]["secondary"]) != (label, secondary):
            by_id[item_id].update(label=label, secondary=secondary)
            updated += 1
    if problems:
        raise DataError("; ".join(problems[:5]) + (f"; … {len(problems) - 5} more" if len(problems) > 5 else ""))
    if updated:
        atomic_write_text(items_path, _write_csv(rows, COLUMNS))
    return {"updated": updated, "items": len(rows)}


def validate(items_path: str | Path = "data/items.csv") -> list[str]:
    """Return one line per problem in the corpus file (empty list when it is clean)."""
    items_path = Path(items_path)
    if not items_path.exists():
        return [f"{items_path}: no such file"]
    try:
        raw = items_path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [f"{items_path}: not UTF-8"]
    reader = csv.reader(io.StringIO(raw, newline=""))
    try:
        header = next(reader, None)
        records = [(reader.line_num, rec) for rec in reader]
    except csv.Error as exc:
        return [f"{items_path}: malformed CSV ({exc})"]
    if header is None:
        return [f"{items_path}: empty file"]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [f"{items_path}: malformed CSV, missing column(s): {', '.join(missing)}"]
    problems: list[str] = []
    valid = set(taxonomy.ids())
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, int] = {}
    for line, record in records:
        if len(record) != len(header):
            problems.append(f"line {line}: malformed CSV row, {len(record)} fields instead of {len(header)}")
            continue
        row = dict(zip(header, record))
        item_id, text, label = row["item_id"].strip(), row["text"].strip(), row["label"].strip()
        where = f"line {line} ({item_id or 'no item_id'})"
        if not item_id:
            problems.append(f"{where}: empty item_id")
        elif item_id in seen_ids:
            problems.append(f"{where}: duplicate item_id, first on line {seen_ids[item_id]}")
        else:
            seen_ids[item_id] = line
        if not text:
            problems.append(f"{where}: empty text")
        elif text in seen_texts:
            problems.append(f"{where}: duplicate text, same as line {seen_texts[text]}")
        else:
            seen_texts[text] = line
        if not label:
            problems.append(f"{where}: missing label")
        elif label != taxonomy.SKIP and label not in valid:
            problems.append(f"{where}: unknown theme id {label!r}")
        for extra in filter(None, (s.strip() for s in row["secondary"].split(";"))):
            if extra not in valid:
                problems.append(f"{where}: unknown secondary theme id {extra!r}")
            elif extra == label:
                problems.append(f"{where}: secondary theme repeats the label {extra!r}")
    return problems


def read_items(items_path: str | Path = "data/items.csv"):
    """Load the corpus as a pandas DataFrame (all columns as strings); raises DataError if invalid."""
    import pandas as pd

    problems = validate(items_path)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; … {len(problems) - 3} more" if len(problems) > 3 else "")
        raise DataError(f"{items_path}: {len(problems)} problem(s): {shown} (run `eduplan corpus validate`)")
    return pd.read_csv(items_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def training_items(items_path: str | Path = "data/items.csv"):
    """The labeled items that train models: every row whose label is a theme (not ``skip``)."""
    frame = read_items(items_path)
    return frame[frame["label"] != taxonomy.SKIP].reset_index(drop=True)


def stats(items_path: str | Path = "data/items.csv") -> dict:
    """Items per theme (taxonomy order, plus ``skip``) and per document."""
    frame = read_items(items_path)
    order = taxonomy.ids() + [taxonomy.SKIP]
    per_theme = frame["label"].value_counts().reindex(order, fill_value=0)
    per_doc = frame.groupby("doc_id").size()
    return {
        "items": len(frame),
        "documents": int(per_doc.size),
        "per_theme": per_theme.to_dict(),
        "per_document": per_doc.to_dict(),
    }
