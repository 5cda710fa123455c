"""The labeled corpus ``data/items.csv``: build it from ``seeds/``, validate it, summarise it.

Labels are annotations made by reading items against ``TAXONOMY.md``; this
module never assigns one. ``build`` re-segments the seed documents and carries
every existing label over by ``item_id``, so new documents can arrive without
losing work.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import taxonomy
from .errors import DataError
from .persist import atomic_write_text
from .readers import read_document

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
    "read_corrections",
    "training_frame",
    "stats_rows",
    "secondary_ids",
]

COLUMNS = ["item_id", "doc_id", "title", "section", "number", "text", "label", "secondary"]
REQUIRED = [c for c in COLUMNS if c != "title"]  # the document title is context: older files may lack it
INDEX_COLUMNS = ["doc_id", "file", "title", "region", "year", "kind", "source"]
ARCHIVE_FILE = "removed_labels.csv"
"""Beside the corpus: labels of items the seeds no longer produce, restored when their text returns."""
_NOT_DOCUMENTS = {"README.md", "INDEX.csv"}


@dataclass
class BuildReport:
    """What ``build`` changed: item ids that are new, whose text changed, that moved, disappeared or came back."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    new_documents: list[str] = field(default_factory=list)
    total: int = 0
    unlabeled: int = 0
    written: bool = False

    def summary(self, dry_run: bool = False) -> str:
        """What ``eduplan corpus build`` prints."""
        lines = [
            f"{self.total} items: {len(self.new)} new, {len(self.changed)} changed, {len(self.moved)} moved, "
            f"{len(self.restored)} restored, {len(self.removed)} removed; {len(self.new_documents)} new documents; "
            f"{self.unlabeled} without a label"
        ]
        for name, ids in (
            ("changed (text edited, label kept: check it)", self.changed),
            ("moved (same text, new id, label kept)", self.moved),
            ("restored (text came back, label restored)", self.restored),
            (f"removed (label kept in {ARCHIVE_FILE})", self.removed),
        ):
            lines += [f"  {name}: {item_id}" for item_id in ids]
        lines.append("written" if self.written else ("dry run: nothing written" if dry_run else "unchanged: nothing written"))
        return "\n".join(lines)


def _write_csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read_csv(path: Path) -> list[dict[str, str]]:
    from .decoding import read_text

    return list(csv.DictReader(io.StringIO(read_text(path), newline="")))


def read_index(seeds_dir: str | Path) -> list[dict[str, str]]:
    """Rows of ``seeds/INDEX.csv`` (empty list when there is none)."""
    path = Path(seeds_dir) / "INDEX.csv"
    return _read_csv(path) if path.exists() else []


def _document_files(seeds_dir: Path) -> list[Path]:
    from .readers import is_document

    return sorted(p for p in seeds_dir.iterdir() if p.is_file() and p.name not in _NOT_DOCUMENTS and is_document(p))


def _index_row(path: Path) -> dict[str, str]:
    doc = read_document(path)
    return {
        "doc_id": doc.doc_id,
        "file": path.name,
        "title": doc.title[:120],
        "region": doc.meta.get("region", "unknown"),
        "year": doc.meta.get("year", "unknown"),
        "kind": doc.meta.get("kind", "unknown"),
        "source": doc.meta.get("source", "unknown"),
    }


def _duplicate_ids(rows: list[dict[str, str]], where: Path) -> None:
    """Refuse a corpus file in which one item id stands twice (which label would be kept is not ours to guess)."""
    lines: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        item_id = row.get("item_id", "")
        if item_id in lines:
            raise DataError(
                f"{where}: item_id {item_id!r} stands on lines {lines[item_id]} and {line}; "
                "keep one of them (and its label) before rebuilding",
                path=str(where),
            )
        lines[item_id] = line


def _similar(old: str, new: str) -> bool:
    """Whether a changed item text is still the same item (a local edit), so its label may follow it."""
    from difflib import SequenceMatcher

    if not old or not new:
        return False
    if old in new or new in old:
        return min(len(old), len(new)) >= 0.8 * max(len(old), len(new))
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


def _label_source(item, previous, by_text, old, report: BuildReport) -> dict[str, str] | None:
    """The old row whose label the new ``item`` takes (and the report of how), or ``None`` for a new item."""
    if previous is not None and previous.get("text") == item.text:
        return previous
    source = by_text.get(item.text)
    if source is not None:
        if source.get("item_id") not in old:
            report.restored.append(item.item_id)
        else:
            report.moved.append(f"{source['item_id']} -> {item.item_id}")
        return source
    if previous is not None and previous.get("label") and _similar(previous.get("text", ""), item.text):
        report.changed.append(item.item_id)
        return previous
    report.new.append(item.item_id)
    return None


