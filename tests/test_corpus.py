"""The corpus: build keeps labels and is idempotent; validate names every kind of problem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from eduplan import corpus
from eduplan.errors import DataError

DOC_A = "一、任务\n1.全面加强学校党的建设。内容甲。\n2.推进学前教育普惠发展。内容乙。\n"
DOC_B = "source: s\ntitle: 乙市计划\nkind: plan\nregion: 乙市\nyear: 2021\n\n一、任务\n1.加强校园安全管理。内容丙。\n"


def _seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(DOC_A, encoding="utf-8")
    (seeds / "b.txt").write_text(DOC_B, encoding="gb18030")
    (seeds / "README.md").write_text("not a plan", encoding="utf-8")
    return seeds


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _label_all(path: Path, labels: dict[str, str]) -> None:
    rows = _rows(path)
    for row in rows:
        row["label"] = labels[row["item_id"]]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=corpus.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_build_indexes_segments_and_keeps_labels(tmp_path):
    seeds, items = _seeds(tmp_path), tmp_path / "items.csv"
    report = corpus.build(seeds, items)
    assert sorted(report.new) == ["a:1", "a:2", "b:1"] and report.new_documents == ["a", "b"]
    index = _rows(seeds / "INDEX.csv")
    assert [(r["doc_id"], r["title"], r["region"]) for r in index] == [
        ("a", "一、任务", "unknown"),
        ("b", "乙市计划", "乙市"),
    ]
    _label_all(items, {"a:1": "party_building", "a:2": "preschool", "b:1": "safety"})
    before = items.read_bytes()
    again = corpus.build(seeds, items)
    assert (again.new, again.changed, again.removed, again.written) == ([], [], [], False)
    assert items.read_bytes() == before

    (seeds / "a.txt").write_text(DOC_A.replace("内容乙", "内容丁") + "3.加强教师培训。内容戊。\n", encoding="utf-8")
    (seeds / "b.txt").unlink()
    (seeds / "c.txt").write_text("一、任务\n1.推进教育信息化。建设平台。\n", encoding="utf-8")
    report = corpus.build(seeds, items)
    assert report.changed == ["a:2"] and sorted(report.new) == ["a:3", "c:1"] and report.removed == ["b:1"]
    labels = {r["item_id"]: r["label"] for r in _rows(items)}
    assert labels == {"a:1": "party_building", "a:2": "preschool", "a:3": "", "c:1": ""}


def _corpus_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "items.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(corpus.COLUMNS)
        writer.writerows(rows)
    return path


GOOD = [
    ["d:1", "d", "s", "1", "加强党建。", "party_building", ""],
    ["d:2", "d", "s", "2", "新建幼儿园。", "preschool", "funding_facilities"],
]


def test_validate_clean_file(tmp_path):
    assert corpus.validate(_corpus_file(tmp_path, GOOD)) == []


@pytest.mark.parametrize(
    "bad_row,message",
    [
        (["d:3", "d", "s", "3", "其他任务。", "sports", ""], "unknown theme id 'sports'"),
        (["d:1", "d", "s", "1", "另一任务。", "safety", ""], "duplicate item_id"),
        (["d:3", "d", "s", "3", "加强党建。", "safety", ""], "duplicate text"),
        (["d:3", "d", "s", "3", "  ", "safety", ""], "empty text"),
        (["d:3", "d", "s", "3", "其他任务。", "", ""], "missing label"),
        (["d:3", "d", "s", "3", "其他任务。", "safety", "nope"], "unknown secondary theme id 'nope'"),
        (["d:3", "d", "s", "其他任务。", "safety"], "malformed CSV row"),
    ],
)
def test_validate_names_each_problem(tmp_path, bad_row, message):
    problems = corpus.validate(_corpus_file(tmp_path, GOOD + [bad_row]))
    assert len(problems) == 1 and message in problems[0] and problems[0].startswith("line 4")


def test_validate_missing_columns_and_broken_quotes(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("item_id,text\nd:1,x\n", encoding="utf-8")
    assert "missing column(s): doc_id" in corpus.validate(path)[0]
    path.write_text(",".join(corpus.COLUMNS) + '\nd:1,d,s,1,"unterminated,safety,\n', encoding="utf-8")
    assert corpus.validate(path)


def test_read_items_refuses_invalid_corpus(tmp_path):
    path = _corpus_file(tmp_path, GOOD + [["d:3", "d", "s", "3", "其他。", "bogus", ""]])
    with pytest.raises(DataError, match="corpus validate"):
        corpus.read_items(path)


def test_training_items_leave_out_skip_and_stats_count(tmp_path):
    path = _corpus_file(tmp_path, GOOD + [["d:3", "d", "s", "3", "指导思想。", "skip", ""]])
    assert list(corpus.training_items(path)["item_id"]) == ["d:1", "d:2"]
    result = corpus.stats(path)
    assert (
        result["per_theme"]["skip"] == 1
        and result["per_theme"]["preschool"] == 1
        and result["per_document"] == {"d": 3}
    )


def test_import_labels(tmp_path):
    path = _corpus_file(tmp_path, [[*row[:5], "", ""] for row in GOOD])
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "item_id,label,secondary\nd:1,party_building,\nd:2,preschool,funding_facilities\n", encoding="utf-8"
    )
    assert corpus.import_labels(labels, path) == {"updated": 2, "items": 2}
    assert corpus.validate(path) == []
    labels.write_text("item_id,label\nd:9,safety\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown item_id"):
        corpus.import_labels(labels, path)


def test_shipped_corpus_is_valid_and_covers_every_seed_document():
    from conftest import REPO

    items = REPO / "data" / "items.csv"
    assert corpus.validate(items) == []
    report = corpus.build(REPO / "seeds", items, dry_run=True)
    assert (report.new, report.changed, report.removed, report.unlabeled) == ([], [], [], 0)
    frame = corpus.read_items(items)
    assert (frame["label"] == "skip").mean() < 0.05