def build(
    seeds_dir: str | Path = "seeds", items_path: str | Path = "data/items.csv", dry_run: bool = False
) -> BuildReport:
    """Re-segment every document of ``seeds_dir`` into ``items_path``; labels follow the item text.

    A new item takes the label of the old item with the same text (in any
    document, under any id), else of an archived item with that text, else of
    the old item with its id when the text is only locally edited (reported as
    changed). Old items that no segment produces any more keep their labels in
    ``removed_labels.csv`` beside ``items_path``, and get them back when their
    text returns. Documents not yet in ``seeds/INDEX.csv`` are added to it. A
    second run over unchanged seeds rewrites nothing.
    """
    from .documents import document_items

    seeds_dir, items_path = Path(seeds_dir), Path(items_path)
    archive_path = items_path.with_name(ARCHIVE_FILE)
    if not seeds_dir.is_dir():
        raise DataError(f"{seeds_dir}: no such directory of seed documents", path=str(seeds_dir))
    index = read_index(seeds_dir)
    known = {row["file"] for row in index}
    report = BuildReport()
    for path in _document_files(seeds_dir):
        if path.name not in known:
            index.append(_index_row(path))
            report.new_documents.append(path.stem)
    index.sort(key=lambda row: row["file"])

    old_rows = _read_csv(items_path) if items_path.exists() else []
    _duplicate_ids(old_rows, items_path)
    archive = _read_csv(archive_path) if archive_path.exists() else []
    old = {row["item_id"]: row for row in old_rows}
    by_text: dict[str, dict[str, str]] = {}
    for row in archive + old_rows:  # an item of the corpus wins over an archived one with the same text
        if row.get("label"):
            by_text[row["text"]] = row
    used: set[str] = set()  # old item ids whose label went to a new item
    rows: list[dict[str, str]] = []
    for entry in index:
        path = seeds_dir / entry["file"]
        if not path.exists():
            continue
        for item in document_items(path, entry["doc_id"]):
            row = {k: v for k, v in item.to_dict().items() if k in COLUMNS}
            source = _label_source(item, old.get(item.item_id), by_text, old, report)
            if source is not None:
                used.add(source.get("item_id", ""))
            row.update(label=(source or {}).get("label", ""), secondary=(source or {}).get("secondary", ""))
            rows.append(row)
    texts = {row["text"] for row in rows}
    lost = [row for row in old_rows if row["item_id"] not in used and row["text"] not in texts]
    report.removed = [row["item_id"] for row in lost]
    gone = [row for row in lost if row.get("label")]
    kept_archive = [row for row in archive if row["text"] not in texts]
    archived = {row["text"]: row for row in kept_archive + gone}
    report.total = len(rows)
    report.unlabeled = sum(1 for row in rows if not row["label"])

    items_text = _write_csv(rows, COLUMNS)
    index_text = _write_csv(index, INDEX_COLUMNS)
    archive_text = _write_csv(sorted(archived.values(), key=lambda r: r["item_id"]), COLUMNS)
    if dry_run:
        return report
    for path, text in ((seeds_dir / "INDEX.csv", index_text), (items_path, items_text), (archive_path, archive_text)):
        if path == archive_path and not archived and not path.exists():
            continue
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
            report.written = True
    return report


def _one_label_each(rows: list[tuple[int, dict[str, str]]], key: str, where: Path) -> None:
    """Refuse a file that gives the same item (by ``key``) two different labels, naming both lines."""
    first: dict[str, tuple[int, tuple[str, str]]] = {}
    for line, row in rows:
        value = (row.get(key) or "").strip()
        label = ((row.get("label") or "").strip(), (row.get("secondary") or "").strip())
        if value in first and first[value][1] != label:
            raise DataError(
                f"{where}: lines {first[value][0]} and {line} give {key} {value[:40]!r} different labels "
                f"({first[value][1][0]} / {label[0]}); keep one",
                path=str(where),
            )
        first.setdefault(value, (line, label))


def secondary_ids(value: object) -> list[str]:
    """A ``secondary`` cell (``"teachers;safety"``) as its list of theme ids."""
    return [s.strip() for s in str(value or "").split(";") if s.strip()]


def _clean_secondary(value: str | None) -> str:
    return ";".join(secondary_ids(value))


def import_labels(labels_path: str | Path, items_path: str | Path = "data/items.csv") -> dict[str, int]:
    """Copy annotations (``item_id,label[,secondary]``) from ``labels_path`` into the corpus.

    For labeling work done outside the corpus file (a spreadsheet, a batch of
    items given to an annotator). Unknown item ids and theme ids are errors, and
    so is one item given two different labels; nothing is written unless every
    row is valid.
    """
    items_path, labels_path = Path(items_path), Path(labels_path)
    rows = _read_csv(items_path)
    by_id = {row["item_id"]: row for row in rows}
    valid = set(taxonomy.ids()) | {taxonomy.SKIP}
    annotations = list(enumerate(_read_csv(labels_path), start=2))
    _one_label_each(annotations, "item_id", labels_path)
    problems: list[str] = []
    updated = 0
    for line, ann in annotations:
        item_id, label = (ann.get("item_id") or "").strip(), (ann.get("label") or "").strip()
        secondary = _clean_secondary(ann.get("secondary"))
        if item_id not in by_id:
            problems.append(f"{labels_path} line {line}: unknown item_id {item_id!r}")
        elif label not in valid or any(s not in valid for s in secondary_ids(secondary)):
            problems.append(f"{labels_path} line {line}: unknown theme id in {label!r} / {secondary!r}")
        elif (by_id[item_id]["label"], by_id[item_id]["secondary"]) != (label, secondary):
            by_id[item_id].update(label=label, secondary=secondary)
            updated += 1
    if problems:
        raise DataError("; ".join(problems[:5]) + (f"; … {len(problems) - 5} more" if len(problems) > 5 else ""))
    if updated:
        atomic_write_text(items_path, _write_csv(rows, COLUMNS))
    return {"updated": updated, "items": len(rows)}


def read_corrections(path: str | Path):
    """A user's corrections (``text,label`` and optional ``doc_id,item_id,section,title,secondary``) as corpus rows.

    Labels must be theme ids or ``skip``; the same text given two different
    labels is refused, naming the lines. Missing ``doc_id`` values name the file,
    so grouped cross-validation keeps the corrections of one file together.
    """
    import pandas as pd

    path = Path(path)
    rows = list(enumerate(_read_csv(path), start=2))
    if not rows or "text" not in rows[0][1] or "label" not in rows[0][1]:
        raise DataError(f"{path}: a corrections file needs the columns text and label", path=str(path))
    _one_label_each(rows, "text", path)
    valid = set(taxonomy.ids()) | {taxonomy.SKIP}
    out = []
    for line, row in rows:
        text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
        if not text or not label:
            continue  # an item the reviewer left unlabeled
        if label not in valid:
            raise DataError(f"{path} line {line}: unknown theme id {label!r}", path=str(path), column="label")
        doc_id = (row.get("doc_id") or "").strip() or f"corrections:{path.name}"
        out.append(
            {
                "item_id": (row.get("item_id") or "").strip() or f"{doc_id}:{line}",
                "doc_id": doc_id,
                "title": (row.get("title") or "").strip(),
                "section": (row.get("section") or "").strip(),
                "number": "",
                "text": text,
                "label": label,
                "secondary": _clean_secondary(row.get("secondary")),
            }
        )
    return pd.DataFrame(out, columns=COLUMNS).drop_duplicates("text", keep="last")


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
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [f"{items_path}: malformed CSV, missing column(s): {', '.join(missing)}"]
    problems: list[str] = []
    valid = set(taxonomy.ids())
    seen_ids: dict[str, int] = {}
    seen_texts: dict[tuple[str, str], int] = {}  # (doc_id, text): the same heading may recur in other documents
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
        elif (row["doc_id"], text) in seen_texts:
            problems.append(f"{where}: duplicate text in its document, same as line {seen_texts[row['doc_id'], text]}")
        else:
            seen_texts[row["doc_id"], text] = line
        if not label:
            problems.append(f"{where}: missing label")
        elif label != taxonomy.SKIP and label not in valid:
            problems.append(f"{where}: unknown theme id {label!r}")
        for extra in secondary_ids(row["secondary"]):
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
    frame = pd.read_csv(items_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame if "title" in frame.columns else frame.assign(title="")


def training_items(items_path: str | Path = "data/items.csv"):
    """The labeled items that train models: every row whose label is a theme (not ``skip``)."""
    frame = read_items(items_path)
    return frame[frame["label"] != taxonomy.SKIP].reset_index(drop=True)


def stats_rows(items_path: str | Path = "data/items.csv") -> tuple[list[dict], list[str]]:
    """Items per theme (with Chinese names), then per document: rows for a writer."""
    result = stats(items_path)
    names = taxonomy.names()
    rows = [{"theme": t, "name": names.get(t, "(not a task)"), "items": n} for t, n in result["per_theme"].items()]
    rows.append({"theme": "total", "name": f"{result['documents']} documents", "items": result["items"]})
    return rows, ["theme", "name", "items"]


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


def training_frame(data: str | Path | None = None, add: Sequence[str | Path] = ()):
    """The labeled records to train on: the corpus (default: the shipped one; not ``skip``) plus corrections,
    whose labels win for the same text; the ``correction`` column says which rows are corrections."""
    import pandas as pd

    from .resources import corpus_path

    frame = training_items(data or corpus_path()).assign(correction=False)
    for path in add:
        extra = read_corrections(path).assign(correction=True)
        frame = frame[~frame["text"].isin(set(extra["text"]))]
        frame = pd.concat([frame, extra[extra["label"] != taxonomy.SKIP]], ignore_index=True)
    return frame.fillna("").reset_index(drop=True)
